"""sim.arrays gives exactly what the numpy expressions it replaces give."""

from __future__ import annotations

import numpy as np
import pytest

from sim.arrays import BROADCAST_LIMIT, isin, run_starts, weighted_sum


@pytest.mark.parametrize("n, m", [(0, 0), (0, 3), (5, 0), (1, 1), (200, 3), (50, 40),
                                  (BROADCAST_LIMIT, 2)])
def test_isin_equals_numpy(n, m):
    rng = np.random.default_rng(n * 1000 + m)
    values = rng.integers(-3, 30, n)
    test = rng.integers(-3, 30, m)
    got = isin(values, test)
    assert got.dtype == bool and got.shape == values.shape
    assert np.array_equal(got, np.isin(values, test))
    assert np.array_equal(isin(values, list(test)), np.isin(values, list(test)))


def test_isin_of_other_shapes_is_numpys():
    values = np.arange(12).reshape(3, 4)
    assert np.array_equal(isin(values, [1, 5]), np.isin(values, [1, 5]))


@pytest.mark.parametrize("keys", [[], [3], [1, 1, 2, 5, 5, 5], [0, 1, 2], [4, 4, 4]])
def test_run_starts_equals_r_(keys):
    a = np.asarray(keys, dtype=np.int64)
    assert np.array_equal(run_starts(a), np.r_[True, a[1:] != a[:-1]])


def test_weighted_sum_adds_the_rows_in_order():
    # weights @ rows without BLAS (docs/decisions.md §55): row by row, in the order given,
    # so bit-equal to the plain loop and equal to the product to rounding.
    rng = np.random.default_rng(3)
    w, rows = rng.uniform(0, 1, 4), rng.uniform(0, 1, (4, 108))
    expected = np.zeros(108)
    for k in range(4):
        expected = expected + w[k] * rows[k]
    assert weighted_sum(w, rows).tobytes() == expected.tobytes()
    np.testing.assert_allclose(weighted_sum(w, rows), w @ rows, rtol=1e-14, atol=0)
    assert weighted_sum([0.5, 0.25], np.array([[2.0, 4.0], [4.0, 8.0]])).tolist() == [2.0, 4.0]
    with pytest.raises(ValueError, match="do not match"):
        weighted_sum(w, rows[:3])
