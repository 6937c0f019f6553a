"""The test nodes themselves: a node that cannot start fails the test that needs it, never skips it."""
from __future__ import annotations

import socket

import pytest

from tests.search_es.nodes import SearchCluster


def test_a_node_that_cannot_start_fails_with_its_log(tmp_path):
    cluster = SearchCluster(tmp_path, nodes=1)
    with socket.socket() as taken:  # another process holds the node's HTTP port
        taken.bind(("127.0.0.1", cluster.first_port))
        taken.listen(1)
        with pytest.raises(pytest.fail.Exception, match=r"(?s)did not start.*BindHttpException"):
            cluster.start()
    assert cluster.processes == {}, "the failed node's process was left behind"
