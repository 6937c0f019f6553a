"""Reference data endpoints: specialties (NUCC), conditions (ICD-10-CM, ORPHA), geocoding."""
