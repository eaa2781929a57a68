"""A batch of runs: the unit of work of sweeps, comparisons and the analyses built on them.

Researchers' work is many runs of small communities (a sweep's ``seeds``, a comparison's
many seeds per design, ``sim explain``'s seeds per coalition and parameter set). The
executors (:mod:`sim.experiments.executors`) therefore send a *batch* of runs per task — the
seeds of one sample, which share one resolved scenario — and :func:`run_batch` is where the
engine runs them.

**One implementation.** A batch is run by the same code as a single run:
:class:`~sim.model.CompoundModel` built with the run's seed and stepped with
:meth:`~sim.model.CompoundModel.run` — merged runs too, whose model is a ``CompoundModel``
holding several runs. ``CompoundModel(scn, rng=seed).run(120)`` and a batch of one are the
same call; there is no second engine beside ``CompoundModel.step``.

**Independence.** Every run has its own generator, seeded once from its own seed
(:func:`sim.seeding.make_rng`), and no run of a batch reads another's state (merged runs
share one model, each with its own rows of every array). So a run's data do not depend on
the batch it ran in — its
size, its companions, their order — nor on the worker (``tests/test_batch.py`` runs every
design on every community preset in batches of 1, 3 and 8 with shuffled seeds against
single runs).

**The replicate axis.** A batch's runs are built one by one, each with its own seed, and
then merged into one model that advances them together (:mod:`sim.replicates`): each month's
~1,350 numpy calls are paid once for the whole batch instead of once per run, and every run's
data are still exactly its data alone (``tests/test_replicates.py``). Runs of large
communities, whose cost is their arrays, are not merged (:data:`MERGE_HOUSEHOLDS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.config import Scenario

BATCH_SIZE = 64
"""Runs per batch at most (the executors' default). A batch is the seeds of one sample, and
they are advanced together (:mod:`sim.replicates`): the more of them, the more of the month's
fixed cost is shared (64 ``nanan_131`` runs on ``generic_old_compound`` cost 27 ms a run
against 130 alone, 8 of them 44 ms, on 12-05; decisions §63). The executors make batches
smaller when there are fewer runs than workers × 64, so that every worker still has work, and
when the community is large enough that fewer runs are merged (:func:`merge_size`); a run's
data never depend on the batch."""


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


def merge_size(households: int) -> int:
    """Runs of a community of ``households`` households merged together at most (≥ 1)."""
    return max(1, MERGE_HOUSEHOLDS // max(int(households), 1))


def _groups(scenario: Scenario, seeds: Sequence[int], merge: bool) -> list[list[int]]:
    """The seeds in groups of runs advanced together (one run per group without ``merge``)."""
    if not merge or len(seeds) < 2:
        return [[seed] for seed in seeds]
    size = merge_size(scenario.community.n_households)
    return [list(seeds[i:i + size]) for i in range(0, len(seeds), size)]


def batches(runs: Iterable[dict[str, Any]], size: int = BATCH_SIZE,
            key: str = "sample", limit: Callable[[dict[str, Any]], int] | None = None
            ) -> Iterator[list[dict[str, Any]]]:
    """Split runs into batches of consecutive runs that share ``key``, ``size`` runs at most.

    A plan lists the seeds of a sample one after the other (:mod:`sim.experiments.sampling`),
    so the batches are the seeds of one sample; runs of different samples never share one.

    Args:
        runs: The runs, in plan order (each a mapping with ``key``).
        size: Runs per batch at most (≥ 1).
        key: The field runs of a batch share.
        limit: A smaller cap for a batch, from its first run (the executors pass the
            merge size of the run's community, :func:`merge_size`: a batch larger than
            that shares nothing more, and only makes progress and ``--resume`` coarser).

    Raises:
        ConfigError: (field ``batch``) for a size that is not a whole number ≥ 1.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ConfigError("batch", f"must be a whole number ≥ 1 (got {size!r})")
    batch: list[dict[str, Any]] = []
    cap = size
    for run in runs:
        if batch and (len(batch) >= cap or batch[0][key] != run[key]):
            yield batch
            batch = []
        if not batch:
            cap = size if limit is None else max(1, min(size, limit(run)))
        batch.append(run)
    if batch:
        yield batch
