"""One experiment engine (issue 10, item 3): ``sim compare`` runs as a sweep whose lever is the
design, so a comparison streams to part files, resumes after a kill, runs on a Dask cluster,
is read by ``sim.load_results``, and its report is ``sim report DIR`` over the stored runs.

Comparisons are small (the 200-household default community, a few months); the killed one
and the Dask cluster are subprocesses, as in ``tests/test_sweep.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.experiments.storage import part_files
from sim.metrics import COLUMNS
from tests.test_output_dirs import one_line
from tests.test_sweep import dask_cluster  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[1]
DESIGNS = ["baseline", "nanan_131"]
WAIT = 120.0


def compare_args(out: Path, seeds: int, steps: int, *extra: str) -> list[str]:
    return ["compare", *DESIGNS, "--seeds", str(seeds), "--steps", str(steps), "--lang", "en",
            "--quiet", "--out", str(out), *extra]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished comparison: two designs × three seeds × six months, in this process."""
    out = tmp_path_factory.mktemp("small") / "cmp"
    assert main(compare_args(out, 3, 6, "--workers", "1")) == 0
    return out


# --------------------------------------------------------------------------- load_results


def test_load_results_reads_a_comparison(small):
    df = sim.load_results(small)
    assert len(df) == 2 * 3 * 7  # one row per run and month
    assert list(df.columns[:5]) == ["run_id", "sample", "seed", "month", "design"]
    assert set(COLUMNS) <= set(df.columns)
    assert df.groupby("design").size().to_dict() == {"baseline": 21, "nanan_131": 21}
    assert sorted(df["seed"].unique()) == [0, 1, 2]
    ts = pd.read_parquet(small / "timeseries.parquet")  # the report's table: the same numbers
    np.testing.assert_array_equal(df[list(COLUMNS)].to_numpy(), ts[list(COLUMNS)].to_numpy())
    assert (df["design"].to_numpy() == ts["design"].to_numpy()).all()


def test_manifest_is_a_sweep_manifest_saying_compare(small):
    manifest = json.loads((small / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "compare" and manifest["format"] == "sim-sweep/1"
    assert manifest["finished"] is not None
    assert [p["name"] for p in manifest["params"]] == ["design"]
    assert [g["design"] for g in manifest["groups"]] == DESIGNS
    assert len(manifest["runs"]) == 6 and all("scenario" in r for r in manifest["runs"])
    assert manifest["outcome_months"] == 6  # the window: all months but month 0


# --------------------------------------------------------------------------- sim report


def test_sim_report_regenerates_the_report(small, tmp_path, capsys):
    summary = (small / "summary.csv").read_bytes()
    runs = (small / "runs.csv").read_bytes()
    for name in ("report.html", "summary.csv", "runs.csv"):
        (small / name).unlink()
    assert main(["report", str(small), "--quiet"]) == 0
    assert (small / "summary.csv").read_bytes() == summary
    assert (small / "runs.csv").read_bytes() == runs
    assert 'lang="en"' in (small / "report.html").read_text(encoding="utf-8")
    assert main(["report", str(small), "--lang", "zh", "--quiet"]) == 0
    assert 'lang="zh' in (small / "report.html").read_text(encoding="utf-8")
    zh = pd.read_csv(small / "summary.csv", encoding="utf-8-sig")
    en = pd.read_csv(pd.io.common.BytesIO(summary), encoding="utf-8-sig")
    pd.testing.assert_frame_equal(zh.drop(columns=["design_label", "outcome_label"]),
                                  en.drop(columns=["design_label", "outcome_label"]),
                                  check_exact=True)
    assert not [p for p in small.iterdir() if p.name.startswith(".")]  # no temporary folder
    assert main(["report", str(small), "--lang", "en"]) == 0  # as it was, for the other tests
    assert (small / "summary.csv").read_bytes() == summary
    assert "report.html" in capsys.readouterr().out


def test_sim_report_refuses_what_is_not_a_finished_comparison(small, tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing")]) == 2
    one_line(capsys.readouterr().err, "not a comparison")
    manifest = json.loads((small / "manifest.json").read_text(encoding="utf-8"))
    unfinished = tmp_path / "unfinished"
    (unfinished / "runs").mkdir(parents=True)
    for part in part_files(small)[:4]:
        (unfinished / "runs" / part.name).write_bytes(part.read_bytes())
    (unfinished / "manifest.json").write_text(json.dumps({**manifest, "finished": None}))
    before = sorted(p.name for p in unfinished.rglob("*"))
    assert main(["report", str(unfinished)]) == 2
    one_line(capsys.readouterr().err, "unfinished", "2 of 6 runs", "--resume")
    assert sorted(p.name for p in unfinished.rglob("*")) == before


# --------------------------------------------------------------------------- resume after a kill


def test_killed_comparison_resumes_to_the_same_data(tmp_path, capsys):
    seeds, steps = 30, 24
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "sim", *compare_args(out, seeds, steps,
                                                                        "--workers", "2")],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + WAIT
        while len(part_files(out)) < 4 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the comparison ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)  # the driver, as the OOM killer would
        proc.wait(timeout=WAIT)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=WAIT)
    time.sleep(0.5)  # the workers die with the driver
    killed_at = len(part_files(out))
    assert 4 <= killed_at < 2 * seeds, killed_at
    assert not (out / "summary.csv").exists()  # no report of an unfinished comparison
    assert main(["report", str(out)]) == 2
    one_line(capsys.readouterr().err, "unfinished")
    assert main(compare_args(out, seeds, steps)) == 2  # without --resume: refused, untouched
    one_line(capsys.readouterr().err, "--out")
    assert len(part_files(out)) == killed_at
    assert main(compare_args(out, seeds + 1, steps, "--resume", "--workers", "1")) == 2
    one_line(capsys.readouterr().err, "--resume", "seeds")  # other arguments: refused
    assert main(compare_args(out, seeds, steps, "--resume", "--workers", "2")) == 0
    whole = tmp_path / "whole"
    assert main(compare_args(whole, seeds, steps, "--workers", "2")) == 0
    pd.testing.assert_frame_equal(sim.load_results(out), sim.load_results(whole),
                                  check_exact=True)
    for name in ("summary.csv", "runs.csv", "timeseries.csv"):
        assert (out / name).read_bytes() == (whole / name).read_bytes(), name
    assert not [p for p in out.rglob(".*")]  # no temporary file left


# --------------------------------------------------------------------------- Dask


def test_scheduler_gives_the_local_data(small, dask_cluster, tmp_path):  # noqa: F811
    out = tmp_path / "dask"
    assert main(compare_args(out, 3, 6, "--scheduler", dask_cluster)) == 0
    pd.testing.assert_frame_equal(sim.load_results(out), sim.load_results(small),
                                  check_exact=True)
    assert (out / "summary.csv").read_bytes() == (small / "summary.csv").read_bytes()


def test_scheduler_and_workers_together_are_refused(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(compare_args(out, 1, 1, "--scheduler", "tcp://127.0.0.1:9", "--workers",
                             "2")) == 2
    one_line(capsys.readouterr().err, "--workers", "--scheduler")
    assert not out.exists()


def test_unreachable_scheduler_writes_nothing(tmp_path, capsys):
    out = tmp_path / "a" / "cmp"
    assert main(compare_args(out, 1, 1, "--scheduler", "tcp://127.0.0.1:9")) == 2
    one_line(capsys.readouterr().err, "--scheduler")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- one rule


def test_sweep_and_compare_know_each_others_directories(small, tmp_path, capsys):
    from sim.experiments import storage
    from sim.experiments.compare import compare_output
    from sim.output import output_command

    assert output_command(small) == "compare"
    own, foreign = storage.own_files(small, compare_output())
    assert foreign == [] and any(p.name == "part-000000.parquet" for p in own)
    spec = tmp_path / "s.yaml"
    spec.write_text("kind: sweep\nname: s\nbase: baseline\nsteps: 1\noutcome_months: 1\n"
                    "seeds: [0]\n"
                    "levers:\n  design: {values: [baseline]}\n"
                    "sampler: {method: full_factorial}\n", encoding="utf-8")
    assert main(["sweep", str(spec), "--out", str(small), "--force", "--quiet"]) == 2
    one_line(capsys.readouterr().err, "--out", "compare")
    assert main(["analyze", str(small)]) == 2  # sim analyze reads sweeps only
    one_line(capsys.readouterr().err)


def test_full_disk_while_running_leaves_nothing_and_says_so(tmp_path, monkeypatch, capsys):
    import errno

    import sim.experiments.executors as executors

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(executors, "write_part", full)
    out = tmp_path / "a" / "cmp"
    assert main(compare_args(out, 1, 1, "--workers", "1")) == 2
    line = one_line(capsys.readouterr().err, "--out", "No space left on device",
                    "nothing was kept")
    assert "--resume" not in line
    assert list(tmp_path.iterdir()) == []


def test_force_restores_the_earlier_comparison_when_the_new_one_fails(small, tmp_path,
                                                                      monkeypatch, capsys):
    import shutil

    import sim.experiments.compare as compare_module

    out = tmp_path / "cmp"
    shutil.copytree(small, out)
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))

    def interrupted(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(compare_module, "simulate", interrupted)
    assert main(compare_args(out, 2, 2, "--workers", "1", "--force")) == 2
    one_line(capsys.readouterr().err, "interrupted")
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before
    assert {p.name for p in tmp_path.iterdir()} == {"cmp"}


def test_sim_report_keeps_a_users_file_in_figures_by_refusing(small, tmp_path, capsys):
    import shutil

    out = tmp_path / "cmp"
    shutil.copytree(small, out)
    (out / "figures" / "mine.pdf").write_bytes(b"%PDF")
    (out / "notes.txt").write_text("my notes")  # beside the report: not in its way
    assert main(["report", str(out)]) == 2
    one_line(capsys.readouterr().err, "--out", "figures/mine.pdf")
    (out / "figures" / "mine.pdf").unlink()
    assert main(["report", str(out), "--quiet"]) == 0
    assert (out / "notes.txt").read_text() == "my notes"


def test_ctrl_c_of_a_resumed_comparison_keeps_its_runs(small, tmp_path, monkeypatch, capsys):
    import shutil

    import sim.experiments.compare as compare_module

    out = tmp_path / "cmp"
    shutil.copytree(small, out)
    for path in [*part_files(out)[-2:], out / "summary.csv", out / "report.html"]:
        path.unlink()  # as a comparison killed after four of its six runs
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (out / "manifest.json").write_text(json.dumps({**manifest, "finished": None}))
    real = compare_module.simulate

    def interrupted(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(compare_module, "simulate", interrupted)
    assert main(compare_args(out, 3, 6, "--workers", "1", "--resume")) == 2
    one_line(capsys.readouterr().err, "interrupted", "kept", "--resume")
    assert len(part_files(out)) == 4
    monkeypatch.setattr(compare_module, "simulate", real)
    assert main(compare_args(out, 3, 6, "--workers", "1", "--resume")) == 0
    assert (out / "summary.csv").read_bytes() == (small / "summary.csv").read_bytes()
