"""cffi's build of the native scan: `pip install -e .` runs it (setup.py) and leaves `_scan*.so` here."""

from pathlib import Path

from cffi import FFI

HERE = Path(__file__).parent

ffibuilder = FFI()
ffibuilder.cdef((HERE / "scan.h").read_text())
ffibuilder.set_source(
    "search.backends.native._scan",
    '#include <stdint.h>\n#include "scan.h"\n',
    sources=[str(HERE / "scan.c")],
    include_dirs=[str(HERE)],
    # No -Werror: a newer compiler's new warning must not stop an install. No contraction into fused
    # multiply-adds: a dot product is then rounded as numpy rounds it (grid.dot, the reference).
    extra_compile_args=["-O3", "-std=c99", "-Wall", "-Wextra", "-ffp-contract=off"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
