"""Array helpers for the small arrays of a month: the same results as numpy, fewer calls.

A 200-household compound's month is ~1,200 numpy calls on arrays of a few to a few hundred
elements, so what a month costs is numpy's per-call overhead, not arithmetic. The helpers
here give exactly what the numpy function they replace gives (tested against it in
``tests/test_arrays.py``), with less Python-level work on small inputs. One is the other way
round: :func:`weighted_sum` replaces ``weights @ rows``, whose last bits depend on the BLAS
kernel the processor gets, by additions in a fixed order (the same sum, to rounding).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

BROADCAST_LIMIT = 1 << 14
"""Largest ``len(values) × len(test)`` that :func:`isin` compares by broadcasting (16 KB of
booleans); above it, :func:`numpy.isin` (which sorts) is cheaper."""


def isin(values: np.ndarray, test: np.ndarray | Sequence[int]) -> np.ndarray:
    """``np.isin(values, test)`` for 1-D integer arrays: which values are among ``test``.

    On small inputs one broadcast comparison, which costs a few numpy calls where
    :func:`numpy.isin` costs a few dozen; on large ones :func:`numpy.isin` itself. Integers
    compare exactly, so both give the same mask.
    """
    test = np.asarray(test)
    if values.ndim != 1 or test.ndim != 1 or values.size * test.size > BROADCAST_LIMIT:
        return np.isin(values, test)
    if test.size == 0 or values.size == 0:
        return np.zeros(values.shape, dtype=bool)
    return (values[:, None] == test[None, :]).any(axis=1)


def run_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Where each run of equal values of a sorted 1-D array starts (``True`` at its first).

    The same mask as ``np.r_[True, keys[1:] != keys[:-1]]``, without ``np.r_``'s parsing.
    An empty array gives ``[True]`` as that expression does.
    """
    out = np.empty(max(sorted_keys.size, 1), dtype=bool)
    out[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=out[1:])
    return out


def weighted_sum(weights: Sequence[float] | np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Σₖ ``weights[k] × rows[k]``, added in the order k = 0, 1, …: ``weights @ rows`` machine-free.

    ``weights @ rows`` is a BLAS call, and BLAS libraries pick a kernel per processor
    (OpenBLAS: Haswell, SkylakeX, …) whose order of additions differs, so its last bits, and
    through a tie or a threshold whole runs, depended on the machine (lesson 5's ten-year
    government spending under competition: 7.69 million yuan with OpenBLAS's Haswell kernel,
    7.76 with its SkylakeX one; docs/decisions.md §55). Here every element is one product
    and one sum per row, in numpy's element-wise ufuncs, which round the same everywhere.

    Args:
        weights: ``(k,)`` weights.
        rows: ``(k, n)`` values, one row per weight.

    Returns:
        ``(n,)`` weighted sums.
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or rows.ndim != 2 or rows.shape[0] != w.size:
        raise ValueError(f"weights {w.shape} and rows {rows.shape} do not match")
    total = np.zeros(rows.shape[1])
    for k in range(w.size):
        total += w[k] * rows[k]
    return total
