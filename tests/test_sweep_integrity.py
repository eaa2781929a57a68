"""Issue 9, the sweep engine: resume on changed presets, --force, part files, workers, indices.

Each test is a regression test of one finding of the issue; the sweeps are tiny (a
40-household compound for 6 months) so the file runs in well under a minute. Presets are
written to a temporary folder put first on ``$SIM_CONFIG_PATH`` (:func:`sim.config.config_dirs`),
so a test can change a preset between a sweep's interruption and its resume.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import sim
from sim.cli import main
from sim.errors import ConfigError
from sim.experiments import storage
from sim.experiments.spec import load_sweep
from sim.experiments.storage import MANIFEST, part_files, part_path
from sim.experiments.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[1]
WAIT = 60.0

COMMUNITY = yaml.safe_load((ROOT / "configs" / "communities" / "generic_old_compound.yaml")
                           .read_text(encoding="utf-8"))
COMMUNITY["groups"][0].update(households=40, buildings=2)
DESIGN = yaml.safe_load((ROOT / "configs" / "designs" / "baseline.yaml").read_text(
    encoding="utf-8"))

SPEC: dict[str, Any] = {
    "kind": "sweep",
    "name": "h2",
    "base": str(ROOT / "configs" / "designs" / "baseline.yaml"),
    "set": {"community": "h2_town"},
    "steps": 6,
    "outcomes": ["contribution_rate", "condition"],
    "outcome_months": 3,
    "uncertainties": {"behaviour.weights.face": {"low": 0.0, "high": 3.0}},
    "levers": {"design": {"values": ["h2_design", "nanan_131"]}},
    "sampler": {"method": "latin", "n": 3, "seed": 0},
    "seeds": [0, 1],
}
"""12 runs (3 points × 2 designs × 2 seeds) of 6 months on a 40-household compound."""


@pytest.fixture
def presets(tmp_path, monkeypatch) -> Path:
    """A preset folder searched before configs/, with the community h2_town and design h2_design."""
    root = tmp_path / "presets"
    (root / "communities").mkdir(parents=True)
    (root / "designs").mkdir()
    write_preset(root, "communities", "h2_town", COMMUNITY)
    write_preset(root, "designs", "h2_design", DESIGN)
    monkeypatch.setenv("SIM_CONFIG_PATH", str(root))
    return root


def write_preset(root: Path, kind: str, name: str, data: dict[str, Any]) -> None:
    (root / kind / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                             encoding="utf-8")


def write_spec(path: Path, **changes: Any) -> Path:
    data = {k: v for k, v in {**SPEC, **changes}.items() if v is not None}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def interrupt(out: Path, keep: int) -> None:
    """Leave ``out`` as a sweep killed after ``keep`` runs: later parts gone, not finished."""
    for path in part_files(out)[keep:]:
        path.unlink()
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["finished"] = None
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def sweep(spec: Path, out: Path, *args: str) -> int:
    return main(["sweep", str(spec), "--out", str(out), "--workers", "1", "--quiet", *args])


# --------------------------------------------------------------------------- 1 resume


@pytest.mark.parametrize("kind", ["communities", "designs"])
def test_resume_refuses_when_a_preset_changed_and_redo_changed_gives_the_new_sweep(
        presets, tmp_path, capsys, kind):
    """Item 1: a preset named under set: (community) or in a lever's values: (design) is
    edited between the kill and the resume. Before: the resume finished the sweep, mixing
    old and new data, and the manifest recorded the old inputs."""
    spec = write_spec(tmp_path / "s.yaml")
    out = tmp_path / "sweep"
    assert sweep(spec, out) == 0
    interrupt(out, keep=5)
    if kind == "communities":
        edited = json.loads(json.dumps(COMMUNITY))
        edited["groups"][0]["condition"] = 0.7
        write_preset(presets, kind, "h2_town", edited)
        field = "community.groups[0].condition"
    else:
        edited = json.loads(json.dumps(DESIGN))
        edited["institutions"]["renovation_campaign"]["spend"] = 900
        write_preset(presets, kind, "h2_design", edited)
        field = "design.institutions.renovation_campaign.spend"
    capsys.readouterr()
    assert sweep(spec, out, "--resume") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("sim: error: --resume: the inputs of run 000000 changed"), err
    assert field in err and "--redo-changed" in err and "--force" in err
    assert len(part_files(out)) == 5  # nothing run, nothing deleted
    # --redo-changed: the changed runs are redone, giving the data of a new sweep
    assert sweep(spec, out, "--resume", "--redo-changed") == 0
    fresh = tmp_path / "fresh"
    assert sweep(spec, fresh) == 0
    pd.testing.assert_frame_equal(sim.load_results(out), sim.load_results(fresh),
                                  check_exact=True)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["finished"] and manifest["inputs_changed"]["runs_redone"] > 0
    assert manifest["runs"] == json.loads((fresh / MANIFEST).read_text(encoding="utf-8"))["runs"]


def test_unchanged_inputs_resume_and_redo_changed_needs_resume(presets, tmp_path):
    spec = write_spec(tmp_path / "s.yaml")
    out = tmp_path / "sweep"
    assert sweep(spec, out) == 0
    interrupt(out, keep=4)
    assert sweep(spec, out, "--resume") == 0
    assert len(part_files(out)) == 12
    with pytest.raises(ConfigError) as info:
        run_sweep(spec, tmp_path / "other", workers=1, redo_changed=True, progress=False)
    assert info.value.field == "--redo-changed"


# --------------------------------------------------------------------------- 2 --force


def test_force_never_deletes_a_comparison(tmp_path, capsys):
    """Item 2: before, --force deleted any directory with a manifest.json (sim compare's)."""
    spec = write_spec(tmp_path / "s.yaml", set={"community": "generic_old_compound"},
                      levers=None)
    compare_dir = tmp_path / "comparison"
    compare_dir.mkdir()
    (compare_dir / MANIFEST).write_text(json.dumps(
        {"command": "sim compare baseline nanan_131", "designs": []}), encoding="utf-8")
    (compare_dir / "report.html").write_text("<html></html>", encoding="utf-8")
    assert sweep(spec, compare_dir, "--force") == 2
    err = capsys.readouterr().err
    assert err.startswith("sim: error: --out: ") and "another command" in err, err
    assert "sim compare" in err and err.count("\n") == 1
    assert sorted(p.name for p in compare_dir.iterdir()) == [MANIFEST, "report.html"]


def test_force_lists_foreign_files_and_deletes_only_the_sweeps_own(tmp_path, capsys):
    spec = write_spec(tmp_path / "s.yaml", set={"community": "generic_old_compound"},
                      levers=None, sampler={"method": "sobol", "n": 2})
    out = tmp_path / "sweep"
    assert sweep(spec, out) == 0
    assert main(["analyze", str(out), "--quiet", "--lang", "en"]) == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "runs" / "extra.csv").write_text("x", encoding="utf-8")
    capsys.readouterr()
    assert sweep(spec, out, "--force") == 2
    err = capsys.readouterr().err
    assert "notes.txt" in err and "runs/extra.csv" in err and err.count("\n") == 1, err
    (out / "runs" / "extra.csv").unlink()
    (out / "notes.txt").unlink()
    # leftovers of a killed sweep and a killed analysis are the sweep's own files too
    (out / ".analysis.tmp-abc").mkdir()
    (out / ".analysis.tmp-abc" / "indices.csv").write_text("", encoding="utf-8")
    (out / "runs" / ".part-000001.parquet.x1.tmp").write_bytes(b"half")
    assert sweep(spec, out, "--force") == 0
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "runs"]
    assert len(part_files(out)) == len(json.loads((out / MANIFEST).read_text())["runs"])


def test_an_older_sweep_manifest_without_command_is_still_a_sweep(tmp_path):
    spec = write_spec(tmp_path / "s.yaml", set={"community": "generic_old_compound"},
                      levers=None)
    out = tmp_path / "sweep"
    assert sweep(spec, out) == 0
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    del manifest["command"]
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert len(sim.load_results(out)) == 6 * 7
    assert sweep(spec, out, "--force") == 0


# --------------------------------------------------------------------------- 7 part files


@pytest.fixture
def finished(tmp_path) -> Path:
    spec = write_spec(tmp_path / "s.yaml", set={"community": "generic_old_compound"},
                      levers=None, sampler={"method": "sobol", "n": 2})
    out = tmp_path / "sweep"
    assert sweep(spec, out) == 0
    return out


def _one_line_naming(capsys, path: Path) -> str:
    err = capsys.readouterr().err
    assert err.startswith(f"sim: error: {path}: "), err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_a_stray_part_is_refused_by_load_results_and_analyze(finished, capsys):
    """Item 7: before, a stray part-999999.parquet was averaged in."""
    stray = part_path(finished, "999999")
    shutil.copy(part_files(finished)[0], stray)
    with pytest.raises(ConfigError) as info:
        sim.load_results(finished)
    assert info.value.field == str(stray) and "not a run of this sweep" in info.value.message
    assert main(["analyze", str(finished), "--quiet"]) == 2
    _one_line_naming(capsys, stray)
    spec = Path(json.loads((finished / MANIFEST).read_text())["source"])
    assert sweep(spec, finished, "--resume") == 2  # the same rule; the file is left alone
    _one_line_naming(capsys, stray)
    assert stray.exists()


def test_a_swapped_part_is_refused(finished, capsys):
    """Item 7: before, two part files swapped changed S1/ST silently."""
    a, b = part_files(finished)[0], part_files(finished)[3]
    tmp = a.with_suffix(".swap")
    a.rename(tmp)
    b.rename(a)
    tmp.rename(b)
    assert main(["analyze", str(finished), "--quiet"]) == 2
    err = _one_line_naming(capsys, a)
    assert "holds run 000003, not run 000000" in err
    with pytest.raises(ConfigError, match="holds run"):
        sim.load_results(finished)


def test_a_corrupt_part_is_a_one_line_error(finished, capsys):
    """Item 7: before, a corrupt part was a pyarrow traceback."""
    bad = part_files(finished)[2]
    bad.write_bytes(b"PAR1 this is not parquet")
    assert main(["analyze", str(finished), "--quiet"]) == 2
    assert "corrupt" in _one_line_naming(capsys, bad)
    with pytest.raises(ConfigError, match="corrupt"):
        sim.load_results(finished)
    # --resume redoes it (the same rule), after which both readers accept the sweep
    spec = Path(json.loads((finished / MANIFEST).read_text())["source"])
    assert sweep(spec, finished, "--resume") == 0
    assert len(sim.load_results(finished)) == len(part_files(finished)) * 7


def test_missing_parts_warn_in_load_results_and_refuse_analyze(finished, capsys):
    part_files(finished)[1].unlink()
    with pytest.warns(UserWarning, match="1 of 12 runs have no part file"):
        df = sim.load_results(finished)
    assert df["run_id"].nunique() == 11
    assert main(["analyze", str(finished), "--quiet"]) == 2
    assert "runs are missing" in capsys.readouterr().err


# --------------------------------------------------------------------------- 8 workers


def _children(pid: int) -> set[int]:
    """Every descendant of ``pid`` (from /proc/<pid>/task/*/children)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                for child in (task / "children").read_text().split():
                    if int(child) not in found:
                        found.add(int(child))
                        todo.append(int(child))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_sigkill_of_the_driver_leaves_no_worker_writing(tmp_path):
    """Item 8: before, the workers of a SIGKILLed driver kept running and writing parts."""
    spec = write_spec(tmp_path / "s.yaml", set={"community": "generic_old_compound"},
                      levers=None, steps=24, sampler={"method": "latin", "n": 200})
    out = tmp_path / "sweep"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(spec), "--out", str(out),
                             "--workers", "2", "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + WAIT
        while not part_files(out) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None and part_files(out), "the sweep wrote no part file"
        workers = _children(proc.pid)
        assert len(workers) >= 2, workers
        os.kill(proc.pid, signal.SIGKILL)  # the driver only, as the OOM killer would
        proc.wait(timeout=WAIT)
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        alive = [pid for pid in workers if _alive(pid)]
        assert not alive, f"workers still running 5 s after the driver died: {alive}"
        count = len(part_files(out))
        time.sleep(1.0)
        assert len(part_files(out)) == count
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=WAIT)


# --------------------------------------------------------------------------- 11 indices


@pytest.mark.parametrize(("method", "values", "flags"), [
    ("sobol", {"S1": -0.08, "S1_conf": 0.3, "ST": 1.03, "ST_conf": 0.3}, "S1:wide"),
    ("sobol", {"S1": 0.5, "S1_conf": 0.1, "ST": 1.3, "ST_conf": 0.2}, "ST:outside"),
    ("sobol", {"S1": -0.2, "S1_conf": 0.05, "ST": 0.6, "ST_conf": 0.1}, "S1:outside"),
    ("sobol", {"S1": 0.4, "S1_conf": 0.1, "ST": 0.6, "ST_conf": 0.1}, ""),
    ("sobol", {"S1": float("nan"), "S1_conf": 0.1, "ST": 0.6, "ST_conf": 0.7},
     "S1:undefined;ST:wide"),
    ("morris", {"mu": 0.1, "mu_star": 0.1, "sigma": 0.2, "mu_star_conf": 0.3}, "mu_star:wide"),
    ("morris", {"mu": 2.0, "mu_star": 2.0, "sigma": 0.2, "mu_star_conf": 0.3}, ""),
])
def test_index_warning_rule(method, values, flags):
    from sim.experiments.analyze import index_warning

    assert index_warning(method, values) == flags


def test_analyze_flags_uncertain_indices_in_csv_stdout_and_figure(finished, capsys):
    """Item 11: before, n = 2 gave indices and ±intervals of any size without a word."""
    assert main(["analyze", str(finished), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    indices = pd.read_csv(finished / "analysis" / "indices.csv", keep_default_na=False)
    assert "warning" in indices.columns
    wide = (indices["S1_conf"] > indices["S1"].abs()) | (indices["ST_conf"] > indices["ST"].abs())
    assert (indices.loc[wide, "warning"] != "").all() and wide.any()
    assert "cannot be told from 0" in out and "increase sampler.n" in out
    # nothing clipped: the CSV has SALib's values
    assert indices["S1"].min() < 0 or indices["ST"].max() > 1 or wide.any()


def test_sweep_suggests_only_what_a_latin_sweep_can_do(tmp_path, capsys):
    spec = write_spec(tmp_path / "s.yaml", set={"community": "generic_old_compound"},
                      levers=None)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o"), "--workers", "1",
                 "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "sim analyze" not in out and "sim.load_results" in out and "latin" in out


def test_shipped_sobol_sweep_states_its_size():
    path = ROOT / "configs" / "sweeps" / "sobol_behaviour.yaml"
    from sim.experiments.sampling import count_runs

    runs = count_runs(load_sweep(path))
    assert load_sweep(path).spec.sampler.n >= 256
    assert f"{runs} runs" in path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- 16 odds and ends


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, capsys):
    """Item 16: before, tqdm wrote its bar into logs (stderr not a TTY)."""
    spec = write_spec(tmp_path / "s.yaml", set={"community": "generic_old_compound"},
                      levers=None)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o"), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert err == "", err


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts connections and never says anything."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                conn, _ = server.accept()
                held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        server.close()


@contextlib.contextmanager
def http_server() -> Iterator[int]:
    class Quiet(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("server", [silent_server, http_server], ids=["tcp", "http"])
def test_a_scheduler_address_that_is_not_dask_fails_within_seconds(tmp_path, capsys, server):
    """Item 16: before, a silent server kept the sweep waiting for Dask's timeout."""
    spec = write_spec(tmp_path / "s.yaml", set={"community": "generic_old_compound"},
                      levers=None)
    out = tmp_path / "o"
    with server() as port:
        start = time.monotonic()
        code = main(["sweep", str(spec), "--out", str(out), "--scheduler",
                     f"tcp://127.0.0.1:{port}", "--quiet"])
        took = time.monotonic() - start
    err = capsys.readouterr().err
    assert code == 2 and took < 10, (code, took, err)
    assert err.startswith("sim: error: --scheduler: ") and "not a Dask scheduler" in err
    assert err.count("\n") == 1 and not out.exists()


def test_temporary_leftovers_are_removed_on_resume_and_on_a_new_sweep(tmp_path):
    spec = write_spec(tmp_path / "s.yaml", set={"community": "generic_old_compound"},
                      levers=None)
    out = tmp_path / "o"
    assert sweep(spec, out) == 0
    interrupt(out, keep=3)
    leftovers = [out / "runs" / ".part-000004.parquet.ab12.tmp", out / ".manifest.json.x.tmp"]
    for path in leftovers:
        path.write_bytes(b"half")
    assert sweep(spec, out, "--resume") == 0
    assert not any(p.exists() for p in leftovers)
    # a sweep killed before its manifest: only an empty runs/ and a temporary file
    fresh = tmp_path / "killed-early"
    (fresh / "runs").mkdir(parents=True)
    (fresh / ".manifest.json.y.tmp").write_bytes(b"")
    assert sweep(spec, fresh) == 0
    assert sorted(p.name for p in fresh.iterdir()) == [MANIFEST, "runs"]


def test_disk_full_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    """Item 16: before, ENOSPC while writing a part was a traceback."""
    import pyarrow.parquet as pq

    def full(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pq, "write_table", full)
    spec = write_spec(tmp_path / "s.yaml", set={"community": "generic_old_compound"},
                      levers=None)
    out = tmp_path / "o"
    assert sweep(spec, out) == 2
    err = capsys.readouterr().err
    assert err.startswith("sim: error: --out: cannot write ") and "disk full" in err, err
    assert "--resume" in err and err.count("\n") == 1
    assert not [p for p in (out / "runs").iterdir()]  # no half-written part


def test_disk_full_in_analyze_is_a_one_line_error(finished, capsys, monkeypatch):
    def full(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    assert main(["analyze", str(finished), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sim: error: --out: cannot write ") and "disk full" in err, err
    assert not (finished / "analysis").exists()
    assert not list(finished.glob(".analysis.tmp-*"))


def test_disk_full_writing_the_manifest_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    def full(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(storage, "atomic_write_text", full)
    spec = write_spec(tmp_path / "s.yaml", set={"community": "generic_old_compound"},
                      levers=None)
    assert sweep(spec, tmp_path / "o") == 2
    err = capsys.readouterr().err
    assert err.startswith("sim: error: --out: cannot write ") and "disk full" in err, err


def test_a_too_long_out_name_is_a_one_line_error(tmp_path, capsys):
    """Item 16: before, a name over 255 bytes was an OSError traceback."""
    spec = write_spec(tmp_path / "s.yaml", set={"community": "generic_old_compound"},
                      levers=None)
    out = tmp_path / ("x" * 300)
    assert sweep(spec, out) == 2
    err = capsys.readouterr().err
    assert err.startswith("sim: error: --out: the name 'xxx") and "255 bytes" in err, err
    assert err.count("\n") == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"sampler": {"method": "latin", "n": 1_000_000_000}}, "sampler.n"),
    ({"sampler": {"method": "full_factorial", "levels": 1000},
      "uncertainties": {"behaviour.weights.face": {"low": 0, "high": 3},
                        "behaviour.weights.trust": {"low": 0, "high": 2},
                        "behaviour.noise": {"low": 0.1, "high": 1}}}, "sampler.levels"),
    ({"sampler": {"method": "full_factorial"}, "uncertainties": None,
      "levers": {f"behaviour.weights.{w}": {"values": list(range(10))}
                 for w in ("face", "trust", "dependence", "public_spirit", "cost")}
      | {"behaviour.noise": {"values": [0.1 * i for i in range(1, 11)]},
         "initial.committed": {"values": list(range(10))}}},
     "levers.behaviour.weights.face"),
])
def test_an_absurd_sweep_is_refused_at_once_with_an_estimate(tmp_path, changes, field):
    """Item 16: before, n: 1e9 was refused without an estimate, and ten lists of values
    (10^7 combinations) were all checked against the scenario before the count."""
    path = write_spec(tmp_path / "s.yaml", set={"community": "generic_old_compound"},
                      **{"levers": None, **changes})
    start = time.monotonic()
    with pytest.raises(ConfigError) as info:
        load_sweep(path)
    assert time.monotonic() - start < 5
    assert info.value.field == field, str(info.value)
    assert "runs" in info.value.message and "manifest alone would take about" in info.value.message
