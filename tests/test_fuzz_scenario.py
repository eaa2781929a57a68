"""Table-driven fuzz of scenario inputs (issue 9): refused on one line, or run correctly.

Non-finite, huge, mistyped and malformed values are fed to every kind of field through
the Python API (``Scenario.override``, ``CompoundModel`` keywords, a YAML file) and
through ``sim run`` (in process and as subprocesses). Every case must either raise
:class:`~sim.errors.ConfigError` — exit status 2 with exactly one line on stderr starting
``sim: error:`` and no output directory — or build a model whose outputs are finite.
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.cli import main
from sim.errors import ConfigError

SIM = Path(sys.executable).with_name("sim")

FIELDS = [
    "behaviour.noise",
    "behaviour.threshold",
    "behaviour.weights.face",
    "behaviour.base.contribute",
    "population.trust",
    "economy.firm_fee",
    "economy.restore_scale",
    "community.network.acquaintance",
    "community.groups.0.households",
    "community.groups.0.count",
    "matters.types.0.rate",
    "matters.types.0.cost",
    "initial.committed",
    "run.steps",
    "design.institutions.government_service.months_big",
    "design.institutions.renovation_campaign.spend",
]

VALUES = [
    math.nan, math.inf, -math.inf, 1e308, -1e308, 10**30, -1, 0, 0.5, 2,
    "abc", "", True, None, [], {}, [math.nan], [0.1, math.inf],
    {"dist": "normal", "mean": math.nan, "sd": 0.1},
    {"dist": "uniform", "low": -math.inf, "high": 0.5},
    {"dist": "beta", "a": 1e308, "b": 1e-308},
    {"dist": "lognormal", "median": 1e308, "sigma": 10},
    {"dist": "normal", "mean": 0.3, "sd": 0.1, "clip": [math.nan, 1]},
]

MALFORMED_KEYS = [
    "behaviour..noise", "behaviour.noise.deeper", "community.groups.99.count",
    "community.groups.-1.count", "community.groups.x.count", "__", ".", "nope",
    "design.institutions.nope.x", "design.institutions.party_branch.visits_per_member",
    "run.steps.0",
]


@pytest.fixture(scope="module")
def base() -> sim.Scenario:
    return sim.load_config("baseline").override({"run.steps": 3})


def refused_or_runs(build) -> str:
    """Call ``build()`` for a scenario; refuse with ConfigError or run it to finite outputs."""
    try:
        scn = build()
        model = sim.CompoundModel(scn, rng=1)
        model.run(min(scn.run.steps, 3))
    except ConfigError as exc:
        assert "\n" not in str(exc) and exc.message, str(exc)
        return "refused"
    frame = model.datacollector.get_model_vars_dataframe()
    values = frame.to_numpy(dtype=float, na_value=0.0)
    nan_allowed = [c for c in frame.columns if frame[c].isna().all()]  # undefined columns
    check = frame.drop(columns=nan_allowed).to_numpy(dtype=float)
    assert np.isfinite(check[~np.isnan(check)]).all() and values.size
    return "ran"


@pytest.mark.parametrize(("field", "value"), list(itertools.product(FIELDS, VALUES)),
                         ids=lambda v: repr(v)[:30])
def test_override_values(base, field, value):
    refused_or_runs(lambda: base.override({field: value}))


@pytest.mark.parametrize("key", MALFORMED_KEYS)
def test_malformed_keys(base, key):
    assert refused_or_runs(lambda: base.override({key: 1})) == "refused"


def test_non_finite_values_are_always_refused(base):
    for field, value in itertools.product(FIELDS, [math.nan, math.inf, -math.inf]):
        with pytest.raises(ConfigError):
            base.override({field: value})


def test_keywords_of_the_model(base):
    for kwargs in ({"behaviour__noise": math.nan}, {"economy__firm_fee": math.inf},
                   {"community__groups__0__households": 10**30},
                   {"behaviour__noise": 0.2, "behaviour.noise": 0.3}):
        with pytest.raises(ConfigError):
            sim.CompoundModel(base, rng=1, **kwargs)


YAML_CASES = [
    "behaviour: {noise: .nan}\n",
    "behaviour: {noise: .inf}\n",
    "behaviour:\n  threshold: {dist: uniform, low: -.inf, high: 1}\n",
    "behaviour:\n  noise: 0.1\n  noise: 0.2\n",
    "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "community: ../../etc/passwd\n",
    "design: a/b\n",
    "economy: {firm_fee: 1e400}\n",
    "- a list\n",
    "behaviour: {noise: [1, 2}\n",
    "\x00\x01",
]


@pytest.mark.parametrize("text", YAML_CASES, ids=lambda t: repr(t)[:30])
def test_yaml_files(tmp_path, text):
    path = tmp_path / "scenario.yaml"
    path.write_text("design: baseline\n" + text if not text.startswith(("-", "\x00")) else text,
                    encoding="utf-8")
    assert refused_or_runs(lambda: sim.load_config(path)) == "refused"


CLI_CASES = [
    ["baseline", "--set", "behaviour.noise=.nan"],
    ["baseline", "--set", "behaviour.threshold={dist: normal, mean: .nan, sd: 0.1}"],
    ["baseline", "--set", "behaviour.threshold={dist: uniform, low: -.inf, high: 1}"],
    ["baseline", "--set", "economy.firm_fee=.inf"],
    ["baseline", "--set", "community.groups.0.count=100000",
     "--set", "community.groups.0.households=1000000"],
    ["baseline", "--set", "matters.types.0.rate=1e12"],
    ["baseline", "--set", "design.institutions.party_branch.visits_per_member=6"],
    ["baseline", "--set", "design=../x"],
    ["../../something"],
    ["baseline", "--set", "behaviour.threshold=" + "[" * 5000],
    ["baseline", "--set", "behaviour.noise=0.2", "--set", "behaviour__noise=0.3",
     "--set", "behaviour.noise.x=1"],
]


@pytest.mark.parametrize("args", CLI_CASES, ids=lambda a: " ".join(a)[:40])
def test_sim_run_in_process(tmp_path, capsys, args):
    out = tmp_path / "out"
    code = main(["run", *args, "--out", str(out), "--quiet", "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("sim: error:") and err.count("\n") == 1, err
    assert not out.exists()


SUBPROCESS_CASES = [CLI_CASES[i] for i in (1, 4, 6, 9)]
"""One case of each kind (non-finite, too big, absent institution, deep YAML): a process
costs a second of imports, so the full table runs in process above."""


def test_sim_run_subprocesses(tmp_path):
    """Cases as separate processes, started together: no traceback, no output, exit 2."""
    procs = []
    for i, args in enumerate(SUBPROCESS_CASES):
        out = tmp_path / f"out{i}"
        procs.append((out, subprocess.Popen(
            [str(SIM), "run", *args, "--out", str(out), "--quiet", "--lang", "en"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    ok = tmp_path / "ok"
    good = subprocess.Popen([str(SIM), "run", "threshold", "--steps", "3", "--seed", "1",
                             "--out", str(ok), "--quiet", "--lang", "en"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for out, proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 2, err
        assert err.startswith("sim: error:") and err.count("\n") == 1, err
        assert not out.exists()
    _, err = good.communicate(timeout=120)
    assert good.returncode == 0, err
    assert (ok / "run.json").is_file()
