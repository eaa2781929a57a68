"""At the defaults, every design's monthly rates on every community lie in the plausible
ranges of ``configs/targets/plausible.yaml`` (issue 13, acceptance point 3).

Each bound is a target of the usual format with its source (docs/targets.md). A pair is
judged as ``sim targets`` judges it: the median over three seeds of the run's monthly rate,
months 1–120, must be inside (:func:`sim.targets_cli.run_pair`). Only volunteering has a
cited bound; paying, complying and deliberating have none (no citable source was found), and
the test says so rather than inventing one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.config import preset_names
from sim.targets import QUANTITIES, load_targets
from sim.targets_cli import run_pair, select

ROOT = Path(__file__).resolve().parents[1]
PLAUSIBLE = ROOT / "configs" / "targets" / "plausible.yaml"
SEEDS = [0, 1, 2]
RATES = ("contribution_rate_mean", "volunteer_rate_mean", "participation_rate_mean",
         "violation_rate_mean")
"""The monthly rates of a run (:data:`sim.targets.QUANTITIES`)."""
BOUNDED = ("volunteer_rate_mean",)
"""The rates with a cited bound; the others have none (docs/targets.md says why)."""

OUTSIDE_AT_DEFAULTS = {
    ("heping_road", "huli_six_party"): "volunteering 0.398 [0.388, 0.404] > 0.39",
}
"""Pairs outside a bound at the defaults of 3 December 2026 (seeds 0–2; two of huli_six_party's
parameters calibrated, docs/calibration.md; why the defaults did not move again: docs/decisions.md
§58): acceptance point 3 is not met for them (issue 13).
Strict: the mark must go when the defaults move inside."""


def pair_cases() -> list[object]:
    """Every shipped community × design, the known misses marked strictly."""
    cases: list[object] = []
    for community in preset_names("communities"):
        for design in preset_names("designs"):
            reason = OUTSIDE_AT_DEFAULTS.get((community, design))
            marks = [pytest.mark.xfail(strict=True, reason=f"not met: {reason}")] if reason else []
            cases.append(pytest.param(community, design, marks=marks,
                                      id=f"{design}-{community}"))
    return cases


def test_the_rates_are_model_quantities() -> None:
    assert set(RATES) <= set(QUANTITIES)
    assert set(BOUNDED) <= set(RATES)


def test_every_design_on_every_community_has_its_bounds() -> None:
    """Each bounded rate has exactly one bound for every shipped pair, so none is skipped."""
    spec = load_targets(PLAUSIBLE)
    assert {t.quantity for t in spec.targets} == set(BOUNDED)
    for community in preset_names("communities"):
        for design in preset_names("designs"):
            here = [t.quantity for t in select(spec, community, design)]
            assert sorted(here) == sorted(BOUNDED), (community, design, here)


def test_the_bounds_are_upper_bounds_with_sources() -> None:
    """A bound is an interval open below (a rate may be as low as it likes), cited."""
    for t in load_targets(PLAUSIBLE).targets:
        assert t.interval is not None and t.interval[0] is None and 0 < t.interval[1] < 1, t.name
        assert t.note.strip(), t.name


@pytest.mark.parametrize(("community", "design"), pair_cases())
def test_the_defaults_give_plausible_rates(community: str, design: str) -> None:
    table = run_pair(select(load_targets(PLAUSIBLE), community, design), community, design,
                     SEEDS)
    outside = table[table["verdict"] != "hit"]
    assert outside.empty, "\n".join(
        f"{r.target}: median {r.simulated:.3f} [{r.sim_low:.3f}, {r.sim_high:.3f}] over seeds "
        f"{SEEDS}, bound {r.observed}" for r in outside.itertuples())
