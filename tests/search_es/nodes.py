"""Real OpenSearch nodes for the tests: built once from searchnode/, started on free loopback ports.

A node that cannot be built or started fails the test that needs it (never a skip): the
cluster tests are the proof that the backend works on a real engine.
"""
from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEARCHNODE = ROOT / "searchnode"
JAR = SEARCHNODE / "target" / "searchnode.jar"
HEAP = "512m"
START_TIMEOUT_S = 180


def build_launcher() -> Path:
    """searchnode/target/searchnode.jar, rebuilt with Maven when a source is newer than it."""
    sources = [SEARCHNODE / "pom.xml", *(SEARCHNODE / "src").rglob("*")]
    if JAR.is_file() and all(path.stat().st_mtime <= JAR.stat().st_mtime for path in sources):
        return JAR
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not on PATH: the search-cluster tests need a JDK 17 and Maven to build searchnode/")
    built = subprocess.run(["mvn", "-q", "-f", str(SEARCHNODE / "pom.xml"), "package"],
                           capture_output=True, text=True)
    if built.returncode != 0 or not JAR.is_file():
        pytest.fail(f"building searchnode/ failed:\n{built.stdout[-3000:]}\n{built.stderr[-3000:]}")
    JAR.touch()
    return JAR


def free_port_block(count: int) -> int:
    """A first port such that `count` consecutive HTTP ports and the transport ports 100 above are free."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        ports = [*range(first, first + count), *range(first + 100, first + 100 + count)]
        if first + 100 + count < 65000 and all(_free(port) for port in ports):
            return first
    raise RuntimeError("no free block of loopback ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class SearchCluster:
    """One or three OpenSearch nodes, one process per node, so that a node can be stopped alone."""

    def __init__(self, data: Path, nodes: int = 1) -> None:
        self.data, self.nodes = data, nodes
        self.first_port = free_port_block(nodes)
        self.processes: dict[int, subprocess.Popen] = {}

    def __enter__(self) -> "SearchCluster":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def url(self, member: int = 0) -> str:
        """The HTTP URL of one node."""
        return f"http://127.0.0.1:{self.first_port + member}"

    @property
    def urls(self) -> list[str]:
        """Every node's HTTP URL."""
        return [self.url(member) for member in range(self.nodes)]

    def start(self, *members: int) -> None:
        """Start the given members (all by default) and wait until each says the cluster is green."""
        members = members or tuple(range(self.nodes))
        jar = build_launcher()
        for member in members:
            ready = self._ready_file(member)
            ready.unlink(missing_ok=True)
            log = open(self.data / f"node-{member}.log", "ab")
            self.processes[member] = subprocess.Popen(
                ["java", f"-Xms{HEAP}", f"-Xmx{HEAP}", "-XX:+UseSerialGC", "-jar", str(jar),
                 "--nodes", str(self.nodes), "--members", str(member), "--data", str(self.data),
                 "--http-port", str(self.first_port), "--transport-port", str(self.first_port + 100),
                 "--ready-file", str(ready), "--wait-seconds", str(START_TIMEOUT_S)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        for member in members:
            self._await_ready(member)

    def stop(self, *members: int) -> None:
        """SIGTERM the given members (all by default) and wait until they have closed."""
        for member in members or tuple(self.processes):
            process = self.processes.pop(member, None)
            if process is None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _ready_file(self, member: int) -> Path:
        return self.data / f"node-{member}.ready"

    def _await_ready(self, member: int) -> None:
        deadline, process = time.monotonic() + START_TIMEOUT_S, self.processes[member]
        while not self._ready_file(member).exists():
            if process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = (self.data / f"node-{member}.log").read_text(errors="replace")[-4000:]
                pytest.fail(f"OpenSearch node {member} did not start (exit {process.poll()}):\n{log}")
            time.sleep(0.2)

