"""Reputation (声誉): face as anticipated loss, and standing that spreads along ties.

Issue 12 items 2b and 2c. ``population.reputation`` is each household's standing among those
who know it, in [0, 1]; it moves toward the visible record (paid, complied) at
``learning.reputation`` × visibility, then toward the neighbours' mean at ``learning.gossip``
(:func:`sim.kernels.update_reputation`). Paying and complying gain w_reputation ×
visibility × (reputation − ½) (:mod:`sim.behaviour`). The answers here are analytic or hold by
construction: one gossip step moves by the stated amount, repeated gossip converges to the
(degree-weighted) mean, the logit of defecting moves by exactly w·v·(r − ½) / T, and with the weight
at 0 the threshold preset is Granovetter's rule and agrees with the bare cascade loop.
"""

from __future__ import annotations

import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import logit

import sim
from sim import behaviour, kernels
from sim.errors import ConfigError
from sim.mechanisms import mechanism, switch_off

ROOT = Path(__file__).resolve().parents[1]
OFF = {"behaviour.weights.reputation": 0.0}


def ties(graph: nx.Graph) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR ties of a graph: (rows, indices, inverse degree), as the model's network has them."""
    adj = sp.csr_matrix(nx.to_scipy_sparse_array(graph, nodelist=sorted(graph.nodes)))
    adj.sort_indices()
    degree = np.diff(adj.indptr)
    rows = np.repeat(np.arange(adj.shape[0]), degree)
    inv = np.where(degree > 0, 1.0 / np.maximum(degree, 1), 0.0)
    return rows, adj.indices.astype(np.int64), inv


def gossip_only(graph: nx.Graph, rep: np.ndarray, rate: float, steps: int = 1) -> np.ndarray:
    """Run only the gossip step of the kernel (learning rate 0, so the seen step is a no-op)."""
    rows, indices, inv = ties(graph)
    rep = rep.copy()
    decisions = np.zeros((rep.size, 5), dtype=bool)
    visible = np.ones((rep.size, 1))
    for _ in range(steps):
        kernels.update_reputation(decisions, visible, 0.0, rows, indices, inv, rate, rep)
    return rep


# ------------------------------------------------------------------ gossip (item 2c)


def test_one_gossip_step_moves_each_household_by_the_stated_amount():
    graph = nx.path_graph(5)
    rep = np.array([1.0, 0.0, 0.5, 0.25, 0.0])
    out = gossip_only(graph, rep, 0.3)
    means = np.array([0.0, 0.75, 0.125, 0.25, 0.25])  # neighbours' mean, by hand
    np.testing.assert_allclose(out, rep + 0.3 * (means - rep), rtol=0, atol=1e-15)


def test_gossip_on_a_path_conserves_and_converges_to_the_degree_weighted_mean():
    graph = nx.path_graph(6)
    rep = np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    degree = np.array([1, 2, 2, 2, 2, 1], dtype=float)
    target = degree @ rep / degree.sum()  # 0.1: the end holds half the weight of a middle
    one = gossip_only(graph, rep, 0.5)
    assert degree @ one / degree.sum() == pytest.approx(target, abs=1e-15)
    out = gossip_only(graph, rep, 0.5, steps=2000)
    np.testing.assert_allclose(out, target, rtol=0, atol=1e-12)


def test_gossip_on_a_ring_converges_to_the_plain_mean():
    rng = np.random.default_rng(5)
    rep = rng.random(30)
    out = gossip_only(nx.cycle_graph(30), rep, 0.4, steps=5000)
    np.testing.assert_allclose(out, rep.mean(), rtol=0, atol=1e-12)


def test_isolated_households_hear_no_gossip():
    graph = nx.Graph([(0, 1)])
    graph.add_node(2)
    out = gossip_only(graph, np.array([1.0, 0.0, 0.7]), 0.5)
    assert out.tolist() == [0.5, 0.5, 0.7]


# ------------------------------------------------------------------ what is seen


def test_seen_record_moves_reputation_at_rate_times_visibility():
    decisions = np.zeros((4, 5), dtype=bool)
    decisions[0, :2] = True        # paid and complied
    decisions[1, 0] = True         # paid, broke a rule
    rep = np.array([0.5, 0.5, 0.8, 0.6])
    visible = np.array([[1.0, 1.0, 0, 0], [0.5, 0.2, 0, 0], [0.0, 0.0, 0, 0], [0.4, 0.4, 0, 0]])
    out = rep.copy()
    empty = np.zeros(0, dtype=np.int64)
    kernels.update_reputation(decisions, visible, 0.2, empty, empty, np.zeros(4), 0.0, out)
    expected = [0.5 + 0.2 * (1.0 - 0.5),                              # fully seen: old rule
                0.5 + 0.2 * 0.5 * (0.5 * (1 - 0.5) + 0.2 * (0 - 0.5)),
                0.8,                                                  # nobody sees it
                0.6 + 0.2 * 0.5 * (0.4 * (0 - 0.6) + 0.4 * (0 - 0.6))]
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-15)


def test_reputation_stays_in_unit_interval_and_matches_the_plain_python_kernel():
    scn = sim.load_config("configs/designs/huli_six_party.yaml").override(
        {"behaviour.learning.reputation": 1.0, "behaviour.learning.gossip": 1.0})
    model = sim.CompoundModel(scn, rng=3)
    rng = np.random.default_rng(0)
    for _ in range(3):
        model.step()
        rep = model.population.reputation
        assert rep.min() >= 0.0 and rep.max() <= 1.0
        visible = np.broadcast_to(model.rule.visible, (model.population.n, 4)).copy()
        before = rng.random(model.population.n)
        args = (model.population.decisions, visible, 0.3, model.network.tie_rows,
                model.network.adjacency.indices, model.network.inverse_degree, 0.25)
        a, b = before.copy(), before.copy()
        kernels.update_reputation(*args, a)
        kernels.update_reputation.py_func(*args, b)
        assert a.tobytes() == b.tobytes()


# ------------------------------------------------------------------ face as anticipated loss (2b)


def _utility(weight: float, seed: int = 4) -> tuple[sim.CompoundModel, np.ndarray]:
    scn = sim.load_config("configs/designs/nanan_131.yaml").override(
        {"behaviour.weights.reputation": weight})
    model = sim.CompoundModel(scn, rng=seed)  # month 0: the weight has changed nothing yet
    model.population.reputation[:] = np.random.default_rng(1).random(model.population.n)
    return model, behaviour.cooperative_utility(model)


def test_reputation_term_adds_weight_times_visibility_times_reputation_to_pay_and_comply():
    w = 1.3
    with_, u_w = _utility(w)
    without, u_0 = _utility(0.0)
    assert np.array_equal(with_.population.decisions, without.population.decisions)
    vis = behaviour.visibility(with_)
    rep = with_.population.reputation
    stake = w * vis[:, :2] * (rep[:, None] - 0.5)  # centred at ½, a household not yet known
    np.testing.assert_allclose(u_w[:, :2] - u_0[:, :2], stake, rtol=0, atol=1e-12)
    assert np.array_equal(u_w[:, 2:], u_0[:, 2:])  # volunteering, taking part: no duty
    np.testing.assert_allclose(behaviour.reputation_stake(with_), stake, rtol=0, atol=1e-15)
    assert not behaviour.reputation_stake(without).any()


def test_high_reputation_visible_household_defects_less_by_the_analytic_logit_amount():
    w = 1.0
    with_, u_w = _utility(w)
    _, u_0 = _utility(0.0)
    noise = with_.config.behaviour.noise
    vis = behaviour.visibility(with_)[:, 0]
    rep = with_.population.reputation
    seen = (vis > 0.3) & (rep > 0.8)
    assert seen.sum() > 20
    p_def_w = 1.0 - sim_expit(u_w[seen, 0] / noise)
    p_def_0 = 1.0 - sim_expit(u_0[seen, 0] / noise)
    assert (p_def_w < p_def_0).all()
    np.testing.assert_allclose(logit(p_def_0) - logit(p_def_w),
                               w * vis[seen] * (rep[seen] - 0.5) / noise, rtol=0, atol=1e-9)
    bad = (vis > 0.3) & (rep < 0.2)  # a bad name: paying is worth less than to the unknown
    assert bad.sum() > 20
    assert (u_w[bad, 0] < u_0[bad, 0]).all()


def test_a_household_nobody_sees_has_nothing_at_stake():
    graph = nx.path_graph(10)
    graph.add_nodes_from([10, 11])  # no ties; baseline has no rolls: visibility 0
    scn = sim.load_config("configs/designs/baseline.yaml")
    model = sim.CompoundModel(scn, rng=1, network=graph)
    model.population.reputation[:] = 0.9
    stake = behaviour.reputation_stake(model)
    assert not stake[10:].any() and (stake[:10] > 0).all()
    model.population.reputation[:] = 0.5  # not yet known: nothing at stake either
    assert not behaviour.reputation_stake(model).any()


def sim_expit(x: np.ndarray) -> np.ndarray:
    """The logistic function the decision rule uses."""
    from scipy.special import expit

    return expit(x)


# ------------------------------------------------------------------ off switches


def test_reputation_loss_switch_sets_only_the_weight_and_removes_the_dependence_on_reputation():
    scn = sim.load_config("configs/designs/kunming_red_courtyard.yaml")
    off = switch_off(scn, mechanism("reputation_loss"))
    assert off.behaviour.weights.reputation == 0.0
    assert off.model_dump() == scn.override(OFF).model_dump()
    # Without the term, what reputation is has no effect on any output.
    plain = sim.CompoundModel(off, rng=9)
    shuffled = sim.CompoundModel(off, rng=9)
    shuffled.population.reputation[:] = np.linspace(0.0, 1.0, shuffled.population.n)
    plain.run(24)
    shuffled.run(24)
    for name in ("decisions", "trust", "dependence", "grievance", "mobilisation"):
        assert getattr(plain.population, name).tobytes() == \
            getattr(shuffled.population, name).tobytes()
    assert plain.datacollector.get_model_vars_dataframe().equals(
        shuffled.datacollector.get_model_vars_dataframe())
    # With it, the same change of reputation changes what households do.
    on = sim.CompoundModel(scn, rng=9)
    on_shuffled = sim.CompoundModel(scn, rng=9)
    on_shuffled.population.reputation[:] = np.linspace(0.0, 1.0, on_shuffled.population.n)
    on.run(6)
    on_shuffled.run(6)
    assert not np.array_equal(on.population.decisions, on_shuffled.population.decisions)


def test_gossip_switch_leaves_only_the_seen_record():
    scn = sim.load_config("configs/designs/baseline.yaml")
    off = switch_off(scn, mechanism("gossip"))
    assert off.behaviour.learning.gossip == 0.0
    assert off.model_dump() == scn.override({"behaviour.learning.gossip": 0.0}).model_dump()
    model = sim.CompoundModel(off, rng=2)
    lam = off.behaviour.learning.reputation
    for _ in range(5):
        before = model.population.reputation.copy()
        model.step()
        pop = model.population
        vis = np.broadcast_to(model.rule.visible, (pop.n, 4))
        paid, kept = pop.decisions[:, 0], pop.decisions[:, 1]
        before[pop.arrived] = 0.5  # newcomers (sim.turnover) start unknown
        expected = before + lam * 0.5 * (vis[:, 0] * (paid - before) + vis[:, 1] * (kept - before))
        np.testing.assert_allclose(pop.reputation, expected, rtol=0, atol=1e-15)
    with_gossip = sim.CompoundModel(scn, rng=2).run(5)
    assert not np.allclose(with_gossip.population.reputation, model.population.reputation)


# ------------------------------------------------------------------ Granovetter still exact


@pytest.fixture(scope="module")
def threshold_off() -> sim.Scenario:
    """The threshold preset with the reputation weight at 0 (gossip left at its default)."""
    return sim.load_config("configs/presets/threshold.yaml").override(OFF)


def _cascade(scn: sim.Scenario, graph: nx.Graph) -> sim.CompoundModel:
    model = sim.CompoundModel(scn, rng=1, network=graph)
    model.run(200, until_stable=True)
    return model


def test_with_weight_zero_the_threshold_preset_is_granovetters_rule(threshold_off):
    phis = [k / 99 for k in range(100)]
    scn = threshold_off.override({"behaviour.threshold": phis, "initial.committed": 0})
    assert _cascade(scn, nx.complete_graph(100)).population.acts[:, 0].sum() == 100
    phis[1] = 2 / 99
    scn = threshold_off.override({"behaviour.threshold": phis, "initial.committed": 0})
    acts = _cascade(scn, nx.complete_graph(100)).population.acts[:, 0]
    assert acts.sum() == 1 and acts[0]


def test_the_reputation_weight_is_what_would_break_granovetter(threshold_off):
    # Negative control: with w_reputation = 1 the full riot of thresholds k/99 fails: after
    # month 1 nobody but the instigator has paid, so the others' standing falls below ½ and
    # their (negative) stake keeps them below their thresholds.
    phis = [k / 99 for k in range(100)]
    scn = threshold_off.override({"behaviour.threshold": phis, "initial.committed": 0,
                                  "behaviour.weights.reputation": 1.0})
    assert _cascade(scn, nx.complete_graph(100)).population.acts[:, 0].sum() < 100


@pytest.mark.parametrize("graph_seed", range(3))
@pytest.mark.parametrize("phi", [0.1, 0.18, 0.25])
def test_with_weight_zero_the_cascade_agrees_with_the_bare_loop(threshold_off, graph_seed, phi):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from reference_models import bare_cascade
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    graph = nx.fast_gnp_random_graph(400, 4 / 399, seed=graph_seed)
    scn = threshold_off.override({"behaviour.threshold": phi, "initial.committed": [0, 7]})
    model = _cascade(scn, graph)
    size, _steps = bare_cascade(graph, phi, [0, 7])
    assert int(model.population.acts[:, 0].sum()) == size


@pytest.mark.parametrize(("field", "value"), [("behaviour.learning.gossip", 1.5),
                                              ("behaviour.learning.gossip", -0.1),
                                              ("behaviour.weights.reputation", -1.0),
                                              ("behaviour.weights.reputation", 101.0)])
def test_out_of_range_values_are_refused_naming_the_field(field, value):
    scn = sim.load_config("configs/designs/baseline.yaml")
    with pytest.raises(ConfigError) as err:
        scn.override({field: value})
    assert err.value.field == field
