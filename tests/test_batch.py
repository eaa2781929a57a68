"""Batches of runs (:mod:`sim.batch`): a run's data do not depend on the batch or the worker.

Every design on every community preset (short runs) is run in batches of 1, 3 and 8 with
shuffled seeds and compared with single runs, output by output (timeseries, compound frame,
run scalars), bit for bit. The executors' tasks are batches: a sweep gives the same part
files whatever ``--workers`` and the batch size.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import sim
from sim import batch as batch_module
from sim.batch import BATCH_SIZE, MERGE_HOUSEHOLDS, batches, merge_size, run_batch
from sim.config import load_config, preset_names
from sim.errors import ConfigError
from sim.experiments.executors import (
    Executor,
    fingerprint_runs,
    make_job,
)
from sim.experiments.executors import (
    run_batch as run_sweep_batch,
)
from sim.experiments.sampling import build_plan
from sim.experiments.spec import load_sweep
from sim.experiments.storage import part_files

STEPS = 6
SEEDS = [11, 3, 7, 0, 42, 5, 19, 8]


def outputs(model: sim.CompoundModel) -> dict[str, Any]:
    """Everything a run reports: timeseries, compound frame and run scalars."""
    return {"timeseries": model.datacollector.get_model_vars_dataframe(),
            "compounds": model.compound_dataframe(),
            "scalars": (model.seed, model.steps, model.population.n, model.n_compounds,
                        model.firm_entries, model.firm_exits)}


def assert_same(a: dict[str, Any], b: dict[str, Any]) -> None:
    pd.testing.assert_frame_equal(a["timeseries"], b["timeseries"], check_exact=True)
    pd.testing.assert_frame_equal(a["compounds"], b["compounds"], check_exact=True)
    assert a["scalars"] == b["scalars"]


@pytest.mark.parametrize("community", preset_names("communities"))
@pytest.mark.parametrize("design", preset_names("designs"))
def test_batch_gives_every_run_its_single_run_data(design, community):
    scn = load_config({"design": design, "community": community})
    single = {seed: outputs(sim.CompoundModel(scn, rng=seed).run(STEPS)) for seed in SEEDS}
    order = random.Random(f"{design}/{community}")
    for size in (1, 3, 8):
        seeds = order.sample(SEEDS, size)
        got = run_batch(scn, seeds, STEPS, each=lambda _i, m: outputs(m))
        assert len(got) == size
        for seed, out in zip(seeds, got, strict=True):
            assert_same(out, single[seed])


def test_run_batch_returns_models_in_seed_order():
    scn = load_config({"design": "baseline"})
    models = run_batch(scn, [5, 2], 2)
    assert [m.seed for m in models] == [5, 2] and all(m.steps == 2 for m in models)
    assert run_batch(scn, [], 2) == []


def test_batches_split_by_sample_and_size():
    runs = [{"run_id": f"{i:02d}", "sample": i // 4} for i in range(10)]
    got = [[r["run_id"] for r in b] for b in batches(runs, 3)]
    assert got == [["00", "01", "02"], ["03"], ["04", "05", "06"], ["07"], ["08", "09"]]
    assert [len(b) for b in batches(runs, BATCH_SIZE)] == [4, 4, 2]
    assert sum(len(b) for b in batches(runs, 1)) == 10


def test_batches_are_capped_by_the_limit_of_their_first_run():
    runs = [{"run_id": f"{i:02d}", "sample": i // 5, "cap": 2 if i < 5 else 9}
            for i in range(10)]
    got = [len(b) for b in batches(runs, 4, limit=lambda run: run["cap"])]
    assert got == [2, 2, 1, 4, 1]  # sample 0 by its cap of 2, sample 1 by the size of 4
    assert [len(b) for b in batches(runs, 4, limit=lambda run: 0)] == [1] * 10  # at least 1


def test_merge_size_follows_merge_households():
    assert merge_size(200) == MERGE_HOUSEHOLDS // 200
    assert merge_size(5_188) == 19  # Heping Road: 19 runs merged at most
    assert merge_size(MERGE_HOUSEHOLDS + 1) == 1
    assert merge_size(0) == MERGE_HOUSEHOLDS


def test_tasks_of_a_large_community_hold_what_the_engine_merges(tmp_path, monkeypatch):
    """A task never holds more runs than one merged group: a larger one would share nothing
    more, and only make the progress bar and ``--resume`` coarser."""
    from sim.experiments import executors

    sizes: list[int] = []
    monkeypatch.setattr(batch_module, "MERGE_HOUSEHOLDS", 2 * 200)  # 2 runs of 200 households

    def counting(job, runs):
        sizes.append(len(runs))
        return executors.run_batch(job, runs)

    sweep = load_sweep(TINY)
    plan = build_plan(sweep)
    job = make_job(sweep, plan, tmp_path)
    runs = fingerprint_runs(job, plan.runs)
    (tmp_path / "runs").mkdir(parents=True)
    with Executor(1, batch=8) as executor:
        assert executor.run(job, runs, progress=False, func=counting) == len(runs)
    assert sizes == [2, 1] * 4  # 4 samples of 3 seeds, at most 2 runs a task


@pytest.mark.parametrize("size", [0, -1, 1.5, True, "2"])
def test_bad_batch_size_is_refused_naming_the_option(size):
    with pytest.raises(ConfigError, match="batch"):
        list(batches([{"sample": 0}], size))
    with pytest.raises(ConfigError, match="batch"):
        Executor(1, batch=size)


TINY: dict[str, Any] = {
    "kind": "sweep", "name": "tiny-batch", "base": "baseline",
    "set": {"community": "generic_old_compound"}, "steps": 4,
    "outcomes": ["contribution_rate"], "outcome_months": 2,
    "uncertainties": {"behaviour.weights.face": {"low": 0.0, "high": 3.0}},
    "levers": {"design": {"values": ["baseline", "nanan_131"]}},
    "sampler": {"method": "latin", "n": 2, "seed": 0},
    "seeds": [4, 1, 9],
}
"""12 runs (4 samples × 3 seeds) of 4 months."""


def _sweep_parts(out: Path, workers: int, batch: int) -> dict[str, pd.DataFrame]:
    sweep = load_sweep(TINY)
    plan = build_plan(sweep)
    job = make_job(sweep, plan, out)
    runs = fingerprint_runs(job, plan.runs)
    (out / "runs").mkdir(parents=True)
    with Executor(workers, batch=batch) as executor:
        assert executor.run(job, runs, progress=False) == len(runs)
    return {p.name: pd.read_parquet(p) for p in part_files(out)}


def test_sweep_parts_do_not_depend_on_workers_or_batch_size(tmp_path):
    reference = _sweep_parts(tmp_path / "ref", 1, 1)
    assert len(reference) == 12
    for workers, batch in ((1, 3), (1, 8), (2, 2), (2, 8)):
        got = _sweep_parts(tmp_path / f"w{workers}b{batch}", workers, batch)
        assert got.keys() == reference.keys()
        for name, frame in reference.items():
            pd.testing.assert_frame_equal(got[name], frame, check_exact=True)


def test_a_batch_must_be_one_sample(tmp_path):
    sweep = load_sweep(TINY)
    plan = build_plan(sweep)
    job = make_job(sweep, plan, tmp_path)
    with pytest.raises(ValueError, match="one sample"):
        run_sweep_batch(job, [plan.runs[0], plan.runs[3]])
