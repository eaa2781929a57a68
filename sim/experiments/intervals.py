"""The interval and test statistics of comparisons, from :mod:`scipy.stats`.

One place for the numbers the comparison report and ``summary.csv`` print:

- :func:`t_interval`: the mean of one number per seed with its Student t interval
  (``scipy.stats.t.interval`` with the standard error ``sd / sqrt(n)`` as scale);
- :func:`t_band`: the same, vectorised, for a band per month of a time series;
- :func:`wilcoxon_p`: the two-sided Wilcoxon signed-rank p-value of paired differences
  (``scipy.stats.wilcoxon``);
- :func:`holm`: Holm's step-down correction of a family of p-values (``statsmodels``);
- under parameter uncertainty (``sim compare --uncertainty``): :func:`percentile_spread`
  (where the per-parameter-set differences lie across the prior), :func:`seed_interval`
  (the pooled within-set interval: seed noise only), :func:`share_better` (P(better)) and
  :func:`regret` (against the best design of each parameter set).

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


# --------------------------------------------------------------------------- uncertainty


def percentile_spread(values: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """Return the central ``level`` range of ``values`` (2.5 and 97.5 % for 0.95).

    Where the answer lies across the prior: the percentiles of the per-parameter-set
    differences (``numpy.percentile``, linear interpolation), not an interval of a mean.
    NaN for no value.
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return float("nan"), float("nan")
    tail = 100.0 * (1.0 - level) / 2.0
    low, high = np.percentile(x, [tail, 100.0 - tail])
    return float(low), float(high)


def seed_interval(diffs: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """Return the interval of the mean difference from seed noise alone.

    ``diffs`` has one row per parameter set and one column per seed (paired differences).
    The within-set deviations ``diffs[k, s] − mean_s diffs[k, s]`` measure how much the
    answer moves between seeds when the parameters are held fixed; their pooled variance
    ``s_w² = Σ e² / (K·(S − 1))`` gives the standard error ``s_w / √(K·S)`` of the grand
    mean and a t interval with ``K·(S − 1)`` degrees of freedom
    (``scipy.stats.t.interval``). It says how precisely the runs pin down the mean *for
    these parameter sets*; it is not uncertainty about the world. NaN with one seed;
    zero width when every seed agrees.
    """
    d = np.asarray(diffs, dtype=float)
    k, s = d.shape
    mean = float(d.mean()) if d.size else float("nan")
    if s < 2 or k < 1:
        return float("nan"), float("nan")
    resid = d - d.mean(axis=1, keepdims=True)
    dof = k * (s - 1)
    sw = float(np.sqrt((resid ** 2).sum() / dof))
    if sw == 0.0:
        return mean, mean
    low, high = stats.t.interval(level, dof, loc=mean, scale=sw / float(np.sqrt(k * s)))
    return float(low), float(high)


def share_better(per_set: np.ndarray, better: int) -> float:
    """Return the share of parameter sets whose difference is in the better direction.

    Args:
        per_set: One difference (design − reference) per parameter set.
        better: +1 when higher is better, −1 when lower is better, 0 when the outcome is
            not judged (then NaN). A difference of exactly 0 is not better.
    """
    d = np.asarray(per_set, dtype=float)
    if better == 0 or d.size == 0:
        return float("nan")
    return float(np.mean(better * d > 0))


def regret(means: np.ndarray, better: int) -> np.ndarray:
    """Return each design's regret in each parameter set against the best design there.

    Args:
        means: One row per design, one column per parameter set (each the mean over seeds).
        better: +1 when higher is better, −1 when lower is better, 0 (not judged).

    Returns:
        The same shape: how far each design falls short of the best design of its
        parameter set (≥ 0; 0 for the best); NaN everywhere when ``better`` is 0.
    """
    m = np.asarray(means, dtype=float)
    if better == 0:
        return np.full_like(m, np.nan)
    scored = better * m
    return scored.max(axis=0, keepdims=True) - scored


def holm(pvalues: np.ndarray) -> np.ndarray:
    """Return Holm's step-down adjusted p-values (``statsmodels`` ``multipletests``).

    Holm (1979) controls the family-wise error rate without assuming independence. NaN
    entries (no test) stay NaN and are not counted in the family.
    """
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(pvalues, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out
