"""A batch of runs: the unit of work of sweeps, comparisons and the analyses built on them.

Researchers' work is many runs of small communities (a sweep's ``seeds``, a comparison's
many seeds per design, ``sim explain``'s seeds per coalition and parameter set). The
executors (:mod:`sim.experiments.executors`) therefore send a *batch* of runs per task — the
seeds of one sample, which share one resolved scenario — and :func:`run_batch` is where the
engine runs them.

**One implementation.** A batch is run by the same code as a single run:
:class:`~sim.model.CompoundModel` built with the run's seed and stepped with
:meth:`~sim.model.CompoundModel.run`. ``CompoundModel(scn, rng=seed).run(120)`` and a batch
of one are the same call; there is no second engine beside ``CompoundModel.step``.

**Independence.** Every run has its own generator, seeded once from its own seed
(:func:`sim.seeding.make_rng`), and nothing is shared between the runs of a batch but the
validated scenario (immutable). So a run's data do not depend on the batch it ran in — its
size, its companions, their order — nor on the worker (``tests/test_batch.py`` runs every
design on every community preset in batches of 1, 3 and 8 with shuffled seeds against
single runs).

**Where a replicate axis would go.** Every draw made while stepping already names its run
(:mod:`sim.runs`, decisions §61), the first piece of such an axis; the rest is audited in
§61. Today the runs of a batch are still advanced one after the other: a batch amortises the
per-task costs (scheduling, pickling, resolving the scenario), not the per-month numpy call
overhead. Advancing the runs of a batch together (state arrays with a run axis, each run's
draws from its own generator) would amortise that too; it would
be implemented here, behind the same signature, so callers would not change. What it could
gain is measured by ``benchmarks/bench_throughput.py --estimate``: K copies of
``generic_old_compound`` in one community cost, per compound-run, about 1/5 of one compound
at K = 8 and 1/10 at K = 32 (the month's ~1,200 numpy calls are paid once for all K).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.config import Scenario

BATCH_SIZE = 8
"""Runs per batch at most (the executors' default): enough to amortise a task's costs, few
enough that a sweep of a few seeds per sample still spreads over every worker."""


MERGE_HOUSEHOLDS = 100_000
"""Households a merged group of runs holds at most: runs of small and medium communities are
advanced together (:mod:`sim.replicates`), where the month's fixed cost of ~1,350 numpy calls
dominates; a large community's run is already dominated by its arrays and runs alone, so a
batch never holds several large communities' state at once."""


def run_batch(scenario: Scenario, seeds: Sequence[int], steps: int | None = None, *,
              each: Callable[[int, Any], Any] | None = None, merge: bool = True) -> list[Any]:
    """Run one scenario once per seed; each run's data as ``CompoundModel(scenario, rng=seed)``'s.

    Runs are built one by one, each with its own seed; where the design's institutions
    can be (every institution declares its replicate axis), they are merged into groups of
    at most :data:`MERGE_HOUSEHOLDS` households and advanced together
    (:func:`sim.replicates.merge`), else one after another.

    Args:
        scenario: The scenario every run of the batch shares.
        seeds: One seed per run, in any order (the order changes no run's data).
        steps: Months per run (default the scenario's ``run.steps``).
        each: Called with ``(index, run)`` as each run ends; its result is returned in
            place of the run, so a caller that only keeps a run's outputs (a part file)
            does not hold a batch of runs in memory.
        merge: Advance runs together where possible; ``False`` runs each alone and returns
            full models.

    Returns:
        Per seed, in the order given: the finished run — a :class:`~sim.model.CompoundModel`
        if it ran alone, a :class:`~sim.replicates.RunResult` (its outputs) if it was merged
        — or what ``each`` returned.

    Raises:
        ConfigError: For a bad seed or ``steps``, or a scenario the model refuses.
    """
    from sim import replicates
    from sim.model import CompoundModel

    out: list[Any] = []
    for group in _groups(scenario, seeds, merge):
        if len(group) == 1:
            model = CompoundModel(scenario, rng=group[0])
            finished: list[Any] = [model.run(steps)]
        else:
            models = [CompoundModel(scenario, rng=seed) for seed in group]
            if replicates.ready(models) is not None:  # an institution not yet on the axis
                finished = [m.run(steps) for m in models]
            else:
                merged = replicates.merge(models)
                del models
                finished = replicates.split(merged.run(steps))
        for run in finished:
            out.append(run if each is None else each(len(out), run))
    return out


def _groups(scenario: Scenario, seeds: Sequence[int], merge: bool) -> list[list[int]]:
    """The seeds in groups of runs advanced together (one run per group without ``merge``)."""
    if not merge or len(seeds) < 2:
        return [[seed] for seed in seeds]
    per_run = max(scenario.community.n_households, 1)
    size = max(1, MERGE_HOUSEHOLDS // per_run)
    return [list(seeds[i:i + size]) for i in range(0, len(seeds), size)]


def batches(runs: Iterable[dict[str, Any]], size: int = BATCH_SIZE,
            key: str = "sample") -> Iterator[list[dict[str, Any]]]:
    """Split runs into batches of consecutive runs that share ``key``, ``size`` runs at most.

    A plan lists the seeds of a sample one after the other (:mod:`sim.experiments.sampling`),
    so the batches are the seeds of one sample; runs of different samples never share one.

    Args:
        runs: The runs, in plan order (each a mapping with ``key``).
        size: Runs per batch at most (≥ 1).
        key: The field runs of a batch share.

    Raises:
        ConfigError: (field ``batch``) for a size that is not a whole number ≥ 1.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ConfigError("batch", f"must be a whole number ≥ 1 (got {size!r})")
    batch: list[dict[str, Any]] = []
    for run in runs:
        if batch and (len(batch) >= size or batch[0][key] != run[key]):
            yield batch
            batch = []
        batch.append(run)
    if batch:
        yield batch
