"""The replicate axis (:mod:`sim.replicates`): runs advanced together give each run's own data.

Consistency check: every design on every community preset, over a whole run (120 months:
campaigns at months 24, 72 and 120, elections' terms, turnover, congresses), merged three runs
at a time, gives each run exactly — bit for bit — the monthly community values, the
per-compound values and the firm counters it gives alone. The merge refuses what it cannot
join (an undeclared field, an institution without a replicate axis, runs of different
scenarios), and a batch then runs its runs one after another.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim import batch, replicates
from sim.config import load_config, preset_names
from sim.institutions.registry import INSTITUTIONS
from sim.output import timeseries_frame
from sim.runs import RunAxisError, Runs

SEEDS = [5, 0, 12]


def outputs(run: object) -> tuple[pd.DataFrame, pd.DataFrame, tuple[int, ...]]:
    """What a run reports: its timeseries, its compound frame and its run scalars."""
    return (timeseries_frame(run), run.compound_dataframe(),  # type: ignore[attr-defined]
            (run.seed, run.steps, run.population.n, run.n_compounds,  # type: ignore[attr-defined]
             int(run.firm_entries), int(run.firm_exits)))  # type: ignore[attr-defined]


@pytest.mark.parametrize("community", preset_names("communities"))
@pytest.mark.parametrize("design", preset_names("designs"))
def test_merged_runs_give_each_run_its_data_alone(design, community):
    """Consistency check: a merged run's data are its data alone, over a whole run."""
    scn = load_config({"design": design, "community": community})
    alone = [outputs(sim.CompoundModel(scn, rng=seed).run()) for seed in SEEDS]
    merged = replicates.merge([sim.CompoundModel(scn, rng=seed) for seed in SEEDS])
    assert merged.runs.n == len(SEEDS)
    got = [outputs(run) for run in replicates.split(merged.run())]
    for (ts, comp, scalars), (ts2, comp2, scalars2) in zip(alone, got, strict=True):
        pd.testing.assert_frame_equal(ts, ts2, check_exact=True)
        pd.testing.assert_frame_equal(comp, comp2, check_exact=True)
        assert scalars == scalars2


def test_every_registered_institution_declares_its_replicate_axis():
    """Consistency check: no institution leaves a batch to run one run after another."""
    missing = [cls.name for cls in INSTITUTIONS if cls.replicate is None]
    assert missing == []


def test_a_merged_model_has_no_generator_of_its_own():
    """Every draw of a merged model names its run; the model's own generator refuses."""
    merged = replicates.merge([sim.CompoundModel("baseline", rng=s) for s in (1, 2)])
    with pytest.raises(RunAxisError, match=r"model\.runs"):
        merged.rng.random()


def test_an_undeclared_field_stops_the_merge_naming_it():
    models = [sim.CompoundModel("baseline", rng=s) for s in (1, 2)]
    for model in models:
        model.population.newly_added = np.zeros(model.population.n)
    with pytest.raises(RunAxisError, match=r"population\.newly_added has no declared replicate"):
        replicates.merge(models)


def test_runs_of_different_scenarios_or_already_stepped_are_refused():
    a = sim.CompoundModel("baseline", rng=1)
    b = sim.CompoundModel("nanan_131", rng=2)
    with pytest.raises(RunAxisError):
        replicates.merge([a, b])
    c = sim.CompoundModel("baseline", rng=3).run(1)
    with pytest.raises(RunAxisError, match="not yet stepped"):
        replicates.merge([a, c])
    with pytest.raises(RunAxisError, match="two runs"):
        replicates.merge([a])


def test_an_institution_without_an_axis_is_refused_and_the_batch_runs_alone(monkeypatch):
    """Without a declared axis, merge refuses by name and a batch runs one run at a time."""
    campaign = next(cls for cls in INSTITUTIONS if cls.name == "renovation_campaign")
    monkeypatch.setattr(campaign, "replicate", None)
    scn = load_config("baseline")
    models = [sim.CompoundModel(scn, rng=s) for s in (1, 2)]
    assert replicates.ready(models) == "renovation_campaign declares no replicate axis"
    with pytest.raises(RunAxisError, match="renovation_campaign"):
        replicates.merge(models)
    runs = batch.run_batch(scn, [1, 2], 30)
    assert all(isinstance(run, sim.CompoundModel) for run in runs)
    for seed, run in zip((1, 2), runs, strict=True):
        alone = sim.CompoundModel(scn, rng=seed).run(30)
        pd.testing.assert_frame_equal(timeseries_frame(run), timeseries_frame(alone))


def test_a_batch_merges_within_the_household_limit(monkeypatch):
    scn = load_config({"design": "baseline", "community": "generic_old_compound"})
    assert batch._groups(scn, [1, 2, 3], merge=False) == [[1], [2], [3]]
    monkeypatch.setattr(batch, "MERGE_HOUSEHOLDS", 2 * scn.community.n_households)
    assert batch._groups(scn, [1, 2, 3, 4, 5], merge=True) == [[1, 2], [3, 4], [5]]
    runs = batch.run_batch(scn, [1, 2, 3], 12)
    assert [type(run).__name__ for run in runs] == ["RunResult", "RunResult", "CompoundModel"]
    assert [run.seed for run in runs] == [1, 2, 3]


# ---------------------------------------------------------------------------- runs' gates


def test_where_and_random_where_draw_only_for_the_open_runs():
    gens = [np.random.default_rng(s) for s in (1, 2, 3)]
    runs = Runs(gens, [2, 3, 1], [1, 2, 1])
    assert runs.where(np.array([True, True, True]), runs.households) is None
    where = runs.where(np.array([True, False, True]), runs.households)
    np.testing.assert_array_equal(where, [True, True, False, False, False, True])
    got = runs.random_where(runs.households, where)
    np.testing.assert_array_equal(got[2:5], 1.0)  # the shut run's fill, nothing drawn
    np.testing.assert_array_equal(got[:2], np.random.default_rng(1).random(2))
    np.testing.assert_array_equal(got[5:], np.random.default_rng(3).random(1))
    assert gens[1].random() == np.random.default_rng(2).random()  # run 1 drew nothing


def test_counts_and_gates_per_run():
    runs = Runs([np.random.default_rng(0)] * 2, [3, 2], [2, 1])
    mask = np.array([True, False, True])
    np.testing.assert_array_equal(runs.count(mask), [1, 1])
    np.testing.assert_array_equal(runs.touched(np.array([False, False, True])), [False, True])
    np.testing.assert_array_equal(
        runs.count(np.array([True, True, False, False, True]), runs.households), [2, 1])
    one = Runs.single(np.random.default_rng(0), 5, 3)
    assert one.count(mask) == 2 and isinstance(one.count(mask), int)
    assert one.household_slices == (slice(None),)
    assert runs.household_slices == (slice(0, 3), slice(3, 5))
