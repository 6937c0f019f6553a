"""The condition catalogues and the ZIP table load from stored derived copies, which say what the sources say."""
import subprocess
import sys
from pathlib import Path

import zipcodes

from reference import catalogue_store, conditions, zip_centroids

ROOT = Path(__file__).resolve().parents[2]


def test_a_process_loads_the_catalogues_without_the_source_packages():
    conditions.warm()  # the stored copy exists from here on
    probe = (
        "import sys; from reference import conditions; conditions.warm(); "
        "print(len(conditions.all_conditions()), 'simple_icd_10_cm' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(len(conditions.all_conditions())), "False"]  # ~170 MB never parsed


def test_stored_conditions_say_what_the_icd_package_says():
    icd = catalogue_store.icd_package()
    for code in ("C92.0", "I10", "E11.9", "Z00", "S72.001A"):
        found = conditions.lookup("ICD-10-CM", code)
        assert found is not None and found.name == icd.get_description(code)
    extended = {c for c in ("S72.001A", "C92.0") if icd.is_extended_subcategory(c)}
    assert extended == {c for c in ("S72.001A", "C92.0") if c in conditions._icd_extended()} == {"S72.001A"}


def test_the_stored_copy_is_keyed_by_the_code_it_was_derived_with(tmp_path, monkeypatch):
    monkeypatch.setenv("SECONDLOOK_CACHE_DIR", str(tmp_path))
    calls = []
    assert catalogue_store.load_or_build("probe", lambda: calls.append(1) or {"a": [1, "x"]}) == {"a": [1, "x"]}
    assert catalogue_store.load_or_build("probe", lambda: calls.append(1) or {}) == {"a": [1, "x"]}
    assert calls == [1]  # built once, then read back
    stored = next(tmp_path.glob("probe-*.json.gz"))
    assert catalogue_store.fingerprint() in stored.name
    stored.write_bytes(b"not gzip")  # a damaged copy is rebuilt, never trusted
    assert catalogue_store.load_or_build("probe", lambda: {"b": 2}) == {"b": 2}


def test_a_process_holds_the_reference_tables_compactly():
    conditions.warm()
    zip_centroids.all_zips()  # both stored copies exist from here on
    probe = (
        "import sys, tracemalloc; tracemalloc.start(); from reference import conditions, zip_centroids; "
        "conditions.warm(); zip_centroids.all_zips(); import zipcodes; "
        "print(tracemalloc.get_traced_memory()[0] // 2**20, zipcodes._zips_cache is None)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    held_mb, zip_rows_dropped = done.stdout.split()
    # ~90 MB: the stored rows are dropped once the conditions are made (they were ~300 MB with
    # the JSON rows kept and the zipcodes package's 42k dicts loaded).
    assert int(held_mb) < 150 and zip_rows_dropped == "True"
    for zip5 in ("55905", "10001", "99501"):  # the stored copy says what the package says
        row = zipcodes.matching(zip5)[0]
        expected = (float(row["lat"]), float(row["long"]), row["city"], row["state"], row["county"])
        assert tuple(zip_centroids.get(zip5)) == expected
