"""The kernels (sim/kernels.py): compiled and plain-Python runs agree bit for bit.

The compiled kernels are the model's only implementation of the decision rule, the belief
updates and the per-compound counts; the same functions run as plain Python
(``Kernel.py_func``) are the reference. Whole models are run both ways on small
communities and must agree in every output and every household array.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import sim
from sim import behaviour, kernels

DESIGNS = ("baseline", "nanan_131", "huli_six_party", "chongchuan_plus", "kunming_red_courtyard",
           "pujiang_situation", "pujiang_remedies")
SMALL_COMMUNITIES = ("yimin_compound", "generic_old_compound")
STATE = ("decisions", "trust", "dependence", "grievance", "reputation", "mobilisation",
         "satisfaction")


@contextmanager
def plain_python() -> Iterator[None]:
    """Run the block with every kernel as plain Python (its ``py_func``)."""
    saved = [k._run for k in kernels.KERNELS]
    for k in kernels.KERNELS:
        k._run = k.py_func
    try:
        yield
    finally:
        for k, run in zip(kernels.KERNELS, saved, strict=True):
            k._run = run


def run(scenario, steps: int, *, python: bool = False, until_stable: bool = False,
        **kwargs) -> sim.CompoundModel:
    """Build and run a model, compiled or (``python``) with the kernels as plain Python."""
    if python:
        with plain_python():
            model = sim.CompoundModel(scenario, **kwargs)
            model.run(steps, until_stable=until_stable)
        return model
    model = sim.CompoundModel(scenario, **kwargs)
    return model.run(steps, until_stable=until_stable)


def assert_identical(a: sim.CompoundModel, b: sim.CompoundModel) -> None:
    """Every output and every household array agrees bit for bit."""
    pd.testing.assert_frame_equal(a.datacollector.get_model_vars_dataframe(),
                                  b.datacollector.get_model_vars_dataframe(), check_exact=True)
    pd.testing.assert_frame_equal(a.compound_dataframe(), b.compound_dataframe(),
                                  check_exact=True)
    pd.testing.assert_frame_equal(a.matters.log_frame(), b.matters.log_frame(),
                                  check_exact=True)
    for name in STATE:
        x, y = getattr(a.population, name), getattr(b.population, name)
        assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), name
    assert a.steps == b.steps


def test_every_model_function_is_a_kernel_with_a_plain_python_reference():
    for k in kernels.KERNELS:
        assert isinstance(k, kernels.Kernel)
        assert callable(k.py_func) and not isinstance(k.py_func, kernels.Kernel)
        assert k.__name__ == k.py_func.__name__ and k.__doc__
    assert not hasattr(kernels, "set_backend") and not hasattr(kernels, "compiled")


def test_no_second_implementation_or_backend_switch_is_left_in_the_package():
    # Issue 10's acceptance: `grep -rn "SIM_KERNELS\|set_backend" sim/` finds nothing, and
    # the string-keyed cache of the rule's constants is gone (model.rule instead).
    package = Path(sim.__file__).parent
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in ("SIM_KERNELS", "set_backend", "decision_cache", "_decide_numpy",
                     "_update_beliefs_numpy", "pairwise_sum"):
            assert word not in text, f"{path.relative_to(package)} mentions {word}"


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("community", SMALL_COMMUNITIES)
def test_compiled_runs_equal_plain_python_runs(design, community):
    for seed in (5, 6):
        scn = {"design": design, "community": community}
        assert_identical(run(scn, 24, rng=seed), run(scn, 24, python=True, rng=seed))


@pytest.mark.parametrize("design", ["baseline", "huli_six_party"])
def test_compiled_runs_equal_plain_python_runs_on_heping_road(design):
    scn = {"design": design, "community": "heping_road"}
    assert_identical(run(scn, 3, rng=1), run(scn, 3, python=True, rng=1))


@pytest.mark.parametrize("noise", [0.0, 0.3])
@pytest.mark.parametrize("seed", range(3))
def test_every_term_of_the_rule_gives_identical_runs(seed, noise):
    # Every optional term of the rule at once: trust, dependence, cost, mobilisation,
    # norms, per-action visibility and published rates (huli: public rolls), with noise
    # (numpy draws) and without (the kernel chooses).
    scn = {"design": "huli_six_party", "community": "yimin_compound",
           "behaviour": {"noise": noise, "weights": {"trust": 0.7, "dependence": 0.4,
                                                     "cost": 0.5, "mobilisation": 0.8}}}
    assert_identical(run(scn, 24, rng=seed), run(scn, 24, python=True, rng=seed))


@pytest.mark.parametrize("seed", range(6))
def test_threshold_cascades_on_random_graphs_are_identical(threshold_scenario, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(50, 400))
    graph = nx.gnp_random_graph(n, float(rng.uniform(0.005, 0.05)), seed=seed)  # isolates too
    scn = threshold_scenario.override({
        "behaviour.threshold": rng.uniform(0.0, 0.5, n).round(3).tolist(),
        "initial.committed": int(rng.integers(1, 5)),
    })
    a = run(scn, 100, until_stable=True, rng=seed, network=graph)
    b = run(scn, 100, until_stable=True, python=True, rng=seed, network=graph)
    assert_identical(a, b)


def test_graph_with_compounds_out_of_order_gives_identical_runs(threshold_scenario):
    # Compounds given as node attributes in no particular order: the households of a
    # compound are not contiguous, so the counts by compound gather them first.
    rng = np.random.default_rng(3)
    graph = nx.watts_strogatz_graph(300, 6, 0.2, seed=3)
    compound = rng.integers(0, 7, 300)
    nx.set_node_attributes(graph, {v: int(compound[v]) for v in graph.nodes}, "compound")
    scn = threshold_scenario.override({"behaviour.noise": 0.2, "behaviour.threshold": 0.3,
                                       "initial.committed": 10})
    a = run(scn, 25, rng=3, network=graph)
    assert_identical(a, run(scn, 25, python=True, rng=3, network=graph))
    # The counts equal numpy's bincount, whatever the order of the households.
    comps, acts = a.compounds, a.population.acts
    assert not comps._contiguous
    for j in range(4):
        want = np.bincount(a.population.compound, weights=acts[:, j], minlength=comps.n)
        assert comps.total(acts[:, j]).tobytes() == want.tobytes()


def test_the_utility_and_shares_are_the_kernels_bit_for_bit():
    # The inspection helpers return the values the decision uses, compiled or not,
    # and change nothing.
    scn = {"design": "kunming_red_courtyard", "community": "yimin_compound",
           "behaviour": {"weights": {"trust": 0.6, "dependence": 0.3, "mobilisation": 0.8}}}
    model = sim.CompoundModel(scn, rng=2)
    for _ in range(6):
        model.step()
        before = model.population.decisions.copy()
        utility = behaviour.cooperative_utility(model)
        shares = behaviour.neighbour_shares(model)
        with plain_python():
            assert behaviour.cooperative_utility(model).tobytes() == utility.tobytes()
            assert behaviour.neighbour_shares(model).tobytes() == shares.tobytes()
        assert np.array_equal(model.population.decisions, before)
        # Shares seen of a household with neighbours: acting neighbours / degree.
        net, acts = model.network, before[:, :4]
        i = int(np.flatnonzero(net.degree > 0)[0])
        neighbours = net.adjacency.indices[net.adjacency.indptr[i]:net.adjacency.indptr[i + 1]]
        np.testing.assert_allclose(shares[i], acts[neighbours].mean(axis=0))


def test_rule_constants_are_derived_at_set_up_whatever_ran_before():
    scn = {"design": "huli_six_party", "community": "yimin_compound"}
    a = sim.CompoundModel(scn, rng=4)
    behaviour.cooperative_utility(a)  # an inspection first changes nothing derived
    b = sim.CompoundModel(scn, rng=4)
    for name in ("base", "static_common", "face", "face_bonus"):
        assert getattr(a.rule, name).tobytes() == getattr(b.rule, name).tobytes()
    assert a.rule.static_any == b.rule.static_any
    # Visibility changed after set-up: the face factor follows it.
    a.compounds.visibility_bonus[:, 0] += 0.25
    face = behaviour.face_factor(a)
    assert a.rule.face is face and a.rule.face_bonus.tobytes() == \
        a.compounds.visibility_bonus.tobytes()
    assert face.shape == (a.population.n, 4)


def test_a_household_with_more_than_65535_neighbours_is_counted_exactly(threshold_scenario):
    # A star of 70,000 leaves: the hub's counts do not fit 16 bits, so the kernel counts
    # action by action (the "wide" path). 40,000 committed leaves ≥ 0.5 of the hub's
    # neighbours: the hub acts in month 1, and every leaf (its one neighbour acts) in month 2.
    graph = nx.star_graph(70_000)
    scn = threshold_scenario.override({"behaviour.threshold": 0.5,
                                       "initial.committed": list(range(1, 40_001))})
    model = sim.CompoundModel(scn, rng=1, network=graph)
    assert model.network.wide
    model.step()
    assert model.population.acts[0, 0] and model.population.acts[:, 0].sum() == 40_001
    model.step()
    assert model.population.acts[:, 0].all()


@pytest.mark.parametrize("seed", range(4))
def test_the_wide_path_counts_as_the_packed_one(threshold_scenario, seed):
    graph = nx.gnp_random_graph(300, 0.03, seed=seed)
    scn = threshold_scenario.override({"behaviour.threshold": 0.2, "behaviour.noise": 0.1,
                                       "initial.committed": 5})
    packed = run(scn, 20, rng=seed, network=graph)
    wide = sim.CompoundModel(scn, rng=seed, network=graph)
    wide.network.wide = True  # the path for households with 2¹⁶ or more neighbours
    assert_identical(packed, wide.run(20))


def test_counts_by_compound_match_numpy_for_any_width_and_split():
    rng = np.random.default_rng(1)
    count = kernels.count_by_compound
    for trial in range(300):
        n = int(rng.integers(300_000, 600_000)) if trial < 2 else int(rng.integers(1, 2000))
        width = int(rng.integers(1, 9))
        values = rng.random((n, width)) < rng.random()
        cuts = np.sort(rng.choice(np.arange(1, n), size=min(int(rng.integers(0, 40)), n - 1),
                                  replace=False)) if n > 1 else np.zeros(0, dtype=np.int64)
        first = np.concatenate(([0], cuts)).astype(np.int64)
        sizes = np.diff(np.concatenate((first, [n]))).astype(np.int64)
        want = np.add.reduceat(values.view(np.uint8), first, axis=0,
                               dtype=np.int64).astype(np.float64)
        got = count(values, first, sizes)
        assert np.array_equal(got, want)
        if n < 300:
            assert count.py_func(values, first, sizes).tobytes() == got.tobytes()


RUN_AND_HASH = """
import hashlib, sys
import sim
model = sim.CompoundModel({"design": sys.argv[1], "community": "generic_old_compound"}, rng=7)
model.run(12)
frame = model.datacollector.get_model_vars_dataframe()
print(hashlib.sha256(frame.to_numpy().tobytes() + model.population.trust.tobytes()).hexdigest())
"""


@pytest.mark.parametrize("design", ["baseline", "chongchuan_plus"])
def test_numba_disable_jit_runs_the_same_model(design):
    # NUMBA_DISABLE_JIT=1 (debugging with pdb) runs every kernel as plain Python.
    def digest(env: dict[str, str]) -> str:
        out = subprocess.run([sys.executable, "-c", RUN_AND_HASH, design], capture_output=True,
                             text=True, check=True, env=env)
        return out.stdout.strip()

    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_JIT"}
    assert digest({**env, "NUMBA_DISABLE_JIT": "1"}) == digest(env)


WITHOUT_NUMBA = """
import sys
sys.modules["numba"] = None  # `import numba` now fails, as if it were not installed
import sim  # the package still imports
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_without_numba_the_package_imports_and_a_run_says_what_to_install(tmp_path):
    out = subprocess.run([sys.executable, "-c", WITHOUT_NUMBA, "run", "baseline", "--steps",
                          "2", "--out", str(tmp_path / "run")], capture_output=True, text=True)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: numba: is not installed")
    assert "pip install numba" in lines[0] and "Traceback" not in out.stderr
    assert not (tmp_path / "run").exists()


def test_exp_gives_the_c_library_bits_compiled_and_as_plain_python():
    # The model's exponentials (kernels.exp) must not depend on the processor: numpy's exp
    # takes AVX-512 code where there is some, whose last bits differ (docs/decisions.md §55).
    # Compiled or not, kernels.exp gives math.exp's bits (the C library's exp).
    import math

    x = np.random.default_rng(0).uniform(-40.0, 40.0, 20_000)
    expected = np.array([math.exp(v) for v in x])
    assert kernels.exp(x).tobytes() == expected.tobytes()
    out = np.empty_like(x)
    kernels._exp_into.py_func(x[:2_000], out[:2_000])
    assert out[:2_000].tobytes() == expected[:2_000].tobytes()
    grid = x.reshape(100, 200)[::2, ::3]  # any shape, strided
    assert kernels.exp(grid).shape == grid.shape
    assert kernels.exp(grid).tobytes() == np.array([math.exp(v) for v in grid.ravel()]).tobytes()
    assert float(kernels.exp(0.5)) == math.exp(0.5)


def test_running_sums_restart_in_each_segment_with_its_own_rounding():
    """``prefix_within``: each segment summed from zero, as if it were alone.

    Known answer: segments [1, 2], [3], [4, 5]; and a segment after a large one rounds
    as it does alone (a global cumsum minus the sum before it would not: 1e16 + 1 − 1e16).
    """
    for fn in (kernels.prefix_within, kernels.prefix_within.py_func):
        got = fn(np.array([1.0, 2.0, 3.0, 4.0, 5.0]),
                 np.array([True, False, True, True, False]))
        np.testing.assert_array_equal(got, [1.0, 3.0, 3.0, 4.0, 9.0])
        got = fn(np.array([1e16, 0.1, 0.2]), np.array([True, True, False]))
        np.testing.assert_array_equal(got[1:], np.cumsum([0.1, 0.2]))
