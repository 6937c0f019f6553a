"""Only what pyproject.toml cannot say: the native scan that cffi compiles at install
(search/backends/native/). Everything else about the package is in pyproject.toml."""

from setuptools import setup

setup(cffi_modules=["search/backends/native/build.py:ffibuilder"])
