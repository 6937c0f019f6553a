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
    extra_compile_args=["-O3", "-std=c99", "-Wall", "-Wextra", "-Werror"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
