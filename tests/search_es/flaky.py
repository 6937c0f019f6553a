"""A transport node that fails like an unreachable cluster for its first N requests."""
from __future__ import annotations

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import Urllib3HttpNode


def flaky_node(failures: int) -> type[Urllib3HttpNode]:
    """A node class (for `Elasticsearch(node_class=...)`) whose first `failures` requests raise ConnectionError."""

    class FlakyNode(Urllib3HttpNode):
        budget = failures
        failed = 0

        def perform_request(self, *args, **kwargs):
            if FlakyNode.budget > 0:
                FlakyNode.budget -= 1
                FlakyNode.failed += 1
                raise TransportConnectionError("simulated outage: connection refused")
            return super().perform_request(*args, **kwargs)

    return FlakyNode
