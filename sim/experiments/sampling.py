"""The design of a sweep: the list of runs, each a sample of parameter values and a seed.

The ranges of a sweep (``{low, high}``) are sampled by the sweep's method:

- ``full_factorial``: ``levels`` evenly spaced values per range, every combination
  (numpy), the first range varying slowest;
- ``latin``: a Latin hypercube of ``n`` points (``SALib.sample.latin``);
- ``sobol``: Saltelli's extension of a scrambled Sobol' sequence (``SALib.sample.sobol``;
  ``n·(D+2)`` points, ``n·(2D+2)`` with second-order indices);
- ``morris``: ``n`` trajectories of elementary effects on a ``levels`` grid
  (``SALib.sample.morris``).

Every SALib sampler is seeded with ``sampler.seed``, so the same sweep file always gives the
same design. Categorical parameters (``{values: [...]}``) are crossed with the sampled design
as a full factorial *outside* it: each combination of values (a *group*) gets the whole
design, so Sobol and Morris indices can be computed per group (per design, say). Every sample
is then run once per seed of ``seeds``.

Numbering is stable: samples are numbered group by group in design order; runs are numbered
sample by sample, seed by seed, and their ``run_id`` is that number zero-padded (``000042``),
so the same sweep file always gives the same ``run_id`` to the same parameters and seed.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.errors import ConfigError
from sim.experiments.spec import (
    MAX_RUNS,
    Param,
    Sweep,
    count_groups,
    count_points,
    sampler_levels,
)


@dataclass(frozen=True)
class Plan:
    """A sweep's samples and runs.

    Attributes:
        problem: The SALib problem over the ranges (``num_vars``, ``names``, ``bounds``),
            kept for the analysis; None when there is no range.
        groups: Values of the categorical parameters, one mapping per group.
        samples: One mapping per sample: ``sample`` (its number), ``group`` (its group),
            ``point`` (the raw design row, in ``problem['names']`` order, before rounding of
            integer ranges) and ``params`` (every parameter's value).
        runs: One mapping per run: ``run_id``, ``sample``, ``seed``, ``group`` and ``params``.
    """

    problem: dict[str, Any] | None
    groups: list[dict[str, Any]]
    samples: list[dict[str, Any]]
    runs: list[dict[str, Any]]


def salib_problem(ranges: tuple[Param, ...]) -> dict[str, Any] | None:
    """Return the SALib problem over the ranges, or None when there is none."""
    if not ranges:
        return None
    return {"num_vars": len(ranges), "names": [p.name for p in ranges],
            "bounds": [[p.low, p.high] for p in ranges]}


def design_matrix(sweep: Sweep) -> np.ndarray:
    """Sample the ranges of a sweep.

    Args:
        sweep: The validated sweep.

    Returns:
        An array with one row per design point and one column per range (in the order of
        :attr:`Sweep.ranges`); one row and no column when there is no range.
    """
    ranges = sweep.ranges
    s = sweep.spec.sampler
    if not ranges:
        return np.empty((1, 0))
    problem = salib_problem(ranges)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # SALib's notes on N; checked in spec
        if s.method == "full_factorial":
            axes = [np.linspace(p.low, p.high, sampler_levels(sweep.spec)) for p in ranges]
            return np.array(list(itertools.product(*axes)), dtype=float)
        if s.method == "latin":
            from SALib.sample import latin

            return np.asarray(latin.sample(problem, s.n, seed=s.seed), dtype=float)
        if s.method == "sobol":
            from SALib.sample import sobol

            return np.asarray(sobol.sample(problem, s.n, calc_second_order=s.second_order,
                                           seed=s.seed), dtype=float)
        from SALib.sample import morris

        return np.asarray(morris.sample(problem, s.n, num_levels=sampler_levels(sweep.spec),
                                        seed=s.seed), dtype=float)


def _value(p: Param, x: float) -> float | int:
    """A sampled value as passed to the scenario: whole for integer ranges, clipped to the range."""
    if p.integer:
        lo, hi = int(np.ceil(p.low or 0.0)), int(np.floor(p.high or 0.0))
        return int(min(max(round(x), lo), hi))
    return float(x)


def build_plan(sweep: Sweep) -> Plan:
    """Build the samples and runs of a sweep.

    Args:
        sweep: The validated sweep.

    Returns:
        The :class:`Plan`.

    Raises:
        ConfigError: (field ``sampler``) for more than :data:`~sim.experiments.spec.MAX_RUNS`
            runs.
    """
    total = count_runs(sweep)
    if total > MAX_RUNS:
        raise ConfigError("sampler", f"the sweep has {total:,} runs, more than {MAX_RUNS:,}; "
                                     "lower n, levels or the number of seeds, or split it")
    ranges = sweep.ranges
    matrix = design_matrix(sweep)
    groups = sweep.groups()
    seeds = sweep.spec.seeds
    width = max(6, len(str(max(total - 1, 0))))
    samples: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    for g, group in enumerate(groups):
        for row in matrix:
            drawn = {p.name: _value(p, x) for p, x in zip(ranges, row, strict=True)}
            params = {p.name: group[p.name] if p.categorical else drawn[p.name]
                      for p in sweep.params}
            _add_sample(samples, runs, g, [float(x) for x in row], params, seeds, width)
    return Plan(problem=salib_problem(ranges), groups=groups, samples=samples, runs=runs)


def _add_sample(samples: list[dict[str, Any]], runs: list[dict[str, Any]], group: int,
                point: list[float], params: dict[str, Any], seeds: Sequence[int],
                width: int) -> None:
    """Append one sample and its runs (one per seed), numbered as the module says."""
    sample = len(samples)
    samples.append({"sample": sample, "group": group, "point": point, "params": params})
    for seed in seeds:
        runs.append({"run_id": f"{len(runs):0{width}d}", "sample": sample, "seed": int(seed),
                     "group": group, "params": params})


def groups_plan(groups: Sequence[dict[str, Any]], seeds: Sequence[int]) -> Plan:
    """The plan of a sweep whose parameters are all categorical, from its groups directly.

    What :func:`build_plan` gives such a sweep (one sample per group, no SALib problem),
    for callers that resolve the groups themselves: ``sim compare``, whose one parameter
    is the design, each with its own ``--set`` values (:mod:`sim.experiments.compare`).

    Args:
        groups: The value of every parameter in each group (``{"design": "baseline"}``).
        seeds: The seeds every sample runs with.
    """
    width = max(6, len(str(max(len(groups) * len(seeds) - 1, 0))))
    samples: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    for g, group in enumerate(groups):
        _add_sample(samples, runs, g, [], dict(group), seeds, width)
    return Plan(problem=None, groups=[dict(g) for g in groups], samples=samples, runs=runs)


def crossed_plan(groups: Sequence[dict[str, Any]], param_sets: Sequence[dict[str, Any]],
                 seeds: Sequence[int], *, index: str = "param_set") -> Plan:
    """Every group crossed with every parameter set, each run with every seed.

    The plan of a study under parameter uncertainty (``sim compare --uncertainty``,
    ``sim explain``): every group (a design, or a coalition of institutions) gets the same
    parameter sets (:func:`sim.priors.sample`) and the same seeds, so differences between
    groups are paired by parameter set and seed (common random numbers). Samples are
    numbered group by group, parameter set by parameter set; a sample's ``params`` holds the
    group's values, ``index`` (the parameter set's number) and the set's values.

    Args:
        groups: The value of every categorical parameter in each group.
        param_sets: The sampled values (dotted path → value), one mapping per set.
        seeds: The seeds every sample runs with.
        index: Name of the parameter-set number in each sample's ``params``.
    """
    n = len(groups) * max(len(param_sets), 1) * len(seeds)
    width = max(6, len(str(max(n - 1, 0))))
    samples: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    for g, group in enumerate(groups):
        for k, values in enumerate(param_sets):
            params = {**group, index: k, **values}
            _add_sample(samples, runs, g, [], params, seeds, width)
    return Plan(problem=None, groups=[dict(g) for g in groups], samples=samples, runs=runs)


def count_runs(sweep: Sweep) -> int:
    """Number of runs of a sweep, without sampling.

    :func:`~sim.experiments.spec.check_size` refuses huge sweeps by the same count.
    """
    return (count_points(sweep.spec, sweep.params) * count_groups(sweep.params)
            * len(sweep.spec.seeds))
