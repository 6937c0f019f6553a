"""The condition catalogues load from their stored derived copy, which says what the sources say."""
import subprocess
import sys
from pathlib import Path

from reference import catalogue_store, conditions

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
