"""Parameter sweeps: the sweep file, the design, storage, executors, resume and analysis.

Sweeps here are tiny (the generic old compound for 12 months) so the whole module runs in
well under a minute. Subprocesses (a sweep killed with SIGKILL, a Dask scheduler and worker
on 127.0.0.1) are started in their own session and always killed in a ``finally``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import sim
from sim.cli import main
from sim.errors import ConfigError
from sim.experiments.executors import make_job, run_scenario
from sim.experiments.sampling import build_plan, count_runs
from sim.experiments.spec import load_sweep
from sim.experiments.storage import MANIFEST, part_files
from sim.experiments.sweep import run_sweep
from sim.metrics import COLUMNS

ROOT = Path(__file__).resolve().parents[1]
BASELINE = str(ROOT / "configs" / "designs" / "baseline.yaml")
BIN = Path(sys.executable).parent
WAIT = 60.0
"""Upper bound, in seconds, of every wait for a subprocess."""

TINY: dict[str, Any] = {
    "kind": "sweep",
    "name": "tiny",
    "base": BASELINE,
    "set": {"community": "generic_old_compound"},
    "steps": 12,
    "outcomes": ["contribution_rate", "condition"],
    "outcome_months": 6,
    "uncertainties": {"behaviour.weights.face": {"low": 0.0, "high": 3.0},
                      "community.network.acquaintance": {"low": 0.1, "high": 0.9}},
    "levers": {"design": {"values": ["baseline", "nanan_131"]}},
    "sampler": {"method": "latin", "n": 4, "seed": 0},
    "seeds": [0, 1],
}
"""16 runs of 12 months."""

PARAMS = ["behaviour.weights.face", "community.network.acquaintance", "design"]


def write_sweep(path: Path, **changes: Any) -> Path:
    """Write TINY with top-level keys replaced (None deletes a key)."""
    data = {**TINY, **changes}
    data = {k: v for k, v in data.items() if v is not None}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def sweep_cli(*args: str) -> int:
    return main(["sweep", *args, "--quiet"])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return write_sweep(tmp_path_factory.mktemp("spec") / "tiny.yaml")


@pytest.fixture(scope="module")
def reference(tiny, tmp_path_factory) -> pd.DataFrame:
    """The tiny sweep run in this process (--workers 1)."""
    out = tmp_path_factory.mktemp("ref") / "sweep"
    assert sweep_cli(str(tiny), "--out", str(out), "--workers", "1") == 0
    return sim.load_results(out)


# --------------------------------------------------------------------------- the sweep file


def param(low: Any = 0.0, high: Any = 3.0) -> dict[str, Any]:
    return {"behaviour.weights.face": {"low": low, "high": high}}


BAD_SPECS = [
    # (changes to TINY, field of the error, text in the message)
    ({"samplr": {"method": "latin", "n": 4}}, "samplr", "did you mean 'sampler'"),
    ({"uncertainties": {"behaviour.weights.face": {"lo": 0, "high": 3}}},
     "uncertainties.behaviour.weights.face.lo", "did you mean 'low'"),
    ({"uncertainties": param(2.0, 1.0)}, "uncertainties.behaviour.weights.face.high",
     "greater than low"),
    ({"uncertainties": param(1.0, 1.0)}, "uncertainties.behaviour.weights.face.high",
     "greater than low"),
    ({"uncertainties": {"behaviour.weights.fase": {"low": 0, "high": 3}}},
     "uncertainties.behaviour.weights.fase", "did you mean 'face'"),
    ({"uncertainties": {"design.institutions.renovation_campaign.spnd": {"low": 0, "high": 9}}},
     "uncertainties.design.institutions.renovation_campaign.spnd", "did you mean 'spend'"),
    ({"uncertainties": param(-1.0, 3.0)}, "uncertainties.behaviour.weights.face.low",
     "greater than or equal to 0"),
    ({"uncertainties": {"behaviour.weights.face": [0, 3]}}, "uncertainties.behaviour.weights.face",
     "{low: …, high: …}"),
    ({"sampler": {"method": "lhs", "n": 4}}, "sampler.method", "allowed: full_factorial"),
    ({"sampler": {"method": "latin", "n": 4, "levels": 3}}, "sampler.levels", "not used by"),
    ({"sampler": {"method": "latin"}}, "sampler.n", "required"),
    ({"sampler": {"method": "sobol", "n": 6}}, "sampler.n", "power of 2"),
    ({"sampler": {"method": "morris", "n": 4, "levels": 3}}, "sampler.levels", "even"),
    ({"sampler": {"method": "sobol", "n": 4},
      "uncertainties": {"design": {"values": ["baseline", "nanan_131"]}}, "levers": None},
     "uncertainties.design", "levers"),
    ({"levers": {"design": {"values": ["baseline", "nanan"]}}}, "levers.design.values",
     "did you mean 'nanan_131'"),
    ({"levers": {"design.institutions.renovation_campaign.interval": {"low": 12, "high": 48}}},
     "levers.design.institutions.renovation_campaign.interval", "integer: true"),
    ({"base": "threshold", "set": None,
      "levers": {"design.institutions.renovation_campaign.spend": {"low": 0, "high": 900}}},
     "levers.design.institutions.renovation_campaign.spend", "has no institution"),
    ({"uncertainties": {"run.seed": {"low": 0, "high": 9}}}, "uncertainties.run.seed", "seeds"),
    ({"uncertainties": param(), "levers": {"behaviour.weights.face": {"values": [1.0]}}},
     "levers.behaviour.weights.face", "listed"),
    ({"set": {"behaviour.nois": 0.2}}, "set.behaviour.nois", "did you mean 'noise'"),
    ({"set": {"community": "generic_old_compound", "behaviour.noise": -1}},
     "set.behaviour.noise", "greater than or equal to 0"),
    ({"outcomes": ["contribution"]}, "outcomes", "did you mean 'contribution_rate'"),
    ({"outcome_months": 13}, "outcome_months", "at most steps"),
    ({"seeds": [0, 0]}, "seeds", "twice"),
    ({"seeds": 0}, "seeds", "from 1 to"),
    ({"seeds": 10**7}, "seeds", "from 1 to"),
    ({"seeds": True}, "seeds", "true/false"),
    ({"kind": "design"}, "kind", "must be sweep"),
    ({"base": "no_such_design"}, "base", "no_such_design"),
]


@pytest.mark.parametrize(("changes", "field", "text"), BAD_SPECS,
                         ids=[case[1] + "-" + str(i) for i, case in enumerate(BAD_SPECS)])
def test_invalid_sweep_files_are_one_line_errors_naming_the_field(tmp_path, changes, field,
                                                                  text):
    path = write_sweep(tmp_path / "bad.yaml", **changes)
    with pytest.raises(ConfigError) as info:
        load_sweep(path)
    assert info.value.field == field, str(info.value)
    assert text in info.value.message
    assert "\n" not in str(info.value)


def test_a_number_of_seeds_means_the_first_seeds(tmp_path):
    """``seeds: 3`` is ``[0, 1, 2]``, as ``sim compare --seeds 3``: the same sweep, same plan."""
    by_number = load_sweep(write_sweep(tmp_path / "n.yaml", seeds=3))
    by_list = load_sweep(write_sweep(tmp_path / "l.yaml", seeds=[0, 1, 2]))
    assert by_number.spec.seeds == [0, 1, 2]
    assert build_plan(by_number).runs == build_plan(by_list).runs


def test_cli_reports_a_bad_sweep_on_one_line_and_writes_nothing(tmp_path, capsys):
    path = write_sweep(tmp_path / "bad.yaml", uncertainties=param(3.0, 1.0))
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert err.startswith("sim: error: uncertainties.behaviour.weights.face.high: ")
    assert not out.exists()


def test_unreachable_scheduler_writes_nothing(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["sweep", str(tiny), "--out", str(out), "--scheduler", "tcp://127.0.0.1:9",
                 "--quiet"])
    assert code == 2
    assert "sim: error: --scheduler: cannot connect" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("name", ["smoke", "face_acquaintance", "budget_design",
                                  "sobol_behaviour"])
def test_shipped_sweep_files_are_valid(name):
    sweep = load_sweep(ROOT / "configs" / "sweeps" / f"{name}.yaml")
    plan = build_plan(sweep)
    assert len(plan.runs) == count_runs(sweep)
    if name == "smoke":
        assert len(plan.runs) == 6 * 2 * 2
    if name == "budget_design":  # the budget path works for every design used
        designs = {g["design"] for g in plan.groups}
        assert len(designs) == 5
        for group in plan.groups:
            scn = sweep.scenario({**group,
                                  "design.institutions.renovation_campaign.spend": 123.0})
            assert scn.design.institutions["renovation_campaign"]["spend"] == 123.0
            assert scn.design.name == group["design"]


# --------------------------------------------------------------------------- the design


def test_plan_is_reproducible_and_numbered(tiny):
    sweep = load_sweep(tiny)
    plan = build_plan(sweep)
    assert plan == build_plan(load_sweep(tiny))
    assert plan.problem == {"num_vars": 2, "names": PARAMS[:2],
                            "bounds": [[0.0, 3.0], [0.1, 0.9]]}
    assert len(plan.samples) == 4 * 2 and len(plan.runs) == 4 * 2 * 2
    assert [r["run_id"] for r in plan.runs] == [f"{i:06d}" for i in range(16)]
    assert [(r["sample"], r["seed"]) for r in plan.runs[:4]] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert {r["params"]["design"] for r in plan.runs[:8]} == {"baseline"}
    for s in plan.samples:
        assert 0.0 <= s["params"]["behaviour.weights.face"] <= 3.0
    # The same points for every design (the categorical lever is crossed outside the design).
    assert plan.samples[0]["point"] == plan.samples[4]["point"]


@pytest.mark.parametrize(("sampler", "points"), [
    ({"method": "sobol", "n": 4}, 4 * (2 + 2)),
    ({"method": "sobol", "n": 4, "second_order": True}, 4 * (2 * 2 + 2)),
    ({"method": "morris", "n": 3}, 3 * (2 + 1)),
    ({"method": "full_factorial", "levels": 3}, 3 * 3),
])
def test_sample_counts(tmp_path, sampler, points):
    sweep = load_sweep(write_sweep(tmp_path / "s.yaml", sampler=sampler))
    plan = build_plan(sweep)
    assert len(plan.samples) == 2 * points
    assert len(plan.runs) == 2 * points * 2 == count_runs(sweep)


def test_run_scenario_is_the_documented_override(tiny, tmp_path):
    sweep = load_sweep(tiny)
    plan = build_plan(sweep)
    job = make_job(sweep, plan, tmp_path, "k")
    for run in plan.runs[::5]:
        expected = sim.load_config(BASELINE).override(
            {**sweep.changes(run["params"]), "run.steps": 12})
        assert run_scenario(job, run).to_dict() == expected.to_dict()


# --------------------------------------------------------------------------- running


def test_workers_give_identical_data_and_tidy_results(tiny, reference, tmp_path):
    out = tmp_path / "w2"
    assert sweep_cli(str(tiny), "--out", str(out), "--workers", "2") == 0
    df = sim.load_results(out)
    pd.testing.assert_frame_equal(df, reference, check_exact=True)
    assert df.shape == (16 * 13, 4 + len(PARAMS) + len(COLUMNS))
    assert list(df.columns) == ["run_id", "sample", "seed", "month", *PARAMS, *COLUMNS]
    assert df.groupby("run_id")["month"].apply(list).map(lambda m: m == list(range(13))).all()
    assert len(part_files(out)) == 16
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    for key in ("spec", "problem", "runs", "samples", "base_config", "package_version",
                "git_commit", "created", "finished"):
        assert manifest[key] is not None, key
    scenario = manifest["runs"][3].pop("scenario")  # fingerprint of the resolved scenario
    assert len(scenario) == 64 and scenario == manifest["runs"][2]["scenario"]  # same sample
    assert manifest["runs"][3] == {"run_id": "000003", "sample": 1, "seed": 1, "group": 0,
                                   "params": manifest["samples"][1]["params"]}
    assert manifest["command"] == "sweep" and len(manifest["group_configs"]) == 2
    subset = sim.load_results(out, columns=["condition"])
    assert list(subset.columns) == ["run_id", "month", "condition"]


def test_output_directory_rules(tiny, tmp_path):
    out = tmp_path / "o"
    assert sweep_cli(str(tiny), "--out", str(out), "--workers", "1") == 0
    with pytest.raises(ConfigError, match="--resume"):
        run_sweep(tiny, out, workers=1, progress=False)
    assert sweep_cli(str(tiny), "--out", str(out), "--workers", "1", "--force") == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="holds no sweep"):
        run_sweep(tiny, other, workers=1, force=True, progress=False)
    changed = write_sweep(tmp_path / "changed.yaml", seeds=[0, 2])
    with pytest.raises(ConfigError) as info:
        run_sweep(changed, out, workers=1, resume=True, progress=False)
    assert info.value.field == "--resume" and "at seeds[1]" in info.value.message


def test_a_refused_run_is_one_line_error(tmp_path):
    # Valid at both ends of the range, so only the run itself can find out.
    from sim.experiments.executors import RunFailedError, make_job, run_one

    sweep = load_sweep(write_sweep(tmp_path / "s.yaml"))
    plan = build_plan(sweep)
    job = make_job(sweep, plan, tmp_path, "k")
    bad = {**plan.runs[0], "params": {**plan.runs[0]["params"], "behaviour.weights.face": -1}}
    with pytest.raises(RunFailedError) as info:
        run_one(job, bad)
    assert info.value.run_id == "000000" and "face" in info.value.message


# --------------------------------------------------------------------------- resume


def _wait_for(predicate, timeout: float = WAIT, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL a process started with start_new_session=True and its children; reap it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.wait(timeout=WAIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def test_resume_after_sigkill_gives_the_uninterrupted_data(tmp_path):
    # 240 runs of 24 months: long enough to be killed half-way.
    spec = write_sweep(tmp_path / "kill.yaml", steps=24, sampler={"method": "latin", "n": 60})
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(spec), "--out", str(out),
                             "--workers", "2", "--quiet"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        _wait_for(lambda: len(part_files(out)) >= 10 or proc.poll() is not None,
                  what="the first part files")
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
    finally:
        _kill_group(proc)
        if proc.stderr:
            proc.stderr.close()
    killed_at = len(part_files(out))
    assert 10 <= killed_at < 240, killed_at
    assert sweep_cli(str(spec), "--out", str(out), "--resume", "--workers", "1") == 0
    assert not [p for p in (out / "runs").iterdir() if p.name.startswith(".")]
    ref = tmp_path / "uninterrupted"
    assert sweep_cli(str(spec), "--out", str(ref), "--workers", "2") == 0
    resumed, whole = sim.load_results(out), sim.load_results(ref)
    assert len(whole) == 240 * 25
    pd.testing.assert_frame_equal(resumed, whole, check_exact=True)


# --------------------------------------------------------------------------- Dask


@pytest.fixture
def dask_cluster(tmp_path) -> Iterator[str]:
    """A Dask scheduler and one worker (2 threads) on 127.0.0.1; yields the address."""
    dask = BIN / "dask"
    if not dask.exists():
        pytest.skip("the dask command is not installed in this environment")
    scheduler_file = tmp_path / "scheduler.json"
    procs: list[subprocess.Popen] = []
    logs = []
    try:
        for args in (["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                      "--scheduler-file", str(scheduler_file)],
                     ["worker", "--scheduler-file", str(scheduler_file), "--host", "127.0.0.1",
                      "--nworkers", "1", "--nthreads", "2", "--no-dashboard",
                      "--local-directory", str(tmp_path / "dask-worker")]):
            log = (tmp_path / f"{args[0]}.log").open("wb")
            logs.append(log)
            procs.append(subprocess.Popen([str(dask), *args], cwd=tmp_path, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True))
            if args[0] == "scheduler":
                _wait_for(lambda: scheduler_file.exists() and scheduler_file.stat().st_size,
                          what="the scheduler file")
                time.sleep(0.1)  # the file is written in one go, but be safe
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        yield address
    finally:
        for proc in reversed(procs):  # the worker first, then the scheduler
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
        for log in logs:
            log.close()


def test_dask_gives_the_local_data(tiny, reference, dask_cluster, tmp_path):
    out = tmp_path / "dask"
    assert sweep_cli(str(tiny), "--out", str(out), "--scheduler", dask_cluster) == 0
    pd.testing.assert_frame_equal(sim.load_results(out), reference, check_exact=True)


# --------------------------------------------------------------------------- analysis


@pytest.mark.parametrize(("sampler", "columns"), [
    ({"method": "sobol", "n": 4}, ["S1", "S1_conf", "ST", "ST_conf"]),
    ({"method": "morris", "n": 3}, ["mu", "mu_star", "sigma", "mu_star_conf"]),
])
def test_analyze_writes_indices_with_confidence_intervals(tmp_path, sampler, columns, capsys):
    spec = write_sweep(tmp_path / "s.yaml", sampler=sampler, seeds=[0])
    out = tmp_path / "sweep"
    assert sweep_cli(str(spec), "--out", str(out), "--workers", "1") == 0
    assert main(["analyze", str(out), "--lang", "en", "--quiet"]) == 0
    analysis = out / "analysis"
    indices = pd.read_csv(analysis / "indices.csv")
    assert list(indices.columns) == ["outcome", "design", "parameter", *columns, "warning"]
    assert len(indices) == 2 * 2 * 2  # outcomes × designs × parameters
    assert indices[columns[-1]].notna().all()
    method = sampler["method"]
    for outcome in ("contribution_rate", "condition"):
        png = analysis / f"{method}-{outcome}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = pd.read_csv(analysis / "summary.csv")
    assert len(summary) == count_runs(load_sweep(spec)) and (summary["seeds"] == 1).all()
    # the bootstrap intervals are seeded (SALib takes a seed of 0 for "unseeded")
    assert "seed" not in sampler  # the default sampler seed, 0
    assert main(["analyze", str(out), "--lang", "en", "--quiet"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(analysis / "indices.csv"), indices,
                                  check_exact=True)
    capsys.readouterr()
    assert main(["analyze", str(out), "--outcome", "petitionz"]) == 2
    assert "did you mean 'petitions'" in capsys.readouterr().err


def test_analyze_refuses_latin(tiny, tmp_path, capsys):
    out = tmp_path / "latin"
    assert sweep_cli(str(tiny), "--out", str(out), "--workers", "1") == 0
    capsys.readouterr()
    assert main(["analyze", str(out)]) == 2
    err = capsys.readouterr().err
    assert "use sobol or morris for indices" in err and err.count("\n") == 1
    assert not (out / "analysis").exists()


def test_help_teaches_with_an_example(capsys):
    assert main(["sweep", "--help"]) == 0
    text = capsys.readouterr().out
    assert "kind: sweep" in text and "uncertainties:" in text and "--resume" in text
    assert "参数扫描" in text
    assert main(["analyze", "--help"]) == 0
    assert "mu_star" in capsys.readouterr().out


def test_smoke_sweep_on_dask_equals_the_local_run(dask_cluster, tmp_path):
    """The shipped smoke sweep on a real cluster (scheduler and worker as separate processes
    on 127.0.0.1) gives exactly the data of a local run."""
    smoke = ROOT / "configs" / "sweeps" / "smoke.yaml"
    local, remote = tmp_path / "local", tmp_path / "dask"
    assert sweep_cli(str(smoke), "--out", str(local), "--workers", "1") == 0
    assert sweep_cli(str(smoke), "--out", str(remote), "--scheduler", dask_cluster) == 0
    expected = sim.load_results(local)
    assert len(expected) == 24 * 25  # 24 runs × months 0..24
    pd.testing.assert_frame_equal(sim.load_results(remote), expected, check_exact=True)
