"""Each mechanism's off switch removes its term (sim.mechanisms), checked in the model's arrays."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import sim
from sim import behaviour
from sim.cli_base import build_scenario
from sim.config import Scenario
from sim.mechanisms import MECHANISMS, WITHOUT_SWITCH, applies, mechanism, switch_off
from sim.schema import parameters

COMMUNITY = "generic_old_compound"


def scenario(design: str, **extra: object) -> Scenario:
    return build_scenario(design).override({"community": COMMUNITY, **extra})


def off(design: str, name: str) -> Scenario:
    return switch_off(scenario(design), mechanism(name))


def run(scn: Scenario, months: int, seed: int = 3) -> sim.CompoundModel:
    model = sim.CompoundModel(scn, rng=seed)
    model.run(months)
    return model


def test_every_switch_names_existing_parameters_and_is_documented() -> None:
    paths = {p.path for p in parameters()}
    for m in MECHANISMS:
        assert m.switch and m.removes
        assert all(m.label(lang) and m.what(lang) for lang in ("zh", "en"))
        for path in m.switch:
            assert path in paths, f"{m.name}: {path}"
    assert len({m.name for m in MECHANISMS}) == len(MECHANISMS)
    assert all(what and why for what, why in WITHOUT_SWITCH)


def test_face_off_zeroes_the_face_term() -> None:
    on, model = run(scenario("nanan_131"), 1), run(off("nanan_131", "face"), 1)
    assert np.any(behaviour.face_factor(on) != 0)
    assert np.all(behaviour.face_factor(model) == 0)


def test_mobilisation_off_utility_ignores_mobilisation() -> None:
    model = run(off("nanan_131", "mobilisation"), 2)
    assert model.population.mobilisation.any()  # visits happened
    before = behaviour.cooperative_utility(model)
    model.population.mobilisation[:] = 0.0
    assert np.array_equal(behaviour.cooperative_utility(model), before)
    on = run(scenario("nanan_131"), 2)
    u = behaviour.cooperative_utility(on)
    on.population.mobilisation[:] = 0.0
    assert not np.array_equal(behaviour.cooperative_utility(on), u)  # the check can fail


@pytest.mark.parametrize(("name", "attr"), [("dependence_learning", "dependence"),
                                            ("trust_learning", "trust")])
def test_learning_off_keeps_beliefs(name: str, attr: str) -> None:
    # the baseline has no institution that visits or shifts trust: only learning moves them
    # (and newcomers, who arrive with fresh beliefs: turnover is switched off too)
    scn = switch_off(off("baseline", name), mechanism("turnover"))
    model = sim.CompoundModel(scn, rng=5)
    start = getattr(model.population, attr).copy()
    model.run(36)
    assert np.array_equal(getattr(model.population, attr), start)
    moved = run(scenario("baseline"), 36, seed=5)
    assert not np.array_equal(getattr(moved.population, attr), start)


def test_coordination_off_gives_full_efficiency() -> None:
    on, model = run(scenario("nanan_131"), 2), run(off("nanan_131", "coordination_cost"), 2)
    assert np.any(on.selfgov.efficiency < 1)
    assert np.all(model.selfgov.efficiency == 1)


def test_pooled_money_off_starts_no_project() -> None:
    model = sim.CompoundModel(off("nanan_131", "pooled_money"), rng=1)
    for _ in range(36):
        model.step()
        assert not model.selfgov.active().any()
    on = sim.CompoundModel(scenario("nanan_131"), rng=1)
    started = False
    for _ in range(36):
        on.step()
        started |= bool(on.selfgov.active().any())
    assert started


def test_supervision_off_deters_nothing() -> None:
    on, model = run(scenario("nanan_131"), 3), run(off("nanan_131", "supervision"), 3)
    assert np.any(on.selfgov.deterrence > 0)
    assert np.all(model.selfgov.deterrence == 0)


def test_covenant_rules_off_change_no_norm_nor_rate() -> None:
    model = run(off("nanan_131", "covenant_rules"), 60)
    assert model.selfgov.rules.any()  # rules are adopted, and do nothing
    assert np.all(model.compounds.norm == 0)
    assert np.all(model.matters.rate_factor == 1)


def test_triage_relief_off_keeps_government_speed() -> None:
    assert run(scenario("nanan_131"), 1).selfgov.big_speedup > 1
    assert run(off("nanan_131", "triage_relief"), 1).selfgov.big_speedup == 1


def test_switch_skips_absent_institutions() -> None:
    base = scenario("baseline")
    assert not applies(base, mechanism("supervision"))
    assert switch_off(base, mechanism("supervision")) is base
    assert applies(base, mechanism("face"))


Check = Callable[[sim.CompoundModel], object]


@pytest.mark.parametrize("name", [m.name for m in MECHANISMS if m.sources])
def test_switch_without_a_source_changes_nothing(name: str) -> None:
    """Where no source institution is present the switch gives bit-identical runs."""
    m = mechanism(name)
    # the baseline without the owners' committee (its congress may form one in any design):
    # a design with no body-creating institution at all
    data = scenario("baseline", **{"run.steps": 60}).model_dump()
    data["design"]["institutions"].pop("owners_committee")
    base = sim.load_config(data)
    assert not set(m.sources) & set(base.design.institutions)
    assert not applies(base, m)
    a = run(base, 60).datacollector.get_model_vars_dataframe()
    # values of absent institutions are skipped, as sim explain skips them (sim.priors.apply)
    b = run(switch_off(base, m), 60).datacollector.get_model_vars_dataframe()
    assert a.equals(b)


@pytest.mark.parametrize("design", ["chongchuan_plus", "huli_six_party"])
def test_visibility_off_leaves_only_the_networks(design: str) -> None:
    on, model = run(scenario(design), 1), run(off(design, "visibility"), 1)
    assert np.any(on.compounds.visibility_bonus > 0)
    assert np.all(model.compounds.visibility_bonus == 0)
    assert np.array_equal(behaviour.visibility(model),
                          np.broadcast_to(np.clip(behaviour.own_visibility(model), 0, 1)[:, None],
                                          (model.population.n, 4)))


def _quiet_beliefs(*names: str) -> Scenario:
    """131 without learning, rumours and the mechanisms ``names``: what still moves trust."""
    scn = scenario("nanan_131", **{"design.institutions.owners_committee.rumour_trust_loss": 0})
    for name in ("trust_learning", "dependence_learning", "supervision", "turnover", *names):
        scn = switch_off(scn, mechanism(name))
    return scn


def test_visit_trust_and_council_legitimacy_off_change_no_belief() -> None:
    model = sim.CompoundModel(_quiet_beliefs("visit_trust", "council_legitimacy"), rng=2)
    trust, dependence = model.population.trust.copy(), model.population.dependence.copy()
    model.run(6)
    assert model.population.mobilisation.any()  # households were visited
    assert np.array_equal(model.population.trust, trust)
    assert np.array_equal(model.population.dependence, dependence)
    for kept in ("visit_trust", "council_legitimacy"):  # each one alone moves trust
        other = "council_legitimacy" if kept == "visit_trust" else "visit_trust"
        model = sim.CompoundModel(_quiet_beliefs(other), rng=2)
        start = model.population.trust.copy()
        model.run(6)
        assert not np.array_equal(model.population.trust, start), kept


def test_hotline_chain_off_silences_the_hotline() -> None:
    """The switch sets nobody calling; where a design has no hotline it does not apply."""
    remedies = scenario("pujiang_remedies")
    assert applies(remedies, mechanism("hotline_chain"))
    off_scn = switch_off(remedies, mechanism("hotline_chain"))
    assert off_scn.design.institutions["hotline"]["report_rate"] == 0.0
    assert not applies(scenario("nanan_131"), mechanism("hotline_chain"))
