"""The interval and test statistics of comparisons, from :mod:`scipy.stats`.

One place for the numbers the comparison report and ``summary.csv`` print:

- :func:`t_interval`: the mean of one number per seed with its Student t interval
  (``scipy.stats.t.interval`` with the standard error ``sd / sqrt(n)`` as scale);
- :func:`t_band`: the same, vectorised, for a band per month of a time series;
- :func:`wilcoxon_p`: the two-sided Wilcoxon signed-rank p-value of paired differences
  (``scipy.stats.wilcoxon``).

The degenerate cases are decided here, once: fewer than two values give no interval (NaN),
values that are all equal give the zero-width interval at the mean (scipy would return NaN
for a zero scale), and all-zero differences give p = 1 (no evidence of a difference).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

LEVEL = 0.95
"""Confidence level of every interval."""


def t_interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float, float, float]:
    """Return the mean, the ends of its t interval and the standard deviation.

    Args:
        values: One number per seed.
        level: Confidence level.

    Returns:
        ``(mean, low, high, sd)``; the interval and sd are NaN with fewer than two values,
        and the interval is ``(mean, mean)`` when every value is the same.
    """
    x = np.asarray(values, dtype=float)
    mean = float(x.mean())
    if x.size < 2:
        return mean, float("nan"), float("nan"), float("nan")
    sd = float(x.std(ddof=1))
    if sd == 0.0:
        return mean, mean, mean, sd
    low, high = stats.t.interval(level, x.size - 1, loc=mean, scale=sd / float(np.sqrt(x.size)))
    return mean, float(low), float(high), sd


def t_band(mean: np.ndarray, sd: np.ndarray, n: np.ndarray,
           level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Return the ends of the t interval of many means at once (a band over months).

    Args:
        mean: The means.
        sd: Their standard deviations (``ddof=1``).
        n: The number of values behind each mean.
        level: Confidence level.

    Returns:
        ``(low, high)``; where there is a single value, or no spread, or the sd is
        undefined, the band is the mean itself.
    """
    mean = np.asarray(mean, dtype=float)
    n = np.asarray(n, dtype=float)
    scale = np.asarray(sd, dtype=float) / np.sqrt(np.maximum(n, 1))
    wide = (n > 1) & np.isfinite(scale) & (scale > 0)
    low, high = mean.copy(), mean.copy()
    if wide.any():
        low[wide], high[wide] = stats.t.interval(level, n[wide] - 1, loc=mean[wide],
                                                 scale=scale[wide])
    return low, high


def wilcoxon_p(diffs: np.ndarray) -> float:
    """Return the two-sided Wilcoxon signed-rank p-value of paired differences.

    All-zero differences give 1.0 (no evidence of a difference); no pair gives NaN.
    """
    d = np.asarray(diffs, dtype=float)
    if d.size == 0:
        return float("nan")
    if np.all(d == 0):
        return 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small samples, ties: scipy picks the method
        return float(stats.wilcoxon(d).pvalue)
