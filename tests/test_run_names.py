"""Names of outputs and of fields in errors say what was run (issue 9, items 12 and 5)."""

from __future__ import annotations

import pytest

import sim
from sim.cli import run_name
from sim.errors import ConfigError


@pytest.mark.parametrize(("config", "expected"), [
    ("threshold", "threshold-generic_old_compound"),
    ("baseline", "baseline-generic_old_compound"),
    ("configs/designs/nanan_131.yaml", "nanan_131-generic_old_compound"),
    ("configs/communities/heping_road.yaml", "baseline-heping_road"),
])
def test_run_names_never_say_none(config: str, expected: str) -> None:
    """``sim run threshold`` writes ``out/threshold-…``, not ``out/none-…`` (its design's name)."""
    assert run_name(sim.load_config(config)) == expected


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_institution_parameters_are_finite_and_named(value: float) -> None:
    """An institution's parameter obeys the rule of every config number, and the error names it."""
    with pytest.raises(ConfigError) as err:
        sim.load_config("nanan_131").override(
            {"design.institutions.party_branch.visits_per_member": value})
    assert err.value.field == "design.institutions.party_branch.visits_per_member"
    assert "finite" in err.value.message
