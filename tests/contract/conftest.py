"""Report how many requests the contract run sent (the CI budget is at least 1,000)."""
from tests.contract.test_schemathesis import REQUESTS, STATUSES


def pytest_terminal_summary(terminalreporter):
    """One line at the end of the run: requests sent, and by how many operations."""
    if REQUESTS:
        terminalreporter.write_line(f"schemathesis: {sum(REQUESTS.values())} requests over {len(REQUESTS)} operations; "
                                    f"statuses {dict(sorted(STATUSES.items()))}")
