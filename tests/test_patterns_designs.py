"""Patterns of the governance designs (DOMAIN.md patterns 3–6) and the 移民小区 case.

Each pattern test runs designs on the same community over 20 seeds (paired by seed: the
same seed gives the same households and network) and applies a one-sided Wilcoxon
signed-rank test at α = 0.01 to per-seed statistics; the effect size printed is the
median paired difference. Nothing in the code writes these outcomes: they come from the
institutions' mechanisms under the documented defaults.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.patterns import (
    STACKS,
    allocation_run,
    face_effect,
    retained_after_renovation,
    stacked_condition,
)
from tests.conftest import SEEDS, tracked_runs

ALPHA = 0.01
pytestmark = pytest.mark.slow


def paired(a: np.ndarray, b: np.ndarray, alternative: str) -> tuple[float, float]:
    """One-sided Wilcoxon signed-rank p-value and median paired difference a − b."""
    return stats.wilcoxon(a, b, alternative=alternative).pvalue, float(np.median(a - b))


def frames(design: str) -> list[pd.DataFrame]:
    return [run.model.datacollector.get_model_vars_dataframe() for run in tracked_runs(design)]


# ----------------------------------------------------------------------------- pattern 3


def test_pattern3_131_sustains_condition_after_renovation():
    """131: four years after a campaign more of the lift remains than under the baseline."""
    base = np.array([retained_after_renovation(r.model) for r in tracked_runs("baseline")])
    n131 = np.array([retained_after_renovation(r.model) for r in tracked_runs("nanan_131")])
    p, effect = paired(n131, base, "greater")
    print(f"retained share of lift: 131 {np.median(n131):.2f} vs baseline "
          f"{np.median(base):.2f}, median difference {effect:.2f}, p = {p:.2g}")
    assert p < ALPHA
    assert np.median(n131) >= 0.5


def test_pattern3_131_lowers_petitions():
    """Petitions over ten years are fewer under 131 than under the baseline."""
    base = np.array([f["petitions"].sum() for f in frames("baseline")])
    n131 = np.array([f["petitions"].sum() for f in frames("nanan_131")])
    p, effect = paired(n131, base, "less")
    print(f"petitions in 120 months: 131 {np.median(n131):.0f} vs baseline "
          f"{np.median(base):.0f}, median difference {effect:.0f}, p = {p:.2g}")
    assert p < ALPHA


def test_pattern3_131_self_funded_share_rises():
    """以院养院: under 131 the self-funded share of years 8–10 exceeds that of years 2–4,
    and exceeds the baseline's."""
    early = np.array([f["self_funded_share"].iloc[12:48].mean() for f in frames("nanan_131")])
    late = np.array([f["self_funded_share"].iloc[84:120].mean() for f in frames("nanan_131")])
    base = np.array([f["self_funded_share"].iloc[84:120].mean() for f in frames("baseline")])
    p_rise, rise = paired(late, early, "greater")
    p_base, gap = paired(late, base, "greater")
    print(f"self-funded share under 131: {np.median(early):.2f} → {np.median(late):.2f} "
          f"(+{rise:.2f}, p = {p_rise:.2g}); baseline late {np.median(base):.2f} "
          f"(gap {gap:.2f}, p = {p_base:.2g})")
    assert p_rise < ALPHA
    assert p_base < ALPHA


def test_pattern3_former_petitioners_become_participants():
    """"不断上访的骨干分子…主动参加矛盾纠纷调解": households that petitioned in the first three
    years take part in deliberation more in the next three under 131 than under the baseline.
    """
    def rate(design: str) -> np.ndarray:
        return np.array([run.participation_later[run.petitioned_early].mean() / 36
                         for run in tracked_runs(design)])

    base, n131 = rate("baseline"), rate("nanan_131")
    p, effect = paired(n131, base, "greater")
    print(f"participation of former petitioners: 131 {np.median(n131):.3f} vs baseline "
          f"{np.median(base):.3f}, median difference {effect:.3f}, p = {p:.2g}")
    assert p < ALPHA


# ----------------------------------------------------------------------------- 移民小区


def lights_outcome(design: str) -> pd.DataFrame:
    """When and how the lights broken at month 0 (matter id 0) were repaired, per seed."""
    rows = []
    for seed in SEEDS:
        model = sim.CompoundModel(sim.load_config(f"configs/designs/{design}.yaml")
                                  .override({"community": "yimin_compound"}), rng=seed)
        model.run(72)
        log = model.matters.log_frame()
        lights = log[log["id"] == 0]
        rows.append({"month": int(lights["resolved"].iloc[0]) if len(lights) else 10_000,
                     "handler": lights["handler"].iloc[0] if len(lights) else "open",
                     "paid": float(lights["paid"].iloc[0]) if len(lights) else np.nan,
                     "households": model.population.n})
    return pd.DataFrame(rows)


def test_yimin_lights_pooled_within_months_under_131():
    """Seed 001: the lights were fixed by pooled money, 3,000 yuan of materials for the
    compound, after several council meetings — within months, not years."""
    out = lights_outcome("nanan_131")
    print(out.describe().round(1).to_string())
    assert (out["handler"] == "residents").all()
    assert out["month"].median() <= 6
    assert (out["month"] <= 12).all()
    # Of the order the seed reports: 3,000 yuan for the compound (within a factor of two).
    assert 1500 <= out["paid"].median() <= 6000
    assert (out["paid"] / out["households"]).median() < 20


def test_yimin_lights_stay_open_for_years_under_baseline():
    """Under the baseline the same lights wait for government for years."""
    out = lights_outcome("baseline")
    print(out.describe().round(1).to_string())
    assert (out["handler"] != "residents").all()
    assert out["month"].median() >= 18
    assert (out["month"] <= 12).mean() <= 0.3


# ----------------------------------------------------------------------------- pattern 4


def test_pattern4_face_needs_visibility():
    """Face pressure raises contributions where neighbours can see (dense stairwell ties, or
    public rolls and online groups) and does little in a compound of strangers without them.
    """
    acquainted = face_effect(0.9, seeds=SEEDS)
    strangers = face_effect(0.0, seeds=SEEDS)
    rolls = face_effect(0.0, {"public_rolls": {}, "online_tools": {}}, SEEDS)
    zero = np.zeros(len(SEEDS))
    p_acq, eff_acq = paired(acquainted, zero, "greater")
    p_rolls, eff_rolls = paired(rolls, zero, "greater")
    p_gap, _ = paired(acquainted, strangers, "greater")
    print(f"effect of face on contribution: acquaintances {eff_acq:+.3f} (p = {p_acq:.2g}), "
          f"strangers {np.median(strangers):+.3f}, strangers with rolls and online groups "
          f"{eff_rolls:+.3f} (p = {p_rolls:.2g})")
    assert p_acq < ALPHA and p_rolls < ALPHA and p_gap < ALPHA
    assert abs(np.median(strangers)) < 0.25 * eff_acq


# ----------------------------------------------------------------------------- pattern 5

_ALLOC: dict[tuple[str, float], list[dict[str, float]]] = {}


def allocation_runs(allocation: str, incentive: float = 0.4) -> list[dict[str, float]]:
    """Per seed: self-organisation before the first campaign (month 24) and rebound after."""
    key = (allocation, incentive)
    if key in _ALLOC:
        return _ALLOC[key]
    _ALLOC[key] = [allocation_run(allocation, seed, incentive) for seed in SEEDS]
    return _ALLOC[key]


def column(rows: list[dict[str, float]], name: str) -> np.ndarray:
    return np.array([row[name] for row in rows])


@pytest.mark.parametrize("other", ["need", "equal"])
def test_pattern5_competition_self_organises_before_the_money(other):
    """Seed 000: money first to compounds that reach consensus, remove illegal structures,
    form a self-governance body and agree a plan — they organise before money arrives."""
    comp, rival = allocation_runs("competition"), allocation_runs(other)
    for name in ("committees", "participation", "compliance"):
        p, effect = paired(column(comp, name), column(rival, name), "greater")
        print(f"{name} before month 24: competition {np.median(column(comp, name)):.3f} vs "
              f"{other} {np.median(column(rival, name)):.3f} (difference {effect:+.3f}, "
              f"p = {p:.2g})")
        assert p < ALPHA


def test_pattern5_competition_rebounds_less_than_need():
    """The compounds competition funds keep more of their renovation than those need funds."""
    comp, need = allocation_runs("competition"), allocation_runs("need")
    p, effect = paired(column(comp, "retained"), column(need, "retained"), "greater")
    print(f"retained share of lift: competition {np.median(column(comp, 'retained')):.2f} vs "
          f"need {np.median(column(need, 'retained')):.2f} (difference {effect:+.2f}, "
          f"p = {p:.2g})")
    assert p < ALPHA


def test_pattern5_without_the_incentive_there_is_no_head_start():
    """Negative control: with no incentive before the money, the competition arm is the
    need arm until the first campaign, seed for seed (the head start is the incentive's
    doing: nothing else differs before money moves)."""
    comp, need = allocation_runs("competition", incentive=0.0), allocation_runs("need")
    for name in ("committees", "participation", "compliance"):
        np.testing.assert_array_equal(column(comp, name), column(need, name))


# ----------------------------------------------------------------------------- pattern 6

@pytest.fixture(scope="module")
def stacks() -> dict[str, np.ndarray]:
    return {name: stacked_condition(inst, SEEDS) for name, inst in STACKS.items()}


def test_pattern6_same_bodies_do_better_with_a_hub(stacks):
    """Seed 004's remedy: the same bodies joined by a hub (six-party linkage) beat them stacked."""
    p, effect = paired(stacks["hub"], stacks["many"], "greater")
    print(f"condition, last two years: hub {np.median(stacks['hub']):.3f} vs stacked "
          f"{np.median(stacks['many']):.3f} (difference {effect:+.3f}, p = {p:.2g})")
    assert p < ALPHA


def test_pattern6_stacking_bodies_without_a_hub_has_diminishing_returns(stacks):
    """Per body added, six more bodies without a hub gain less than the first two did."""
    first = (stacks["few"] - stacks["base"]) / 2
    more = (stacks["many"] - stacks["few"]) / 6
    p, _ = paired(more, first, "less")
    print(f"gain in condition per body: first two {np.median(first):+.4f}, next six "
          f"{np.median(more):+.4f} (p = {p:.2g})")
    assert p < ALPHA


# ----------------------------------------------------------------------------- five designs

DESIGNS = ("baseline", "nanan_131", "huli_six_party", "chongchuan_plus", "kunming_red_courtyard")
OUTCOMES = ("contribution_rate", "participation_rate", "condition", "trust", "dependence",
            "firm_present_share", "self_funded_share")


def test_five_designs_run_on_heping_road_and_differ():
    """All five seed designs run 120 months on Heping Road; no two give the same outcomes."""
    means = {}
    for design in DESIGNS:
        last_years = []
        for seed in range(3):
            model = sim.CompoundModel(sim.load_config(f"configs/designs/{design}.yaml")
                                      .override({"community": "heping_road"}), rng=seed)
            model.run(120)
            frame = model.datacollector.get_model_vars_dataframe()
            assert len(frame) == 121
            last_years.append(frame[list(OUTCOMES)].iloc[-12:].mean())
        means[design] = pd.concat(last_years, axis=1).mean(axis=1)
    table = pd.DataFrame(means).T
    print(table.round(3).to_string())
    for i, a in enumerate(DESIGNS):
        for b in DESIGNS[i + 1:]:
            assert (table.loc[a] - table.loc[b]).abs().max() > 0.02, (a, b)
