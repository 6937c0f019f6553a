package org.secondlook.searchnode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.opensearch.action.admin.cluster.health.ClusterHealthResponse;
import org.opensearch.cluster.health.ClusterHealthStatus;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.unit.TimeValue;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * Starts OpenSearch nodes on loopback from the artifacts on the classpath, waits for a green
 * cluster, and closes them on SIGTERM.
 *
 * <p>Usage: {@code java -Xmx512m -jar searchnode.jar [--nodes 1|3] [--members 0,1,2]
 * [--http-port 9200] [--transport-port 9300] [--data var/opensearch] [--cluster secondlook]
 * [--ready-file PATH]}. Node {@code i} listens on {@code http-port + i} and {@code transport-port + i};
 * {@code --members} starts only some members of the cluster in this process, so that a test can
 * stop one node of three by signalling its process.
 */
public final class SearchNode {

    /** The modules a node with HTTP, our mapping and reindex needs (the distribution's modules/). */
    static final List<Class<? extends Plugin>> MODULES = List.of(
            org.opensearch.transport.Netty4Plugin.class,
            org.opensearch.analysis.common.CommonAnalysisPlugin.class,
            org.opensearch.painless.PainlessPlugin.class,
            org.opensearch.index.mapper.MapperExtrasPlugin.class,
            org.opensearch.index.reindex.ReindexPlugin.class);

    /** A node whose plugins come from the classpath instead of a distribution's modules/ folder. */
    static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }

        @Override
        protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {
            // The listener only feeds log lines with node and cluster ids; a second node in the
            // same JVM would fail to register it again.
        }
    }

    private SearchNode() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        List<Node> started = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close(started);
            stopped.countDown();
        }, "searchnode-shutdown"));
        try {
            for (int member : options.members) {
                Node node = new ClasspathNode(environment(options, member), MODULES);
                node.start();
                synchronized (started) {
                    started.add(node);
                }
            }
            awaitGreen(started.get(0), options);
        } catch (Exception | LinkageError e) {
            System.err.println("searchnode: failed to start: " + e);
            e.printStackTrace();
            System.exit(1);  // runs the shutdown hook, which closes whatever did start
        }
        String url = "http://127.0.0.1:" + (options.httpPort + options.members.get(0));
        if (options.readyFile != null) {
            Path tmp = options.readyFile.resolveSibling(options.readyFile.getFileName() + ".tmp");
            Files.writeString(tmp, url + "\n");
            Files.move(tmp, options.readyFile, StandardCopyOption.ATOMIC_MOVE);
        }
        System.out.println("searchnode: ready on " + url);
        System.out.flush();
        stopped.await();
    }

    static Environment environment(Options options, int member) throws Exception {
        String name = "node-" + member;
        Path home = options.data.resolve(name).toAbsolutePath();
        Path config = Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("modules"));
        Files.createDirectories(home.resolve("plugins"));
        Settings.Builder settings = Settings.builder()
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("cluster.name", options.cluster)
                .put("node.name", name)
                .put("network.host", "127.0.0.1")
                .put("http.port", options.httpPort + member)
                .put("transport.port", options.transportPort + member)
                // Helpers share one disk; a full disk elsewhere must not block shard allocation here.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("action.auto_create_index", false);
        if (options.nodes == 1) {
            settings.put("discovery.type", "single-node");
        } else {
            List<String> seeds = new ArrayList<>();
            List<String> managers = new ArrayList<>();
            for (int i = 0; i < options.nodes; i++) {
                seeds.add("127.0.0.1:" + (options.transportPort + i));
                managers.add("node-" + i);
            }
            settings.putList("discovery.seed_hosts", seeds)
                    .putList("cluster.initial_cluster_manager_nodes", managers);
        }
        return InternalSettingsPreparer.prepareEnvironment(settings.build(), Map.of(), config, () -> name);
    }

    static void awaitGreen(Node node, Options options) {
        ClusterHealthResponse health = node.client().admin().cluster().prepareHealth()
                .setWaitForGreenStatus()
                .setWaitForNodes(Integer.toString(options.nodes))
                .setTimeout(TimeValue.timeValueSeconds(options.waitSeconds))
                .get();
        if (health.isTimedOut() || health.getStatus() != ClusterHealthStatus.GREEN) {
            throw new IllegalStateException("cluster not green after " + options.waitSeconds + "s: "
                    + health.getStatus() + ", " + health.getNumberOfNodes() + " of " + options.nodes + " nodes");
        }
    }

    static void close(List<Node> nodes) {
        synchronized (nodes) {
            for (Node node : nodes) {
                try {
                    node.close();
                    node.awaitClose(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    System.err.println("searchnode: error while closing a node: " + e);
                }
            }
            nodes.clear();
        }
    }
}
