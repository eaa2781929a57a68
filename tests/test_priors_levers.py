"""A prior never switches a mechanism on, nor undoes what a design sets (decisions §47).

A design that holds a parameter at the off value of a mechanism's switch (Pujiang's branch
with no triggered visits, the remedies without a credit roll, the threshold preset without
reputation), or sets an institution's parameter to another value than the schema default
(Pujiang's weak branch, Chongchuan's triggered visits), keeps it under ``--uncertainty``,
``sim explain`` and ``sim calibrate``: what a design chooses is a lever, what the world is
like where the design leaves the default is the prior. A mechanism's switch still switches
off what a design set.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sim
from sim.experiments.compare import compare
from sim.mechanisms import MECHANISMS, OFF_VALUES, switch_off
from sim.priors import apply, held, sample, set_present, uncertainties, value_at

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
    assert held(situation, values) == (TRIGGERED,)
    drawn = apply(situation, values)
    assert value_at(drawn, TRIGGERED) == 0.0  # held: the design's choice
    assert drawn.behaviour.weights.face == 0.9  # drawn: uncertainty about the world
    # a design that sets triggered visits on purpose keeps its value: chongchuan_plus 0.5,
    # or any design given a value of its own (levers are varied with `sim sweep`)
    assert held(plus, values) == (TRIGGERED,)
    assert value_at(apply(plus, values), TRIGGERED) == 0.5
    kunming = sim.load_config("kunming_red_courtyard").override({TRIGGERED: 0.2})
    assert value_at(apply(kunming, values), TRIGGERED) == 0.2


def test_pujiang_situation_keeps_its_weak_branch_slow_government_and_weak_organisations():
    situation = sim.load_config("pujiang_situation")
    paths = [u.path for u in uncertainties([situation])]
    levers = set(held(situation, paths))
    own = {"design.institutions.party_branch.visits_per_member",
           "design.institutions.party_branch.trust_gain",
           "design.institutions.government_service.months_small",
           "design.institutions.social_organisation.effective_share"}
    assert own <= levers
    for values in sample(uncertainties([situation]), 4, seed=1):
        drawn = apply(situation, values)
        for path in own:
            assert value_at(drawn, path) == value_at(situation, path), path
    # a parameter it leaves at the default is drawn
    assert FACE not in levers


def test_a_switch_still_switches_off_what_a_design_set():
    plus = sim.load_config("chongchuan_plus")
    off = set_present(plus, {TRIGGERED: 0.0})
    assert value_at(off, TRIGGERED) == 0.0
    from sim.mechanisms import BY_NAME
    assert value_at(switch_off(plus, BY_NAME["triggered_visits"]), TRIGGERED) == 0.0


def test_the_remedies_keep_their_credit_roll_off():
    remedies = sim.load_config("pujiang_remedies")
    assert CREDIT in held(remedies, [CREDIT])
    assert value_at(apply(remedies, {CREDIT: 0.4}), CREDIT) == 0.0


def test_the_threshold_preset_keeps_reputation_out_under_every_drawn_set(threshold_scenario):
    params = uncertainties([threshold_scenario])
    assert REPUTATION in {u.path for u in params}
    for values in sample(params, 8, seed=3):
        assert apply(threshold_scenario, values).behaviour.weights.reputation == 0.0


def test_the_baseline_has_no_lever_among_its_priors():
    base = sim.load_config("baseline")
    assert held(base, [u.path for u in uncertainties([base])]) == ()
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
    levers = manifest["uncertainty"]["held"]
    assert {TRIGGERED, "design.institutions.party_branch.visits_per_member"} <= set(
        levers["pujiang_situation"])
    assert set(levers["pujiang_remedies"]) >= {TRIGGERED, CREDIT}
    assert "uncertainty.held" in manifest["reproduce"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "(a lever)" in report and "visits_per_member" in report
