"""One seeded directory for the relevance tests, built once per run."""
import pytest

from bench.relevance.runner import seeded_app

DIRECTORY_SIZE = 6000  # past every metro anchor and rare-disease seat of make run's 5,000


@pytest.fixture(scope="session")
def relevance_app(tmp_path_factory):
    """An app over a freshly seeded synthetic directory (seed 42)."""
    return seeded_app(DIRECTORY_SIZE, tmp_path_factory.mktemp("relevance") / "directory.db")
