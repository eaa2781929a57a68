"""The `sim` command and run outputs: what a user sees on success and on every kind of bad input.

CLI tests run the command both in-process (``main([...])``) and as a user would
(``python -m sim ...`` in a subprocess). Output-writing tests use a small fake
model so that atomicity can be checked without running the simulation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim.output
from sim.cli import build_parser, default_outdir, main, parse_set
from sim.errors import ConfigError
from sim.metrics import COLUMNS
from sim.output import write_run

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "configs" / "designs" / "baseline.yaml"
OUTPUT_FILES = ["timeseries.parquet", "timeseries.csv", "compounds.parquet", "figure.png",
                "run.json"]


# --------------------------------------------------------------------------- helpers


def run_subprocess(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGS`` as a user would, capturing text output."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=600,
                          check=False)


def assert_one_line_error(stderr: str, *needles: str) -> str:
    """Check the error contract: one line, ``sim: error: FIELD: ...``, no traceback."""
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith("sim: error: "), line
    assert len(line.split(": ")) >= 3, f"no field named: {line}"
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    return line


def read_timeseries(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the Parquet and CSV time series of a run directory."""
    return (pd.read_parquet(out / "timeseries.parquet"),
            pd.read_csv(out / "timeseries.csv"))


def assert_same_table(parquet: pd.DataFrame, csv: pd.DataFrame) -> None:
    """The CSV holds exactly the numbers of the Parquet file."""
    assert list(parquet.columns) == list(csv.columns)
    pd.testing.assert_frame_equal(parquet, csv, check_dtype=False, check_exact=True)


def entries(path: Path) -> set[str]:
    """Names in a directory (to check that nothing, not even a temp dir, was left)."""
    return {p.name for p in path.iterdir()}


class FakeCollector:
    """Stands in for Mesa's DataCollector."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        return self.frame.copy()


class FakeModel:
    """The part of CompoundModel that write_run uses, with synthetic data."""

    def __init__(self, months: int = 6, meta: dict[str, Any] | None = None) -> None:
        rng = np.random.default_rng(3)
        self.datacollector = FakeCollector(pd.DataFrame(
            {name: rng.uniform(0, 1, months + 1) for name in COLUMNS}))
        self.meta = meta if meta is not None else {
            "seed": np.int64(11), "config": {"name": "fake", "run": {"steps": months}},
            "versions": {"sim": "0.1.0"}}

    def compound_dataframe(self) -> pd.DataFrame:
        frame = self.datacollector.get_model_vars_dataframe().rename_axis("month").reset_index()
        frame["compound"] = 0
        frame["group"] = "dormitory"
        return frame

    def metadata(self) -> dict[str, Any]:
        return self.meta


# --------------------------------------------------------------------------- write_run


def test_write_run_writes_every_file(tmp_path):
    out = write_run(tmp_path / "run", FakeModel(), "zh")
    assert out == tmp_path / "run"
    assert entries(out) == set(OUTPUT_FILES)
    assert entries(tmp_path) == {"run"}  # no temporary directory left beside it
    parquet, csv = read_timeseries(out)
    assert_same_table(parquet, csv)
    assert list(parquet.columns) == ["month", *COLUMNS]
    assert parquet["month"].tolist() == list(range(7))
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["seed"] == 11
    units = json.loads(pq.read_schema(out / "timeseries.parquet").metadata[b"sim.columns"])
    assert units["gov_spending"]["unit"] == "yuan"
    compounds = pd.read_parquet(out / "compounds.parquet")
    assert {"month", "compound", "group"} <= set(compounds.columns)
    assert (out / "figure.png").read_bytes().startswith(b"\x89PNG")


def test_write_run_without_compound_dataframe(tmp_path):
    class Minimal:
        datacollector = FakeModel().datacollector

        def metadata(self) -> dict[str, Any]:
            return {"seed": 1}

    out = write_run(tmp_path / "run", Minimal(), "en")
    assert entries(out) == set(OUTPUT_FILES) - {"compounds.parquet"}


def test_write_run_refuses_non_empty_directory(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    with pytest.raises(ConfigError) as info:
        write_run(out, FakeModel(), "zh")
    assert info.value.field == "--out"
    assert "--force" in info.value.message
    assert entries(out) == {"keep.txt"}
    assert entries(tmp_path) == {"run"}


def test_write_run_refuses_a_file(tmp_path):
    (tmp_path / "run").write_text("x")
    with pytest.raises(ConfigError, match="not a directory"):
        write_run(tmp_path / "run", FakeModel(), "zh", force=True)


def test_write_run_uses_an_existing_empty_directory(tmp_path):
    (tmp_path / "run").mkdir()
    out = write_run(tmp_path / "run", FakeModel(), "zh")
    assert entries(out) == set(OUTPUT_FILES)


def test_write_run_force_replaces_an_earlier_run(tmp_path):
    out = write_run(tmp_path / "run", FakeModel(months=2), "zh")
    write_run(out, FakeModel(months=4), "zh", force=True)
    assert entries(out) == set(OUTPUT_FILES)
    assert len(pd.read_csv(out / "timeseries.csv")) == 5
    assert entries(tmp_path) == {"run"}


def test_force_never_replaces_other_directories(tmp_path, monkeypatch):
    other = tmp_path / "thesis"
    other.mkdir()
    (other / "chapter1.tex").write_text("precious")
    with pytest.raises(ConfigError, match=r"run\.json"):
        write_run(other, FakeModel(), "zh", force=True)
    assert entries(other) == {"chapter1.tex"}
    monkeypatch.chdir(other)
    for here in [".", "..", str(tmp_path / "thesis" / "sub" / "..")]:
        with pytest.raises(ConfigError, match="current directory"):
            write_run(here, FakeModel(), "zh", force=True)
    assert entries(other) == {"chapter1.tex"}


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    def broken_plot(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("plot failed")

    monkeypatch.setattr(sim.output, "plot_timeseries", broken_plot)
    with pytest.raises(RuntimeError, match="plot failed"):
        write_run(tmp_path / "a" / "b" / "run", FakeModel(), "zh")
    assert entries(tmp_path) == set()  # also the parents created for it are gone


def test_interrupted_forced_write_keeps_the_old_directory(tmp_path, monkeypatch):
    out = write_run(tmp_path / "run", FakeModel(), "zh")
    (out / "timeseries.csv").write_text("old")

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.output, "plot_timeseries", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_run(out, FakeModel(), "zh", force=True)
    assert entries(out) == set(OUTPUT_FILES) and (out / "timeseries.csv").read_text() == "old"
    assert entries(tmp_path) == {"run"}


def test_unserialisable_metadata_leaves_nothing(tmp_path):
    with pytest.raises(TypeError, match="JSON"):
        write_run(tmp_path / "run", FakeModel(meta={"seed": 1, "bad": object()}), "zh")
    assert entries(tmp_path) == set()


# --------------------------------------------------------------------------- parsing helpers


def test_parse_set_reads_values_as_yaml():
    changes = parse_set(["behaviour.noise=0.2", "community=heping_road",
                         "behaviour.threshold={dist: normal, mean: 0.25, sd: 0.1}",
                         "run.seed=3", "x=true", "name=no", "behaviour.noise=0.5", "a=b=c"])
    assert changes == {"community": "heping_road",
                       "behaviour.threshold": {"dist": "normal", "mean": 0.25, "sd": 0.1},
                       "run.seed": 3, "x": True, "name": "no", "behaviour.noise": 0.5,
                       "a": "b=c"}


@pytest.mark.parametrize("pair", ["behaviour.noise", "=0.2", "behaviour.threshold={dist: x"])
def test_parse_set_errors_name_set(pair):
    with pytest.raises(ConfigError) as info:
        parse_set([pair])
    assert info.value.field == "--set"


def test_default_outdir_is_safe():
    assert default_outdir("baseline", 7) == Path("out") / "baseline-7"
    assert default_outdir("南岸 131/试点", 1) == Path("out") / "南岸_131_试点-1"
    assert default_outdir("..", 2) == Path("out") / "scenario-2"


# --------------------------------------------------------------------------- help


def test_help_teaches_usage(capsys):
    assert main(["run", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # undo line wrapping
    for needle in ["CONFIG", "--steps", "--seed", "--out", "--set", "--lang", "--force",
                   "--quiet", "default: zh", "out/<design>-<community>-<seed>", "default: none",
                   "behaviour.noise=0.2", "community=heping_road",
                   "'behaviour.threshold={dist: normal, mean: 0.25, sd: 0.1}'",
                   ("sim run configs/designs/baseline.yaml --set community=heping_road "
                    "--steps 120 --out out/demo"), "示例", "运行一个情景", "heping_road"]:
        assert needle in text, needle


def test_top_level_help_lists_commands(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "run" in text and "小区治理仿真" in text


def test_every_command_has_a_handler():
    parser = build_parser()
    args = parser.parse_args(["run", "x.yaml"])
    assert callable(args.handler)


# --------------------------------------------------------------------------- sim run


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory) -> Path:
    """One short run through main(), shared by the checks of its outputs."""
    out = tmp_path_factory.mktemp("runs") / "baseline"
    assert main(["run", str(BASELINE), "--steps", "3", "--seed", "7", "--out", str(out),
                 "--quiet"]) == 0
    return out


def test_run_writes_all_outputs(baseline_run):
    assert entries(baseline_run) == set(OUTPUT_FILES)
    assert entries(baseline_run.parent) == {"baseline"}


def test_run_json_records_seed_config_and_versions(baseline_run):
    meta = json.loads((baseline_run / "run.json").read_text(encoding="utf-8"))
    assert meta["seed"] == 7
    assert meta["config"]["run"]["steps"] == 3
    assert meta["config"]["run"]["seed"] == 7
    assert meta["versions"]


def test_run_timeseries_parquet_equals_csv(baseline_run):
    parquet, csv = read_timeseries(baseline_run)
    assert_same_table(parquet, csv)
    assert list(parquet.columns) == ["month", *COLUMNS]
    months = parquet["month"].tolist()
    assert months == list(range(months[0], months[0] + len(months)))
    assert months[-1] == 3


def test_run_compounds_frame(baseline_run):
    compounds = pd.read_parquet(baseline_run / "compounds.parquet")
    assert {"month", "compound", "group"} <= set(compounds.columns)


def test_same_seed_same_numbers(baseline_run, tmp_path):
    again = tmp_path / "again"
    assert main(["run", str(BASELINE), "--steps", "3", "--seed", "7", "--out", str(again),
                 "--quiet", "--lang", "en"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(baseline_run / "timeseries.parquet"),
                                  pd.read_parquet(again / "timeseries.parquet"))


def test_run_default_out_and_drawn_seed(tmp_path, monkeypatch, capsys):
    from sim.config import load_config

    monkeypatch.chdir(tmp_path)
    assert main(["run", str(BASELINE), "--steps", "1"]) == 0
    printed = capsys.readouterr().out
    (out,) = (tmp_path / "out").iterdir()
    seed = json.loads((out / "run.json").read_text(encoding="utf-8"))["seed"]
    scn = load_config(BASELINE)
    assert out.name == f"{scn.design.name}-{scn.community.name}-{seed}"
    assert str(seed) in printed and out.name in printed


def test_run_refuses_existing_out_then_force(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["run", str(BASELINE), "--steps", "1", "--seed", "1", "--out", str(out), "--quiet"]
    assert main(args) == 0
    (out / "notes.txt").write_text("mine")
    capsys.readouterr()
    assert main(args) == 2
    assert_one_line_error(capsys.readouterr().err, "--out", "--force")
    assert entries(out) == {*OUTPUT_FILES, "notes.txt"}
    assert main([*args, "--force"]) == 2  # --force never deletes a file the run did not write
    assert_one_line_error(capsys.readouterr().err, "--out", "notes.txt")
    assert entries(out) == {*OUTPUT_FILES, "notes.txt"}
    (out / "notes.txt").unlink()
    assert main([*args, "--force"]) == 0
    assert entries(out) == set(OUTPUT_FILES)


def test_force_refuses_a_directory_that_is_not_a_run(tmp_path, capsys):
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.tex").write_text("precious")
    assert main(["run", str(BASELINE), "--steps", "1", "--out", str(out), "--force"]) == 2
    assert_one_line_error(capsys.readouterr().err, "--out", "run.json")
    assert entries(out) == {"chapter1.tex"}


def test_run_in_subprocess(tmp_path):
    result = run_subprocess(["run", str(BASELINE), "--steps", "2", "--seed", "5",
                             "--out", "demo"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "demo" in result.stdout and "5" in result.stdout
    assert entries(tmp_path / "demo") == set(OUTPUT_FILES)
    meta = json.loads((tmp_path / "demo" / "run.json").read_text(encoding="utf-8"))
    assert meta["seed"] == 5


# --------------------------------------------------------------------------- bad input

BAD_INPUT: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "missing_file": (["run", "{tmp}/nope.yaml"], ("nope.yaml", "not found")),
    "yaml_syntax": (["run", "{tmp}/broken.yaml"], ("broken.yaml", "YAML")),
    "unknown_key": (["run", "{cfg}", "--set", "behaviour.noize=0.1"],
                    ("behaviour.noize", "noise")),
    "wrong_type": (["run", "{cfg}", "--set", "behaviour.noise=abc"], ("behaviour.noise",)),
    "out_of_range": (["run", "{cfg}", "--set", "behaviour.noise=-1"], ("behaviour.noise",)),
    "unknown_design": (["run", "{cfg}", "--set", "design=nanan_13x"], ("design", "nanan_13x")),
    "unknown_community": (["run", "{cfg}", "--set", "community=heping_rd"],
                          ("community", "heping_rd")),
    "negative_steps": (["run", "{cfg}", "--steps", "-5"], ("--steps", "run.steps")),
    "negative_seed": (["run", "{cfg}", "--seed", "-1"], ("--seed", "run.seed")),
    "set_without_equals": (["run", "{cfg}", "--set", "behaviour.noise"], ("--set",)),
    "set_bad_yaml": (["run", "{cfg}", "--set", "behaviour.threshold={dist: normal"],
                     ("--set", "behaviour.threshold")),
    "steps_not_int": (["run", "{cfg}", "--steps", "abc"], ("--steps",)),
    "bad_lang": (["run", "{cfg}", "--lang", "fr"], ("--lang",)),
    "unknown_option": (["run", "{cfg}", "--bogus"], ("--bogus", "sim run --help")),
    "misspelt_option": (["run", "{cfg}", "--step", "3"], ("--step", "did you mean --steps?")),
    "missing_config": (["run"], ("CONFIG",)),
    "unknown_command": (["rnu", "{cfg}"], ("COMMAND",)),
}


def bad_args(case: str, tmp_path: Path) -> tuple[list[str], tuple[str, ...], Path]:
    """Arguments of a bad-input case (with ``--out``), what its error must name, and --out."""
    (tmp_path / "broken.yaml").write_text("name: [unclosed\ndesign: baseline\n",
                                          encoding="utf-8")
    args, needles = BAD_INPUT[case]
    out = tmp_path / "out"
    args = [a.replace("{tmp}", str(tmp_path)).replace("{cfg}", str(BASELINE)) for a in args]
    return [*args, "--out", str(out), "--quiet"], needles, out


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_in_process(case, tmp_path, capsys):
    args, needles, out = bad_args(case, tmp_path)
    assert main(args) == 2
    captured = capsys.readouterr()
    assert_one_line_error(captured.err, *needles)
    assert captured.out == ""
    assert not out.exists()
    assert entries(tmp_path) == {"broken.yaml"}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_in_subprocess(case, tmp_path):
    args, needles, out = bad_args(case, tmp_path)
    result = run_subprocess(args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert_one_line_error(result.stderr, *needles)
    assert not out.exists()
    assert entries(tmp_path) == {"broken.yaml"}


def test_unknown_key_suggests_the_right_one(tmp_path, capsys):
    args, _, _ = bad_args("unknown_key", tmp_path)
    main(args)
    assert "did you mean 'noise'" in capsys.readouterr().err


def test_ctrl_c_is_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys):
    import sim

    def interrupted(self: Any, *args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.CompoundModel, "run", interrupted)
    out = tmp_path / "out"
    assert main(["run", str(BASELINE), "--steps", "3", "--out", str(out), "--quiet"]) == 2
    assert_one_line_error(capsys.readouterr().err, "interrupted")
    assert not out.exists()
    assert entries(tmp_path) == set()


def test_bugs_keep_their_traceback_and_write_nothing(tmp_path, monkeypatch):
    def broken_plot(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(sim.output, "plot_timeseries", broken_plot)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="a bug"):
        main(["run", str(BASELINE), "--steps", "1", "--out", str(out), "--quiet"])
    assert not out.exists()
    assert entries(tmp_path) == set()


def test_figure_title_names_design_community_and_seed():
    from sim.cli import figure_title
    from sim.config import load_config

    scn = load_config(BASELINE).override({"community": "heping_road"})
    zh = figure_title(scn, 42, "zh")
    assert scn.design.label_zh in zh and scn.community.label_zh in zh and "种子 42" in zh
    assert not zh.startswith(scn.name)  # the scenario is named after the design: no repeat
    en = figure_title(scn, 42, "en")
    assert scn.community.label_en in en and en.endswith("(seed 42)")


@pytest.mark.parametrize("args", [["params"], ["schedule", "nanan_131"], ["compare", "--help"]])
def test_a_reader_that_stops_early_is_no_error(args):
    """``sim … | head``: exit 0 and nothing on stderr, for every command (one rule in main)."""
    proc = subprocess.Popen([sys.executable, "-m", "sim", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert err == ""
