package org.secondlook.searchnode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The launcher's command line: {@code --name value} pairs, each with a working default. */
final class Options {
    int nodes = 1;
    List<Integer> members = new ArrayList<>();
    int httpPort = 9200;
    int transportPort = 9300;
    Path data = Path.of("var", "opensearch");
    String cluster = "secondlook";
    Path readyFile;
    int waitSeconds = 120;

    static Options parse(String[] args) {
        Options options = new Options();
        if (args.length % 2 != 0) {
            throw usage("every option takes a value");
        }
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--nodes" -> options.nodes = Integer.parseInt(value);
                case "--members" -> {
                    for (String member : value.split(",")) {
                        options.members.add(Integer.parseInt(member.trim()));
                    }
                }
                case "--http-port" -> options.httpPort = Integer.parseInt(value);
                case "--transport-port" -> options.transportPort = Integer.parseInt(value);
                case "--data" -> options.data = Path.of(value);
                case "--cluster" -> options.cluster = value;
                case "--ready-file" -> options.readyFile = Path.of(value).toAbsolutePath();
                case "--wait-seconds" -> options.waitSeconds = Integer.parseInt(value);
                default -> throw usage("unknown option " + args[i]);
            }
        }
        if (options.nodes != 1 && options.nodes != 3) {
            throw usage("--nodes must be 1 or 3");
        }
        if (options.members.isEmpty()) {
            for (int i = 0; i < options.nodes; i++) {
                options.members.add(i);
            }
        }
        for (int member : options.members) {
            if (member < 0 || member >= options.nodes) {
                throw usage("--members must lie in 0.." + (options.nodes - 1));
            }
        }
        return options;
    }

    private static IllegalArgumentException usage(String problem) {
        return new IllegalArgumentException(problem + "; usage: [--nodes 1|3] [--members 0,1,2] [--http-port 9200]"
                + " [--transport-port 9300] [--data DIR] [--cluster NAME] [--ready-file PATH] [--wait-seconds 120]");
    }
}
