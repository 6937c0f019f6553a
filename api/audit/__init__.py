"""The audit trail of case data access."""
