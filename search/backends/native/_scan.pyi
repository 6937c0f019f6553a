"""What cffi's build of scan.c (build.py) exposes: its FFI (cdata objects, untyped) and scan.h's functions and constants."""

from typing import Any

ffi: Any
lib: Any
