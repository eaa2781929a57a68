"""Array helpers for the small arrays of a month: the same results as numpy, fewer calls.

A 200-household compound's month is ~1,200 numpy calls on arrays of a few to a few hundred
elements, so what a month costs is numpy's per-call overhead, not arithmetic. The helpers
here give exactly what the numpy function they replace gives (tested against it in
``tests/test_arrays.py``), with less Python-level work on small inputs.
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
