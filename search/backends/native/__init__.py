"""Native code for the embedded engine: scan.c, compiled by cffi at install (build.py), called from scan.py."""
