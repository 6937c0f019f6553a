"""Reference data the running service reads: NUCC taxonomy, conditions (ICD-10-CM, Orphanet) and
who treats them, US ZIP centroids. Real public sources installed offline from PyPI, loaded once per
process. `seed_data/` keeps the loaders that write the directory and the synthetic generator.
"""
