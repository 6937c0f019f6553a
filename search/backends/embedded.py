"""The embedded, in-process search backend (no server)."""
from __future__ import annotations


class EmbeddedBackend:
    """In-process index; always reachable."""

    name = "embedded"

    def ping(self) -> bool:
        """The embedded index lives in this process, so it is reachable when the process is."""
        return True
