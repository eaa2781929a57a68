"""Output directories (issue 9, items 2 and 16): what ``--force`` may replace, what a killed or
failed write leaves behind, and which ``--out`` names are refused before any work.

The ``sim run`` side is checked with a small fake model (no simulation); the ``sim compare``
side with a one-month, one-seed comparison.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim.output
from sim.cli import main
from sim.errors import ConfigError
from sim.metrics import COLUMNS
from sim.output import write_run

ROOT = Path(__file__).resolve().parents[1]
RUN_FILES = {"timeseries.parquet", "timeseries.csv", "compounds.parquet", "figure.png",
             "run.json"}
TINY = ["compare", "baseline", "nanan_131", "--seeds", "1", "--steps", "1", "--workers", "1",
        "--quiet", "--lang", "en"]


class FakeCollector:
    """Stands in for Mesa's DataCollector."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        return self.frame.copy()


class FakeModel:
    """The part of CompoundModel that write_run uses, with synthetic data."""

    def __init__(self, months: int = 3) -> None:
        rng = np.random.default_rng(3)
        self.datacollector = FakeCollector(pd.DataFrame(
            {name: rng.uniform(0, 1, months + 1) for name in COLUMNS}))

    def compound_dataframe(self) -> pd.DataFrame:
        frame = self.datacollector.get_model_vars_dataframe().rename_axis("month").reset_index()
        frame["compound"] = 0
        return frame

    def metadata(self) -> dict[str, Any]:
        return {"seed": 11, "steps": 3, "households": 1, "compounds": 1,
                "config": {"name": "fake"}, "versions": {"sim": "0.1.0"}}


def entries(path: Path) -> set[str]:
    """Names in a directory (hidden temporary directories included)."""
    return {p.name for p in path.iterdir()}


def one_line(err: str, *needles: str) -> str:
    """The error contract: one line ``sim: error: FIELD: ...``, no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def fake_sweep(out: Path, *, with_command: bool) -> None:
    """A sweep's directory: its manifest and a part file."""
    (out / "runs").mkdir(parents=True)
    (out / "runs" / "part-0.parquet").write_bytes(b"PAR1 results")
    manifest: dict[str, Any] = {"format": 1, "name": "smoke", "spec": {}, "problem": {},
                                "runs": []}
    if with_command:
        manifest = {"command": "sweep", **manifest}
    (out / "manifest.json").write_text(json.dumps(manifest))


def tree(path: Path) -> dict[str, bytes]:
    """Every file under ``path`` with its content."""
    return {str(p.relative_to(path)): p.read_bytes() for p in path.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------- item 2: --force


def test_run_json_and_compare_manifest_say_which_command_wrote_them(tmp_path):
    run = write_run(tmp_path / "run", FakeModel(), "en")
    assert json.loads((run / "run.json").read_text(encoding="utf-8"))["command"] == "run"
    assert main([*TINY, "--out", str(tmp_path / "cmp")]) == 0
    manifest = json.loads((tmp_path / "cmp" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "compare"
    assert manifest["command_line"].startswith("sim compare baseline nanan_131 ")


@pytest.mark.parametrize("with_command", [True, False], ids=["sweep", "old-sweep"])
def test_compare_force_refuses_a_sweep_directory(tmp_path, capsys, with_command):
    out = tmp_path / "sweep"
    fake_sweep(out, with_command=with_command)
    before = tree(out)
    assert main([*TINY, "--out", str(out), "--force"]) == 2
    one_line(capsys.readouterr().err, "--out", "sim sweep")
    assert tree(out) == before
    assert entries(tmp_path) == {"sweep"}


def test_run_force_refuses_a_comparison_and_compare_force_refuses_a_run(tmp_path):
    cmp_dir = tmp_path / "cmp"
    assert main([*TINY, "--out", str(cmp_dir)]) == 0
    before = tree(cmp_dir)
    with pytest.raises(ConfigError, match="sim compare") as info:
        write_run(cmp_dir, FakeModel(), "en", force=True)
    assert info.value.field == "--out"
    assert tree(cmp_dir) == before
    run = write_run(tmp_path / "run", FakeModel(), "en")
    before = tree(run)
    assert main([*TINY, "--out", str(run), "--force"]) == 2
    assert tree(run) == before


def test_run_force_keeps_a_users_file_by_refusing_and_naming_it(tmp_path):
    out = write_run(tmp_path / "run", FakeModel(months=2), "en")
    (out / "notes.txt").write_text("my notes on this run")
    before = tree(out)
    with pytest.raises(ConfigError, match=r"notes\.txt") as info:
        write_run(out, FakeModel(months=4), "en", force=True)
    assert info.value.field == "--out"
    assert tree(out) == before
    assert entries(tmp_path) == {"run"}
    (out / "notes.txt").unlink()
    write_run(out, FakeModel(months=4), "en", force=True)  # only its own files: replaced
    assert entries(out) == RUN_FILES
    assert len(pd.read_csv(out / "timeseries.csv")) == 5


def test_compare_force_refuses_a_users_file_inside_figures(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main([*TINY, "--out", str(out)]) == 0
    (out / "figures" / "my_annotated.pdf").write_bytes(b"%PDF")
    before = tree(out)
    assert main([*TINY, "--out", str(out), "--force"]) == 2
    one_line(capsys.readouterr().err, "--out", "figures/my_annotated.pdf")
    assert tree(out) == before
    (out / "figures" / "my_annotated.pdf").unlink()
    assert main([*TINY, "--out", str(out), "--force"]) == 0


def test_force_replaces_outputs_written_before_the_command_key(tmp_path, capsys):
    """Old run.json and compare manifests have no "command": they are known by their keys."""
    run = write_run(tmp_path / "run", FakeModel(), "en")
    meta = json.loads((run / "run.json").read_text(encoding="utf-8"))
    del meta["command"]
    (run / "run.json").write_text(json.dumps(meta))
    write_run(run, FakeModel(months=5), "en", force=True)
    assert len(pd.read_csv(run / "timeseries.csv")) == 6
    cmp_dir = tmp_path / "cmp"
    assert main([*TINY, "--out", str(cmp_dir)]) == 0
    manifest = json.loads((cmp_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["command"] = manifest.pop("command_line")  # as written before
    (cmp_dir / "manifest.json").write_text(json.dumps(manifest))
    assert main([*TINY, "--out", str(cmp_dir), "--force"]) == 0, capsys.readouterr().err


# --------------------------------------------------------------------------- item 16: leftovers

KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from sim.output import write_directory
    def write(tmp):
        (tmp / "timeseries.csv").write_text("half")
        print("writing", flush=True)
        time.sleep(120)
    write_directory(sys.argv[1], write)
""")


def start_writer(out: Path) -> subprocess.Popen[str]:
    """Start a process that writes ``out`` and stops half-way (until killed)."""
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    return proc


def test_hidden_directories_of_a_killed_write_are_cleaned_by_the_next_write(tmp_path):
    out = tmp_path / "run"
    killed, alive = start_writer(out), start_writer(out)
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        (tmp_path / ".run.mine").mkdir()  # a hidden directory of the user's: not ours
        hidden = entries(tmp_path)
        assert len(hidden) == 3, hidden  # two writers' temporary directories and the user's
        write_run(out, FakeModel(), "en")
        left = entries(tmp_path) - {"run", ".run.mine"}
        assert len(left) == 1, left  # the live writer's directory is not touched
        assert left <= hidden
    finally:
        alive.kill()
        alive.wait(timeout=30)
    assert entries(out) == RUN_FILES


def test_a_forced_write_killed_between_renames_leaves_the_old_output_restored(tmp_path):
    out = write_run(tmp_path / "run", FakeModel(months=2), "en")
    script = textwrap.dedent("""
        import os, signal, sys
        import sim.output
        from tests.test_output_dirs import FakeModel
        real = os.replace
        def replace(src, dst):
            real(src, dst)
            os.kill(os.getpid(), signal.SIGKILL)  # after moving the old output aside
        sim.output.os.replace = replace
        sim.output.write_run(sys.argv[1], FakeModel(months=4), "en", force=True)
    """)
    proc = subprocess.run([sys.executable, "-c", script, str(out)], cwd=ROOT, check=False,
                          timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()  # the old output is in a hidden directory beside it
    with pytest.raises(ConfigError, match="--force"):
        write_run(out, FakeModel(months=4), "en")  # restored first, so refused
    assert entries(tmp_path) == {"run"}
    assert len(pd.read_csv(out / "timeseries.csv")) == 3


# --------------------------------------------------------------------------- item 16: disk, names


def test_disk_full_is_one_line_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    out = tmp_path / "a" / "cmp"
    monkeypatch.setattr(pd.DataFrame, "to_csv", full)  # the comparison's summary.csv
    assert main([*TINY, "--out", str(out)]) == 2
    one_line(capsys.readouterr().err, "--out", "No space left on device")
    assert entries(tmp_path) == set()
    monkeypatch.undo()
    monkeypatch.setattr(sim.output, "write_parquet", full)
    with pytest.raises(ConfigError, match="No space left on device"):
        write_run(out, FakeModel(), "en")
    assert entries(tmp_path) == set()


@pytest.mark.parametrize("where", ["last", "parent"])
def test_a_too_long_out_name_is_refused_before_any_run(tmp_path, capsys, monkeypatch, where):
    import sim.experiments.compare as compare_module

    def no_runs(*args: object, **kwargs: object) -> None:
        raise AssertionError("ran before checking --out")

    monkeypatch.setattr(compare_module, "simulate", no_runs)
    long = "比较" * 50  # 300 bytes in UTF-8
    out = tmp_path / long if where == "last" else tmp_path / long / "cmp"
    assert main([*TINY, "--out", str(out)]) == 2
    one_line(capsys.readouterr().err, "--out", "bytes")
    assert entries(tmp_path) == set()
    with pytest.raises(ConfigError, match="bytes"):
        write_run(out, FakeModel(), "en")
    assert entries(tmp_path) == set()


def test_a_name_that_fits_only_without_the_temporary_suffix_is_refused(tmp_path):
    """The hidden temporary directory's name is longer than --out's: check that one too."""
    out = tmp_path / ("r" * 250)
    with pytest.raises(ConfigError, match="bytes"):
        write_run(out, FakeModel(), "en")
    assert entries(tmp_path) == set()
