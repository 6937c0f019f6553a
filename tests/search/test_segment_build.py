"""The segment build keeps what a match reads and drops what only the build needed, at half the width."""
import numpy as np

from search.backends.segment import Postings
from search.backends.tables import narrow


def test_postings_hold_rows_by_key_then_row():
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 40, size=5000).astype(np.int32)
    rows = rng.integers(0, 900, size=5000).astype(np.int32)
    values = rng.random(5000)
    order = np.lexsort((rows, keys))
    plain, weighted = Postings(keys, rows, 40), Postings(keys, rows, 40, values)
    assert plain.rows.dtype == np.int32 and np.array_equal(plain.rows, rows[order])
    assert np.array_equal(weighted.rows, rows[order]) and np.array_equal(weighted.values, values[order])
    for key in (0, 17, 39):
        assert sorted(plain.rows_of(key).tolist()) == sorted(rows[keys == key].tolist())


def test_narrow_halves_ids_that_fit_and_keeps_those_that_do_not():
    small = narrow(np.array([-1, 0, 2**31 - 1], np.int64))
    assert small.dtype == np.int32 and small.tolist() == [-1, 0, 2**31 - 1]
    big = narrow(np.array([1, 2**31], np.int64))
    assert big.dtype == np.int64 and big.tolist() == [1, 2**31]
