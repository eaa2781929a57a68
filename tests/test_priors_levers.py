"""A prior never switches a mechanism on (decisions §47).

A design that holds a parameter at the off value of a mechanism's switch (Pujiang's branch
with no triggered visits, the remedies without a credit roll, the threshold preset without
reputation) keeps it there under ``--uncertainty``, ``sim explain`` and ``sim calibrate``:
whether a design has a mechanism is a lever, how strong it is where it has it is the prior.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sim
from sim.experiments.compare import compare
from sim.mechanisms import MECHANISMS, OFF_VALUES, switch_off
from sim.priors import apply, held_off, sample, uncertainties, value_at

TRIGGERED = "design.institutions.party_branch.triggered_visit"
CREDIT = "design.institutions.public_rolls.credit_visibility"
REPUTATION = "behaviour.weights.reputation"
FACE = "behaviour.weights.face"


def test_off_values_come_from_the_switches():
    assert OFF_VALUES[TRIGGERED] == (0.0,)
    assert OFF_VALUES[REPUTATION] == (0.0,)
    assert all(path in OFF_VALUES for m in MECHANISMS for path in m.switch)


def test_value_at_reads_fields_institution_parameters_and_their_defaults():
    scn = sim.load_config("chongchuan_plus")
    assert value_at(scn, TRIGGERED) == 0.5
    assert value_at(scn, FACE) == scn.behaviour.weights.face
    # pujiang_situation's branch leaves triggered_visit at the schema default, 0
    assert value_at(sim.load_config("pujiang_situation"), TRIGGERED) == 0.0
    assert value_at(scn, "behaviour.no_such_field") is None


def test_a_design_without_triggered_visits_keeps_none_under_the_prior():
    situation = sim.load_config("pujiang_situation")
    plus = sim.load_config("chongchuan_plus")
    values = {TRIGGERED: 0.7, FACE: 0.9}
    assert held_off(situation, values) == (TRIGGERED,)
    assert held_off(plus, values) == ()
    drawn = apply(situation, values)
    assert value_at(drawn, TRIGGERED) == 0.0  # held: the design's choice
    assert drawn.behaviour.weights.face == 0.9  # drawn: uncertainty about the world
    assert value_at(apply(plus, values), TRIGGERED) == 0.7


def test_the_remedies_keep_their_credit_roll_off():
    remedies = sim.load_config("pujiang_remedies")
    assert CREDIT in held_off(remedies, [CREDIT])
    assert value_at(apply(remedies, {CREDIT: 0.4}), CREDIT) == 0.0


def test_the_threshold_preset_keeps_reputation_out_under_every_drawn_set(threshold_scenario):
    params = uncertainties([threshold_scenario])
    assert REPUTATION in {u.path for u in params}
    for values in sample(params, 8, seed=3):
        assert apply(threshold_scenario, values).behaviour.weights.reputation == 0.0


def test_a_parameter_off_in_no_design_is_drawn_as_before():
    base = sim.load_config("baseline")
    assert held_off(base, [u.path for u in uncertainties([base])]) == ()
    assert apply(base, {FACE: 0.8}).behaviour.weights.face == 0.8


@pytest.mark.parametrize("design", ["baseline", "nanan_131", "chongchuan_plus",
                                    "pujiang_remedies"])
def test_switching_a_mechanism_off_is_unchanged_by_the_rule(design):
    """``switch_off`` (an ``apply`` of the switch) equals an override of its applying paths."""
    scn = sim.load_config(design)
    present = set(scn.design.institutions)
    for mech in MECHANISMS:
        paths = {p: v for p, v in mech.switch.items()
                 if not p.startswith("design.institutions.")
                 or p.split(".")[2] in present}
        expected = scn.override(paths) if paths else scn
        assert switch_off(scn, mech).to_dict() == expected.to_dict(), mech.name


def test_compare_records_and_reports_what_each_design_holds(tmp_path: Path):
    out = tmp_path / "cmp"
    compare(["pujiang_situation", "pujiang_remedies"], community="generic_old_compound",
            steps=6, seeds=range(1), uncertainty=2, out=out, lang="en")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    held = manifest["uncertainty"]["held_off"]
    assert TRIGGERED in held["pujiang_situation"]
    assert set(held["pujiang_remedies"]) >= {TRIGGERED, CREDIT}
    assert "held_off" in manifest["reproduce"] or "off value" in manifest["reproduce"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "off value" in report and TRIGGERED in report
