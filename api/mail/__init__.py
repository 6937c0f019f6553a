"""Outgoing e-mail: an outbox written with the change, a transport (SMTP or the log) that sends it."""
