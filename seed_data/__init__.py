"""Offline reference data: NUCC taxonomy, condition catalogue (ICD-10-CM + Orphanet), ZIP centroids."""
