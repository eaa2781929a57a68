"""Patterns of the governance designs (DOMAIN.md patterns 3–6) and the 移民小区 case.

Each pattern test runs designs on the same community over 20 seeds (paired by seed: the
same seed gives the same households and network) and applies a one-sided Wilcoxon
signed-rank test at α = 0.01 to per-seed statistics; the effect size printed is the
median paired difference. Nothing in the code writes these outcomes. Each test's
docstring says what it is: a **Finding** (it emerges from interaction, and a negative
control that switches off the mechanism credited with it removes it) or a **Consistency
check** (it follows from an assumed form or an input, named there). Where the model
credits a different mechanism than the design's own account, the test says so.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

import sim
from sim.institutions.committees import CommitteeParams
from sim.mechanisms import mechanism
from sim.patterns import (
    ORDER_STACKS,
    STACKS,
    allocation_run,
    face_effect,
    retained_after_renovation,
    retained_lift_did,
    stacked_condition,
)
from tests.conftest import SEEDS, Tracked, document_says, tracked_runs

ROOT = Path(__file__).resolve().parents[1]

ALPHA = 0.01
pytestmark = pytest.mark.slow


def paired(a: np.ndarray, b: np.ndarray, alternative: str) -> tuple[float, float]:
    """One-sided Wilcoxon signed-rank p-value and median paired difference a − b."""
    return stats.wilcoxon(a, b, alternative=alternative).pvalue, float(np.median(a - b))


def frames(design: str) -> list[pd.DataFrame]:
    return [run.model.datacollector.get_model_vars_dataframe() for run in tracked_runs(design)]


# ----------------------------------------------------------------------------- pattern 3

NAN_AN = yaml.safe_load(Path("configs/designs/nanan_131.yaml").read_text(encoding="utf-8"))
THREE_BODIES = ("deliberation_council", "owners_committee", "supervisory_committee")
NO_MOBILISATION = dict(mechanism("mobilisation").switch)
"""Negative control of the branch's door-to-door mobilisation (the off switch of
:mod:`sim.mechanisms`: ``behaviour.weights.mobilisation = 0``): visits no longer move
choices."""

_VARIANTS: dict[str, list[Tracked]] = {}


def without_three_bodies() -> list[Tracked]:
    """131 without its council, owners' committee and supervisory committee (Heping Road)."""
    if "no_bodies" not in _VARIANTS:
        institutions = {k: v for k, v in NAN_AN["institutions"].items()
                        if k not in THREE_BODIES}
        scn = sim.load_config({"community": "heping_road", "design": {
            "name": "nanan_131_without_bodies", "institutions": institutions}})
        _VARIANTS["no_bodies"] = [Tracked(sim.CompoundModel(scn, rng=seed), 120)
                                  for seed in SEEDS]
    return _VARIANTS["no_bodies"]


def test_pattern3_131_sustains_condition_after_renovation():
    """131: four years after a campaign more of the lift remains than under the baseline.

    Finding: measured net of the common trend. Untreated compounds rise under 131 and fall
    under the baseline, so the plain retained share (0.95 vs 0.42) overstates the gap; the
    difference in differences is 0.74 vs 0.47. Whole-community condition of the last two
    years: 0.80 vs 0.55 (4 December 2026). What the model credits is not the branch's
    mobilisation, as it was before issue 12 (the strict expected failure below): without it
    131 keeps as much; without the three bodies it keeps less.
    """
    base = tracked_runs("baseline")
    n131 = tracked_runs("nanan_131")
    plain = [np.median([retained_after_renovation(r.model) for r in runs])
             for runs in (n131, base)]
    did_base = np.array([retained_lift_did(r.model) for r in base])
    did_131 = np.array([retained_lift_did(r.model) for r in n131])
    p, effect = paired(did_131, did_base, "greater")
    whole = [np.array([f["condition"].iloc[-24:].mean() for f in frames(design)])
             for design in ("nanan_131", "baseline")]
    p_whole, gain = paired(whole[0], whole[1], "greater")
    print(f"retained share of lift: plain 131 {plain[0]:.2f} vs baseline {plain[1]:.2f}; "
          f"net of trend 131 {np.median(did_131):.2f} vs baseline {np.median(did_base):.2f}, "
          f"median difference {effect:.2f}, p = {p:.2g}; whole community, last two years: "
          f"{np.median(whole[0]):.3f} vs {np.median(whole[1]):.3f} ({gain:+.3f}, "
          f"p = {p_whole:.2g})")
    assert p < ALPHA
    assert p_whole < ALPHA
    document_says("README.md", ("lift kept net of trend {0.74} vs {0.47}",
                                (np.median(did_131), np.median(did_base))))
    document_says("docs/ODD.md", (
        "(a) Retained share {0.95} vs {0.42}, net of trend {0.74} vs {0.47}; whole-community "
        "condition of the last two years {0.80} vs {0.55}",
        (*plain, np.median(did_131), np.median(did_base), *map(np.median, whole))))
    document_says("docs/mechanisms.md", (
        "of the month-24 renovation's lift, {95 %} remains 47 months later against {42 %}", plain),
        ("net of that trend it is {74 %} against {47 %} (whole-community condition of the last "
         "two years: {0.80} against {0.55})",
         (np.median(did_131), np.median(did_base), *map(np.median, whole))))


NO_LONGER = ("no longer holds since issue 12 (elections, reputation, congress, co-design, "
             "self-funded money, turnover); README patterns table and docs/decisions.md §46 "
             "give the figures. Kept, strict, so that the claim is re-examined if it returns")
"""Why a pattern test is an expected failure: the finding it states is not what the model now
gives. The check is kept as written (never weakened); ``strict`` makes a pass an error."""


@pytest.mark.xfail(strict=True, reason="finding reversed: without mobilisation 131 keeps 0.80 "
                   "of the lift net of trend (131 0.74, baseline 0.47); without the three "
                   "bodies 0.67, smaller (p = 9.5e-07) — " + NO_LONGER)
def test_pattern3_retention_comes_from_mobilisation_not_the_three_bodies():
    """Negative controls of the retention gain: switch off mobilisation, remove the bodies.

    Finding: with ``behaviour.weights.mobilisation = 0`` (party members still visit, but
    visits no longer move choices) 131's gain over the baseline net of trend is gone
    (0.34 vs 0.31, not significant); without the council, owners' committee and
    supervisory committee it is not smaller (0.59). So the model does not support the
    account that the three bodies and pooled money keep the renovation: the branch does.
    """
    base = np.array([retained_lift_did(r.model) for r in tracked_runs("baseline")])
    n131 = np.array([retained_lift_did(r.model) for r in tracked_runs("nanan_131")])
    no_mob = np.array([retained_lift_did(r.model)
                       for r in tracked_runs("nanan_131", changes=NO_MOBILISATION)])
    no_bodies = np.array([retained_lift_did(r.model) for r in without_three_bodies()])
    p_gone, gap = paired(no_mob, base, "greater")
    p_mob, _ = paired(n131, no_mob, "greater")
    p_bodies, _ = paired(no_bodies, n131, "less")
    print(f"retained net of trend: 131 {np.median(n131):.2f}, without mobilisation "
          f"{np.median(no_mob):.2f} (vs baseline {np.median(base):.2f}: {gap:+.2f}, "
          f"p = {p_gone:.2g}), without the three bodies {np.median(no_bodies):.2f} "
          f"(smaller? p = {p_bodies:.2g})")
    assert p_mob < ALPHA
    assert p_gone > ALPHA
    assert p_bodies > ALPHA


def test_pattern3_the_three_bodies_help_keep_a_renovation():
    """Without its three bodies 131 keeps less of the month-24 renovation's lift.

    Finding: negative control, 131 without its council, owners' committee and supervisory
    committee (triage, branch and covenant kept), the mechanism seed 001 credits with keeping
    the compound in repair ("三会"). The lift kept net of the common trend is smaller without
    them (0.67 against 0.74 over 20 seeds; measured first with the expected failure above).
    The bodies settle and fund small matters that would otherwise wear the compound down.
    """
    n131 = np.array([retained_lift_did(r.model) for r in tracked_runs("nanan_131")])
    no_bodies = np.array([retained_lift_did(r.model) for r in without_three_bodies()])
    p, effect = paired(no_bodies, n131, "less")
    print(f"retained net of trend: 131 {np.median(n131):.2f}, without the three bodies "
          f"{np.median(no_bodies):.2f} (median difference {effect:+.2f}, p = {p:.2g})")
    assert p < ALPHA
    document_says("README.md", ("without it 0.80, without the three bodies {0.67}",
                                (np.median(no_bodies),)))
    document_says("docs/mechanisms.md", (
        "retained renovation (without the three, {0.67} net of trend against {0.74})",
        (np.median(no_bodies), np.median(n131))))
    document_says("docs/ODD.md", (
        "without council, owners' committee and supervisory committee it is ({0.67})",
        (np.median(no_bodies),)))


def test_pattern3_131_lowers_petitions():
    """Petitions over ten years are fewer under 131 than under the baseline.

    Finding: negative control, 131 without its three bodies (council, owners' committee,
    supervisory committee; triage, branch and covenant kept). The reduction is gone: the
    bodies account for all of the gap (median share 1.09; petitions 172 with them, 2,019
    without, 1,824 under the baseline; 4 December 2026). The bodies settle small matters that
    triage takes away from government; without them those matters wait and grievance turns
    to petitions.
    """
    base = np.array([f["petitions"].sum() for f in frames("baseline")])
    n131 = np.array([f["petitions"].sum() for f in frames("nanan_131")])
    no_bodies = np.array([r.model.datacollector.get_model_vars_dataframe()["petitions"].sum()
                          for r in without_three_bodies()])
    p, effect = paired(n131, base, "less")
    p_ctrl, _ = paired(no_bodies, n131, "greater")
    share = np.median((no_bodies - n131) / (base - n131))
    print(f"petitions in 120 months: 131 {np.median(n131):.0f} vs baseline "
          f"{np.median(base):.0f}, median difference {effect:.0f}, p = {p:.2g}; without "
          f"the three bodies {np.median(no_bodies):.0f} (p = {p_ctrl:.2g}), share of the "
          f"gap {share:.2f}")
    assert p < ALPHA
    assert p_ctrl < ALPHA
    assert share > 0.5
    document_says("README.md", ("petitions over ten years {172} vs {1,824}",
                                (np.median(n131), np.median(base))))
    document_says("docs/ODD.md", ("(b) Petitions over ten years {172} vs {1,824}; without the "
                                  "three bodies {2,019} (the bodies: all of the gap)",
                                  (np.median(n131), np.median(base), np.median(no_bodies))))
    document_says("docs/mechanisms.md", ("petitions over ten years: {172} against {1,824}; "
                                         "without the three bodies {2,019}",
                                         (np.median(n131), np.median(base), np.median(no_bodies))))


@pytest.mark.xfail(strict=True, reason="the rise still holds (0.57 → 0.86, baseline 0.52), "
                   "but mobilisation is no longer credited with it: without mobilisation "
                   "0.51 → 0.80 (smaller rise? p = 0.25) — " + NO_LONGER)
def test_pattern3_131_self_funded_share_rises():
    """以院养院: under 131 the self-funded share of years 8–10 exceeds that of years 2–4,
    and exceeds the baseline's.

    Finding: what the model credits is the branch's mobilisation (more households pay
    their fees), not pooled money: with ``behaviour.weights.mobilisation = 0`` the rise
    halves (0.21 → 0.11), while 131 without its three bodies (no projects, no 打平伙)
    rises as much (0.54 → 0.78).
    """
    def shares(runs: list) -> tuple[np.ndarray, np.ndarray]:
        fs = [r.model.datacollector.get_model_vars_dataframe()["self_funded_share"]
              for r in runs]
        return (np.array([f.iloc[12:48].mean() for f in fs]),
                np.array([f.iloc[84:120].mean() for f in fs]))

    early, late = shares(tracked_runs("nanan_131"))
    _, base = shares(tracked_runs("baseline"))
    mob_early, mob_late = shares(tracked_runs("nanan_131", changes=NO_MOBILISATION))
    _, bodies_late = shares(without_three_bodies())
    p_rise, rise = paired(late, early, "greater")
    p_base, gap = paired(late, base, "greater")
    p_mob, _ = paired(late - early, mob_late - mob_early, "greater")
    p_bodies, _ = paired(late, bodies_late, "greater")
    print(f"self-funded share under 131: {np.median(early):.2f} → {np.median(late):.2f} "
          f"(+{rise:.2f}, p = {p_rise:.2g}); baseline late {np.median(base):.2f} "
          f"(gap {gap:.2f}, p = {p_base:.2g}); without mobilisation "
          f"{np.median(mob_early):.2f} → {np.median(mob_late):.2f} (smaller rise: "
          f"p = {p_mob:.2g}); without the three bodies late {np.median(bodies_late):.2f} "
          f"(131 higher? p = {p_bodies:.2g})")
    assert p_rise < ALPHA
    assert p_base < ALPHA
    assert p_mob < ALPHA
    assert p_bodies > ALPHA


def test_pattern3_former_petitioners_become_participants():
    """"不断上访的骨干分子…主动参加矛盾纠纷调解": households that petitioned in the first three
    years take part in deliberation more in the next three under 131 than under the baseline.

    Finding: negative control ``behaviour.weights.mobilisation = 0``; most of the gain is
    gone (0.263 → 0.091; baseline 0.056; 4 December 2026) — the branch's visits, which go
    first to those who lag, are what turns them.
    """
    def rate(runs: list[Tracked]) -> np.ndarray:
        return np.array([run.participation_later[run.petitioned_early].mean() / 36
                         for run in runs])

    base, n131 = rate(tracked_runs("baseline")), rate(tracked_runs("nanan_131"))
    no_mob = rate(tracked_runs("nanan_131", changes=NO_MOBILISATION))
    p, effect = paired(n131, base, "greater")
    p_ctrl, _ = paired(n131, no_mob, "greater")
    left = np.median(no_mob - base) / effect
    print(f"participation of former petitioners: 131 {np.median(n131):.3f} vs baseline "
          f"{np.median(base):.3f}, median difference {effect:.3f}, p = {p:.2g}; without "
          f"mobilisation {np.median(no_mob):.3f} (p = {p_ctrl:.2g}, {left:.0%} of the gain "
          f"left)")
    assert p < ALPHA
    assert p_ctrl < ALPHA
    assert left < 0.25
    document_says("README.md", ("({17 %} of the gain left without it)", (left,)))
    document_says("docs/ODD.md", (
        "(d) Former petitioners (months 1–36) take part in {26.3 %} of months 37–72 vs {5.6 %}; "
        "without mobilisation {9.1 %} ({17 %} of the gain left)",
        (np.median(n131), np.median(base), np.median(no_mob), left)))
    document_says("docs/mechanisms.md", ("deliberation in {26.3 %} of the months of the next three "
                                         "(baseline {5.6 %}; without mobilisation {9.1 %})",
                                         (np.median(n131), np.median(base), np.median(no_mob))))
    document_says("docs/mechanisms.md", ("extra participation ({17 %} of the gain is left)",
                                         (left,)))
    document_says("notebooks/03_yimin_lights.py", (
        "(with `behaviour.weights.mobilisation = 0` {17 %} of the gain is left)", (left,)))


# ----------------------------------------------------------------------------- 移民小区


def lights_outcome(design: str, institutions: dict | None = None) -> pd.DataFrame:
    """When and how the lights broken at month 0 (matter id 0) were repaired, per seed.

    ``institutions``, if given, replace the design's (a control without some of them).
    """
    rows = []
    for seed in SEEDS:
        if institutions is None:
            scn = sim.load_config(f"configs/designs/{design}.yaml").override(
                {"community": "yimin_compound"})
        else:
            scn = sim.load_config({"community": "yimin_compound", "design": {
                "name": design, "institutions": institutions}})
        model = sim.CompoundModel(scn, rng=seed)
        model.run(72)
        log = model.matters.log_frame()
        lights = log[log["id"] == 0]
        rows.append({"month": int(lights["resolved"].iloc[0]) if len(lights) else 10_000,
                     "handler": lights["handler"].iloc[0] if len(lights) else "open",
                     "paid": float(lights["paid"].iloc[0]) if len(lights) else np.nan,
                     "households": model.population.n})
    return pd.DataFrame(rows)


def test_yimin_lights_pooled_within_months_under_131():
    """Seed 001: the lights were fixed by pooled money after several council meetings —
    within months, not years.

    Finding: the timing. It takes a council quorum, an approval and enough paying
    households, each emerging month by month. Negative control: 131 without the body that
    pools the money (owners' committee, and the supervisory committee that needs it) —
    residents never fix the lights. Consistency check (the price): the cost paid is the
    input cost of lights (5,000 yuan) times fixed factors, (1 − ``price_saving``) and, when
    a volunteer electrician is found, (1 − ``labour_share``): 2,700 or 4,500 yuan. That
    it is near the seed's 3,000 is a choice of inputs, not a result.
    """
    out = lights_outcome("nanan_131")
    print(out.describe().round(1).to_string())
    assert (out["handler"] == "residents").all()
    assert out["month"].median() <= 6
    assert (out["month"] <= 12).all()
    scn = sim.load_config("configs/designs/nanan_131.yaml")
    lights = next(t for t in scn.matters.types if t.name == "lights")
    saving = CommitteeParams.model_validate(
        scn.design.institutions["owners_committee"]).price_saving
    by_form = {round(lights.cost * (1 - saving) * (1 - lights.labour_share), 6),
               round(lights.cost * (1 - saving), 6)}
    assert set(out["paid"].round(6)) <= by_form
    month = (out["month"].median(), out["month"].min(), out["month"].max())
    document_says("README.md", ("lights fixed by pooled money in month {2} ({2}–{8})", month),
                  ("the price, {2,700} yuan", (out["paid"].median(),)))
    document_says("docs/ODD.md", ("Under 131 residents repair them in all 20 seeds, month {2} "
                                  "({2}–{8}; measured 4 December 2026)", month),
                  ("The price, {2,700} yuan ({4,500} without a volunteer electrician)",
                   (out["paid"].min(), out["paid"].max())))
    document_says("docs/mechanisms.md", ("money in month {2} ({2}–{8} over the seeds)", month))
    no_committee = {k: v for k, v in NAN_AN["institutions"].items()
                    if k not in ("owners_committee", "supervisory_committee")}
    control = lights_outcome("nanan_131_without_committee", no_committee)
    print(control["handler"].value_counts().to_string())
    assert (control["handler"] != "residents").all()


@pytest.mark.xfail(strict=True, reason="median wait 14 months, not ≥ 18: government's pace "
                   "rises with petitions and participation (petition_boost), which the new "
                   "mechanisms raise; with turnover, reputation_loss, congress and gossip off "
                   "the median is 24 months (20 seeds) — " + NO_LONGER)
def test_yimin_lights_stay_open_for_years_under_baseline():
    """Under the baseline the same lights wait for government for years.

    Consistency check: government takes up a small matter with probability (about)
    1 / ``months_small`` = 1/36 a month — a median wait near two years by the assumed
    rate — unless the month-24 campaign (a quarter of campaigns, on one compound) clears it.
    """
    out = lights_outcome("baseline")
    print(out.describe().round(1).to_string())
    assert (out["handler"] != "residents").all()
    assert out["month"].median() >= 18
    assert (out["month"] <= 12).mean() <= 0.3


# ----------------------------------------------------------------------------- pattern 4


def test_pattern4_face_needs_visibility():
    """Face pressure raises contributions where neighbours can see (dense stairwell ties, or
    public rolls and online groups) and does nothing in a compound of strangers without them.

    Consistency check: the face term is w_face · sensitivity · visibility · (share seen
    acting − threshold), and visibility = ``behaviour.visibility.base`` (0) + ties +
    stairwell + the institutions' bonuses. Among strangers there are no ties and the base is
    0, so the term is 0 for every household and face on or off gives the same run: the
    "exactly 0.00" is the form, checked here exactly (every seed). Where households are
    seen, most see more neighbours paying than their threshold (start 0.7, mean threshold
    0.35), so face helps (+0.13 among acquaintances, +0.08 for strangers with public rolls
    and online groups): the sign follows from the form and the inputs; the sizes are
    measured, not predicted.
    """
    acquainted = face_effect(0.9, seeds=SEEDS)
    strangers = face_effect(0.0, seeds=SEEDS)
    rolls = face_effect(0.0, {"public_rolls": {}, "online_tools": {}}, SEEDS)
    zero = np.zeros(len(SEEDS))
    p_acq, eff_acq = paired(acquainted, zero, "greater")
    p_rolls, eff_rolls = paired(rolls, zero, "greater")
    print(f"effect of face on contribution: acquaintances {eff_acq:+.3f} (p = {p_acq:.2g}), "
          f"strangers {np.median(strangers):+.3f}, strangers with rolls and online groups "
          f"{eff_rolls:+.3f} (p = {p_rolls:.2g})")
    assert p_acq < ALPHA and p_rolls < ALPHA
    np.testing.assert_array_equal(strangers, zero)
    document_says("README.md", ("{+0.13} contribution among acquaintances", (eff_acq,)),
                  ("{+0.08} with public rolls and online groups", (eff_rolls,)))
    document_says("docs/ODD.md", ("Acquaintances (0.9): {+0.132}; strangers with `public_rolls` "
                                  "and `online_tools`: {+0.076}", (eff_acq, eff_rolls)))
    document_says("docs/mechanisms.md", ("by {+0.132} among acquaintances (`acquaintance` 0.9) and "
                                         "by {+0.076} among", (eff_acq, eff_rolls)))


# ----------------------------------------------------------------------------- pattern 5

_ALLOC: dict[tuple[str, float, bool], list[dict[str, float]]] = {}


def allocation_runs(allocation: str, incentive: float = 0.4,
                    everywhere: bool = False) -> list[dict[str, float]]:
    """Per seed: self-organisation before the first campaign (month 24) and rebound after.

    ``everywhere`` announces the incentive under any rule (``incentive_everywhere``).
    """
    key = (allocation, incentive, everywhere)
    if key not in _ALLOC:
        _ALLOC[key] = [allocation_run(allocation, seed, incentive, everywhere)
                       for seed in SEEDS]
    return _ALLOC[key]


def column(rows: list[dict[str, float]], name: str) -> np.ndarray:
    return np.array([row[name] for row in rows])


SELECTION_ONLY = ("competition", 0.0, False)
"""Competition's choice of ready compounds without its incentive."""
INCENTIVE_ONLY = ("need", 0.4, True)
"""Need-based allocation with competition's incentive announced everywhere."""


@pytest.mark.parametrize("other", ["need", "equal"])
def test_pattern5_competition_self_organises_before_the_money(other):
    """Seed 000: money first to compounds that reach consensus, remove illegal structures,
    form a self-governance body and agree a plan — they organise before money arrives.

    Finding: of the incentive, not of selection. The +0.4 utility on contributing, complying
    and taking part in every unrenovated compound raises participation until committees form
    (committees 1.00 vs 0.49 at month 23, 20 seeds). The control below shows that choosing ready
    compounds contributes nothing to it (no money has moved before month 24).
    """
    comp, rival = allocation_runs("competition"), allocation_runs(other)
    medians = []
    for name in ("committees", "participation", "compliance"):
        p, effect = paired(column(comp, name), column(rival, name), "greater")
        print(f"{name} before month 24: competition {np.median(column(comp, name)):.3f} vs "
              f"{other} {np.median(column(rival, name)):.3f} (difference {effect:+.3f}, "
              f"p = {p:.2g})")
        assert p < ALPHA
        medians += [np.median(column(comp, name)), np.median(column(rival, name))]
    if other == "need":
        document_says("README.md", ("committees everywhere before the money; need-based {49 %}",
                                    (medians[1],)))
        document_says("docs/ODD.md", ("committees {1.000} vs {0.486}, participation {0.174} vs "
                                      "{0.077}, compliance {0.926} vs {0.824}", medians))
        document_says("docs/mechanisms.md", (
            "competition gives committees in {1.000} of compounds against {0.486} under need and "
            "equal allocation, participation {0.174} against {0.077} and compliance {0.926} "
            "against {0.824}", medians))


def test_pattern5_without_the_incentive_there_is_no_head_start():
    """Negative controls of the head start, each way, seed for seed until month 24.

    Competition without its incentive (selection only) is the need arm; need with the
    incentive (``incentive_everywhere``) is the competition arm. So the head start is the
    incentive's doing, entirely.

    Finding: the negative controls of the head start (equality, seed for seed).
    """
    need, comp = allocation_runs("need"), allocation_runs("competition")
    selection, incentive = allocation_runs(*SELECTION_ONLY), allocation_runs(*INCENTIVE_ONLY)
    for name in ("committees", "participation", "compliance"):
        np.testing.assert_array_equal(column(selection, name), column(need, name))
        np.testing.assert_array_equal(column(incentive, name), column(comp, name))


@pytest.mark.xfail(strict=True, reason="finding reversed once competitors are ranked by the "
                   "readiness score: net of trend competition keeps 0.29, need 0.42 (p = 1); "
                   "selection only 0.51, incentive only 0.41 — " + NO_LONGER)
def test_pattern5_competition_rebounds_less_than_need():
    """The compounds competition funds keep more of their renovation than those need funds.

    Finding: of selection, net of the trend. Plain retained share: competition 0.47 vs need
    0.22 — but the incentive lifts untreated compounds too. Net of their trend (difference
    in differences) competition keeps 0.34 vs 0.28. Controls: selection alone (incentive
    0) keeps 0.54, more than need; the incentive alone (need with it) keeps 0.27, not more
    than need. So choosing ready compounds is what keeps the lift; the incentive does not.
    (Figures of the model before issue 12. Now, 20 seeds, 3 December 2026: retained 0.50 vs
    0.44; net of trend 0.29 vs 0.42; selection alone 0.51, incentive alone 0.41 — hence the
    strict expected failure.)
    """
    comp, need = allocation_runs("competition"), allocation_runs("need")
    selection, incentive = allocation_runs(*SELECTION_ONLY), allocation_runs(*INCENTIVE_ONLY)
    for measure in ("retained", "retained_did"):
        p, effect = paired(column(comp, measure), column(need, measure), "greater")
        print(f"{measure}: competition {np.median(column(comp, measure)):.2f}, need "
              f"{np.median(column(need, measure)):.2f} (difference {effect:+.2f}, "
              f"p = {p:.2g}); selection only {np.median(column(selection, measure)):.2f}, "
              f"incentive only {np.median(column(incentive, measure)):.2f}")
        assert p < ALPHA
    p_sel, _ = paired(column(selection, "retained_did"), column(need, "retained_did"),
                      "greater")
    p_inc, _ = paired(column(incentive, "retained_did"), column(need, "retained_did"),
                      "greater")
    assert p_sel < ALPHA
    assert p_inc > ALPHA


def test_pattern5_whole_community_gain_comes_from_the_incentive():
    """Whole-community condition over the last two years: competition 0.65 vs need 0.59.

    Finding: of the incentive, not of selection. Controls: the incentive alone (need with
    it) gives 0.70; selection alone (competition without it) gives 0.50, *less* than need
    (fewer compounds qualify, money is carried over). The claim that competition's choice
    of ready compounds improves the community is not supported; its announcement does.
    """
    comp, need = allocation_runs("competition"), allocation_runs("need")
    selection, incentive = allocation_runs(*SELECTION_ONLY), allocation_runs(*INCENTIVE_ONLY)
    p, effect = paired(column(comp, "condition"), column(need, "condition"), "greater")
    p_inc, _ = paired(column(incentive, "condition"), column(need, "condition"), "greater")
    p_sel, _ = paired(column(selection, "condition"), column(need, "condition"), "greater")
    print(f"condition, last two years: competition {np.median(column(comp, 'condition')):.3f}"
          f", need {np.median(column(need, 'condition')):.3f} ({effect:+.3f}, p = {p:.2g}); "
          f"incentive only {np.median(column(incentive, 'condition')):.3f} "
          f"(p = {p_inc:.2g}); selection only "
          f"{np.median(column(selection, 'condition')):.3f} (p = {p_sel:.2g})")
    assert p < ALPHA and p_inc < ALPHA
    assert p_sel > ALPHA
    figures = [np.median(column(runs, "condition")) for runs in (comp, need, incentive, selection)]
    document_says("README.md", ("({0.65} vs {0.59}; need with the incentive {0.70}; selection "
                                "alone {0.50})", figures))
    document_says("docs/ODD.md", ("Whole-community condition of the last two years {0.65} vs "
                                  "{0.59}: incentive only {0.70}, selection only {0.50}", figures))
    document_says("docs/mechanisms.md", ("last two years: competition {0.65}, need {0.59}; "
                                         "incentive only {0.70}, selection only {0.50}", figures))


# ----------------------------------------------------------------------------- pattern 6

@pytest.fixture(scope="module")
def stacks() -> dict[str, np.ndarray]:
    return {name: stacked_condition(inst, SEEDS) for name, inst in STACKS.items()}


CONTROL_SEEDS = SEEDS[:10]
"""Seeds of the link-cost controls of pattern 6 (enough for p < 0.01 paired; saves time)."""
NO_LINK_COST = {"coordination.cost_per_link": 0.0}
"""The link-counting cost alone: the hub's claim. (The ``coordination_cost`` switch of
:mod:`sim.mechanisms` also sets ``friction`` 0, which is about 一肩挑, not the hub.)"""


@pytest.fixture(scope="module")
def stacks_without_link_cost() -> dict[str, np.ndarray]:
    return {name: stacked_condition(STACKS[name], CONTROL_SEEDS, NO_LINK_COST)
            for name in ("few", "many", "hub")}


def test_pattern6_same_bodies_do_better_with_a_hub(stacks, stacks_without_link_cost):
    """Seed 004's remedy: the same bodies joined by a hub (six-party linkage) beat them stacked.

    Consistency check: the hub's only channels are the link-counting formula (k − 1 links
    instead of k(k − 1)/2, at ``coordination.cost_per_link`` each) and the firm's fixed cost
    × ``firm_cost_factor`` (0.9). Control: with ``cost_per_link = 0`` the gain (+0.028)
    shrinks to the firm's part (+0.001; 3 December 2026); with the firm factor at 1 as well,
    hub and stacked runs are bit-identical. So "integration beats stacking" is the assumed formula.
    """
    p, effect = paired(stacks["hub"], stacks["many"], "greater")
    free = stacks_without_link_cost
    left = float(np.median(free["hub"] - free["many"]))
    print(f"condition, last two years: hub {np.median(stacks['hub']):.3f} vs stacked "
          f"{np.median(stacks['many']):.3f} (difference {effect:+.3f}, p = {p:.2g}); "
          f"without link cost {left:+.4f}")
    assert p < ALPHA
    assert abs(left) < 0.1 * effect
    hub_many = (np.median(stacks["hub"]), np.median(stacks["many"]))
    document_says("README.md", ("the hub's edge ({0.712} vs {0.689}) is the link-counting formula "
                                "(with `coordination.cost_per_link=0` it is {+0.001})",
                                (*hub_many, left)))
    document_says("docs/ODD.md", ("Hub vs stacked {0.712} vs {0.689}", hub_many),
                  ("the gap is {+0.0012} (the firm-cost factor)", (left,)))
    hub = {**STACKS["hub"], "six_party_linkage": {"firm_cost_factor": 1.0}}
    changes = NO_LINK_COST
    np.testing.assert_array_equal(stacked_condition(hub, SEEDS[:2], changes),
                                  stacked_condition(STACKS["many"], SEEDS[:2], changes))


def test_pattern6_stacking_bodies_without_a_hub_has_diminishing_returns(
        stacks, stacks_without_link_cost):
    """Per body added, six more bodies without a hub gain less than the first two did.

    Finding: but not of coordination cost as claimed (意大利面條效應). With
    ``cost_per_link = 0`` the returns still diminish (first two +0.054 per body, next six
    +0.022; seeds 0–9; 3 December 2026). The link cost takes the six bodies' gain from +0.022
    to +0.006 per body: it is part of the pattern, not its cause. Why they diminish — the
    bodies added first already do much of what the later ones add — is shown by the next
    test, whose control is the order.
    """
    first = (stacks["few"] - stacks["base"]) / 2
    more = (stacks["many"] - stacks["few"]) / 6
    p, _ = paired(more, first, "less")
    n = len(CONTROL_SEEDS)
    free = stacks_without_link_cost
    free_first = (free["few"] - stacks["base"][:n]) / 2
    free_more = (free["many"] - free["few"]) / 6
    p_free, _ = paired(free_more, free_first, "less")
    p_cost, _ = paired(more[:n], free_more, "less")
    print(f"gain in condition per body: first two {np.median(first):+.4f}, next six "
          f"{np.median(more):+.4f} (p = {p:.2g}); without link cost {np.median(free_first):+.4f}"
          f", {np.median(free_more):+.4f} (p = {p_free:.2g}); link cost lowers the six's "
          f"gain (p = {p_cost:.2g})")
    assert p < ALPHA
    assert p_free < ALPHA
    assert p_cost < ALPHA
    document_says("docs/ODD.md", ("Gain per body: first two {+0.053}, next six {+0.006}; without "
                                  "link cost {+0.054} and {+0.022} (seeds 0–9)",
                                  tuple(map(np.median, (first, more, free_first, free_more)))))
    document_says("notebooks/04_integration_stacking.py", (
        "(pattern test: first two about {+0.054} per body, next six about {+0.022})",
        (np.median(free_first), np.median(free_more))))


@pytest.fixture(scope="module")
def order_stacks() -> dict[str, np.ndarray]:
    """The order control: each stack of :data:`sim.patterns.ORDER_STACKS` with and without
    the link cost (``free_`` prefix; the control seeds)."""
    out = {name: stacked_condition(inst, SEEDS) for name, inst in ORDER_STACKS.items()}
    out |= {f"free_{name}": stacked_condition(inst, CONTROL_SEEDS, NO_LINK_COST)
            for name, inst in ORDER_STACKS.items()}
    return out


def test_pattern6_the_bodies_added_first_take_the_larger_gain(stacks, stacks_without_link_cost,
                                                              order_stacks):
    """Which bodies come first decides the gain per body; the returns' sign depends on order.

    Finding: bodies overlap, which is why returns diminish. The five bodies that need neither
    the branch nor the owners' committee (council, social organisation, co-building council and
    units, stairwell leaders) gain +0.036 per body on the base and +0.011 after the branch and the
    committee; without link cost +0.040 and +0.026. Control: the other group's absence — the
    overlap gone, the gain per body comes back; and symmetrically, without link cost the
    branch and the committee gain +0.054 per body first and +0.018 after the five (3 December
    2026; 20 seeds with link cost, 10 without).

    Consistency check: the link formula. With the link cost the branch and the committee
    added *after* the five lower condition (−0.008 per body: seven stacked bodies do worse than
    five), without it they raise it. So "diminishing, not negative, returns" holds only in the
    order of ``STACKS``; the negative returns of the other order are the assumed cost per link.
    """
    base, few, n = stacks["base"], stacks["few"], len(CONTROL_SEEDS)
    five, both = order_stacks["five"], order_stacks["few_five"]
    free_few = stacks_without_link_cost["few"]
    free_five, free_both = order_stacks["free_five"], order_stacks["free_few_five"]
    p_five, _ = paired(five - base, both - few, "greater")
    p_free_five, _ = paired(free_five - base[:n], free_both - free_few, "greater")
    p_free_two, _ = paired(free_few - base[:n], free_both - free_five, "greater")
    p_worse, _ = paired(both, five, "less")
    p_free_better, _ = paired(free_both, free_five, "greater")
    print(f"gain per body — the five: first {np.median(five - base) / 5:+.4f}, after the two "
          f"{np.median(both - few) / 5:+.4f} (p = {p_five:.2g}); without link cost "
          f"{np.median(free_five - base[:n]) / 5:+.4f}, {np.median(free_both - free_few) / 5:+.4f} "
          f"(p = {p_free_five:.2g}). The two: first {np.median(few - base) / 2:+.4f}, after the "
          f"five {np.median(both - five) / 2:+.4f} (lower, p = {p_worse:.2g}); without link cost "
          f"{np.median(free_few - base[:n]) / 2:+.4f}, {np.median(free_both - free_five) / 2:+.4f}"
          f" (p = {p_free_two:.2g}; still a gain, p = {p_free_better:.2g})")
    assert p_five < ALPHA
    assert p_free_five < ALPHA
    assert p_free_two < ALPHA
    assert p_worse < ALPHA
    assert p_free_better < ALPHA
    five_first, five_after = np.median(five - base) / 5, np.median(both - few) / 5
    free_five_first = np.median(free_five - base[:n]) / 5
    free_five_after = np.median(free_both - free_few) / 5
    two_after = np.median(both - five) / 2
    free_two = (np.median(free_few - base[:n]) / 2, np.median(free_both - free_five) / 2)
    document_says("README.md", ("the five bodies that need neither branch nor committee gain "
                                "{+0.036} per body first, {+0.011} after them",
                                (five_first, five_after)),
                  ("branch and committee *lower* condition ({−0.008} per body)", (two_after,)))
    document_says("docs/ODD.md", (
        "the five that need neither branch nor committee gain {+0.036} per body on the base and "
        "{+0.011} after them (without link cost {+0.040} and {+0.026}), and the branch and "
        "committee {+0.054} first, {+0.018} after the five (without link cost). In that order, "
        "with the link cost, they lower condition ({−0.008} per body",
        (five_first, five_after, free_five_first, free_five_after, *free_two, two_after)))
    document_says("notebooks/04_integration_stacking.py", (
        "the five bodies that need neither branch nor committee gain about {+0.036} each on the "
        "base and about {+0.011} after them", (five_first, five_after)),
        ("**lowers** condition (about {−0.008} per body; {+0.018} with the link cost at 0)",
         (two_after, free_two[1])))


# ----------------------------------------------------------------------------- five designs

def designs_table_script():
    """``docs/make_designs_table.py`` as a module: the runs and tables of docs/mechanisms.md."""
    spec = importlib.util.spec_from_file_location("make_designs_table",
                                                  ROOT / "docs" / "make_designs_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_five_designs_run_on_heping_road_and_differ():
    """All seven designs run 120 months on Heping Road; no two give the same outcomes, and
    docs/mechanisms.md holds the tables these runs give.

    Consistency check: a smoke test; different institutions give different runs. The same
    runs render the two tables of "The seven designs on Heping Road", so the document fails
    here when the model changes under it (rewrite with ``docs/make_designs_table.py``).
    """
    script = designs_table_script()
    assert set(script.DESIGNS) == set(sim.config.preset_names("designs")), "a design is missing"
    runs = script.measure_all()
    table = script.outcome_table(runs)
    print(table.round(3).to_string())
    designs = script.DESIGNS
    for i, a in enumerate(designs):
        for b in designs[i + 1:]:
            assert (table.loc[a] - table.loc[b]).abs().max() > 0.02, (a, b)
    written = script.blocks(script.DOC.read_text(encoding="utf-8"))
    assert written == script.render(runs), "docs/mechanisms.md: run docs/make_designs_table.py"
