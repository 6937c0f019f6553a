"""Accounts for every party: registration, e-mail verification, invitations, resets, administration."""
