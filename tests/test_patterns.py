"""Patterns 1 and 2 of DOMAIN.md emerge under the documented defaults.

Each test runs the baseline design on the Heping Road community for 120
months over 20 seeds (the seed is the unit of replication) and applies a
one-sided Wilcoxon signed-rank test at α = 0.01 to per-seed statistics. Each
pattern also has a negative control: a scenario in which the mechanism is
switched off, where the same statistic must *not* show the pattern — so the
test can fail, and nothing in the code writes the outcome.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.patterns import firm_exit_events, retained_after_renovation
from tests.conftest import SEEDS, tracked_runs

ALPHA = 0.01
pytestmark = pytest.mark.slow


def run_all(scn: sim.Scenario) -> list[sim.CompoundModel]:
    models = []
    for seed in SEEDS:
        model = sim.CompoundModel(scn, rng=seed)
        model.run(120)
        models.append(model)
    return models


@pytest.fixture(scope="module")
def baseline_heping() -> list[sim.CompoundModel]:
    return [run.model for run in tracked_runs("baseline")]


# ----------------------------------------------------------------------------- pattern 1


def test_pattern1_rebound_after_renovation(baseline_heping):
    """整治 → 反弹: four years after a campaign, less than half of its lift remains.

    Test: one-sided Wilcoxon signed-rank of (retained share − 0.5) over 20 seeds.
    """
    retained = np.array([retained_after_renovation(m) for m in baseline_heping])
    assert not np.isnan(retained).any(), "no compound was renovated"
    result = stats.wilcoxon(retained - 0.5, alternative="less")
    print(f"retained share of lift after 47 months: median {np.median(retained):.3f}, "
          f"p = {result.pvalue:.2g}")
    assert result.pvalue < ALPHA
    assert np.median(retained) < 0.5


def test_pattern1_dependence_grows(baseline_heping):
    """等靠要 grows under the administrative mode: dependence at month 120 > month 0.

    Test: one-sided Wilcoxon signed-rank, paired by seed.
    """
    frames = [m.datacollector.get_model_vars_dataframe() for m in baseline_heping]
    start = np.array([f["dependence"].iloc[0] for f in frames])
    end = np.array([f["dependence"].iloc[-1] for f in frames])
    result = stats.wilcoxon(end, start, alternative="greater")
    print(f"dependence {start.mean():.3f} → {end.mean():.3f}, p = {result.pvalue:.2g}")
    assert result.pvalue < ALPHA


def test_pattern1_negative_control_without_decay_there_is_no_rebound():
    """With no decay the lift stays: the rebound statistic must not be significant."""
    scn = sim.load_config("configs/designs/baseline.yaml").override({
        "community": "heping_road", "economy.decay": 0.0, "economy.violation_decay": 0.0})
    retained = np.array([retained_after_renovation(m) for m in run_all(scn)])
    assert not np.isnan(retained).any(), "no compound was renovated"
    assert stats.wilcoxon(retained - 0.5, alternative="less").pvalue > ALPHA
    assert np.median(retained) > 0.9


# ----------------------------------------------------------------------------- pattern 2


@pytest.fixture(scope="module")
def exit_events(baseline_heping) -> pd.DataFrame:
    per_seed = []
    for seed, model in zip(SEEDS, baseline_heping, strict=True):
        events = firm_exit_events(model)
        if len(events):
            per_seed.append(events.mean().rename(seed))
    return pd.DataFrame(per_seed)


def test_pattern2_firms_exit_after_collection_falls(exit_events):
    """无钱管 → 弃管: collection in the year before an exit is below the first year's.

    Test: one-sided Wilcoxon signed-rank over per-seed means of exit events;
    at least 15 of 20 seeds must have an exit.
    """
    assert len(exit_events) >= 15
    result = stats.wilcoxon(exit_events["collection_before_exit"],
                            exit_events["collection_first_year"], alternative="less")
    print(f"collection {exit_events['collection_first_year'].mean():.3f} → "
          f"{exit_events['collection_before_exit'].mean():.3f} before exit, "
          f"p = {result.pvalue:.2g}")
    assert result.pvalue < ALPHA


def test_pattern2_condition_falls_and_grievance_rises_after_exit(exit_events):
    """弃管 → condition falls, grievance rises, in the two years after an exit."""
    q = stats.wilcoxon(exit_events["condition_after"], exit_events["condition_at_exit"],
                       alternative="less")
    g = stats.wilcoxon(exit_events["grievance_after"], exit_events["grievance_at_exit"],
                       alternative="greater")
    print(f"condition p = {q.pvalue:.2g}, grievance p = {g.pvalue:.2g}")
    assert q.pvalue < ALPHA
    assert g.pvalue < ALPHA


def test_pattern2_abandoned_compounds_petition_more(exit_events):
    """→ 上访: after an exit, households petition more than in same-kind compounds
    that kept their firm over the same months (difference in petitions per household).
    """
    paired = exit_events.dropna(subset=["petitions_after_controls"])
    assert len(paired) >= 15
    result = stats.wilcoxon(paired["petitions_after"], paired["petitions_after_controls"],
                            alternative="greater")
    print(f"petitions per household in 24 months: {paired['petitions_after'].mean():.4f} vs "
          f"{paired['petitions_after_controls'].mean():.4f} (kept firm), p = {result.pvalue:.2g}")
    assert result.pvalue < ALPHA


def test_pattern2_negative_control_affordable_fees_keep_firms():
    """If the fee covers the firm's costs at low collection, firms (almost) never exit."""
    scn = sim.load_config("configs/designs/baseline.yaml").override({
        "community": "heping_road", "economy.firm_fee": 12.0, "economy.firm_fixed_cost": 0.0,
        "economy.firm_exit_collection": 0.2})
    exits = [m.firm_exits for m in run_all(scn)]
    assert np.mean(exits) < 1.0
