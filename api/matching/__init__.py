"""Matching: POST /v1/matches ranks specialists for a case that does not identify the patient."""
