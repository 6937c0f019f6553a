"""Accounts, login and the identity of the caller."""
