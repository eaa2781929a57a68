"""`sim compare`: paired runs of several designs, their statistics, figures and report.

The comparisons here are small (two designs × three seeds × 12 months on the 200-household
default community) so the whole file runs in well under a minute; they are run once per
module and shared by the tests.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.cli import main
from sim.experiments.compare import (
    SUMMARY_COLUMNS,
    t_interval,
    wilcoxon_p,
)
from sim.metrics import COLUMNS

DESIGNS = ("baseline", "nanan_131")
SMALL = ["--seeds", "3", "--steps", "12", "--quiet"]


def compare(out: Path, *extra: str) -> int:
    """Run ``sim compare baseline nanan_131`` small, in this process."""
    return main(["compare", *DESIGNS, *SMALL, "--out", str(out), *extra])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same comparison with one and two workers (Chinese), and once in English."""
    base = tmp_path_factory.mktemp("compare")
    outs = {"w1": base / "w1", "w2": base / "w2", "en": base / "en"}
    assert compare(outs["w1"], "--workers", "1") == 0
    assert compare(outs["w2"], "--workers", "2") == 0
    assert compare(outs["en"], "--workers", "1", "--lang", "en") == 0
    return outs


def labels(design: str) -> tuple[str, str]:
    """Chinese and English label of a design preset."""
    d = sim.load_config(design).design
    return d.label_zh, d.label_en


# --------------------------------------------------------------------------- outputs


def test_workers_do_not_change_results(runs):
    one, two = runs["w1"], runs["w2"]
    assert (one / "summary.csv").read_bytes() == (two / "summary.csv").read_bytes()
    assert (one / "runs.csv").read_bytes() == (two / "runs.csv").read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(one / "timeseries.parquet"),
                                  pd.read_parquet(two / "timeseries.parquet"), check_exact=True)
    assert ((one / "timeseries.parquet").read_bytes()
            == (two / "timeseries.parquet").read_bytes())


def test_directory_holds_every_output(runs):
    out = runs["w1"]
    assert {p.name for p in out.iterdir()} == {"report.html", "summary.csv", "runs.csv",
                                               "timeseries.parquet", "timeseries.csv",
                                               "figures", "manifest.json", "runs"}
    parts = sorted(p.name for p in (out / "runs").iterdir())  # one per design and seed
    assert parts == [f"part-{i:06d}.parquet" for i in range(len(DESIGNS) * 3)]
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert "differences.png" in figures
    assert {f"timeseries_{c}.png" for c in COLUMNS} <= set(figures)
    assert all((out / "figures" / f).read_bytes().startswith(b"\x89PNG") for f in figures)
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temp dirs


def test_timeseries_has_a_row_per_design_seed_and_month(runs):
    ts = pd.read_parquet(runs["w1"] / "timeseries.parquet")
    assert list(ts.columns) == ["design", "seed", "month", *COLUMNS]
    assert len(ts) == 2 * 3 * 13
    keys = list(ts[["design", "seed", "month"]].itertuples(index=False, name=None))
    assert keys == [(d, s, m) for d in DESIGNS for s in range(3) for m in range(13)]


def test_timeseries_matches_a_direct_run(runs):
    ts = pd.read_parquet(runs["w1"] / "timeseries.parquet")
    scn = sim.load_config("nanan_131").override({"run.steps": 12})
    model = sim.CompoundModel(scn, rng=2).run(12)
    direct = model.datacollector.get_model_vars_dataframe()
    mine = ts[(ts["design"] == "nanan_131") & (ts["seed"] == 2)]
    np.testing.assert_array_equal(mine["condition"].to_numpy(), direct["condition"].to_numpy())


def test_summary_columns_and_intervals(runs):
    summary = pd.read_csv(runs["w1"] / "summary.csv")
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert len(summary) == 2 * len(COLUMNS)
    assert summary["design"].tolist() == [d for d in DESIGNS for _ in COLUMNS]
    assert (summary["n"] == 3).all()
    assert (summary["ci_low"] <= summary["mean"] + 1e-12).all()
    assert (summary["mean"] <= summary["ci_high"] + 1e-12).all()
    assert (summary["diff_low"] <= summary["diff"] + 1e-12).all()
    assert (summary["diff"] <= summary["diff_high"] + 1e-12).all()
    ref = summary[summary["design"] == "baseline"]
    assert ref["reference"].all() and not summary.loc[summary["design"] != "baseline",
                                                      "reference"].any()
    assert (ref[["diff", "diff_low", "diff_high"]] == 0).all().all()
    assert ref["p_wilcoxon"].isna().all()
    other = summary[summary["design"] == "nanan_131"]
    assert other["p_wilcoxon"].between(0, 1).all()


def test_summary_numbers_are_the_documented_statistics(runs):
    """Mean over seeds of each run's mean over its last months; paired t interval."""
    ts = pd.read_parquet(runs["w1"] / "timeseries.parquet")
    summary = pd.read_csv(runs["w1"] / "summary.csv").set_index(["design", "outcome"])
    last = ts[ts["month"] >= 1]  # 12 months run: the window is every month after month 0
    per_run = last.groupby(["design", "seed"])["trust"].mean()
    x = per_run.loc["nanan_131"].to_numpy()
    y = per_run.loc["baseline"].to_numpy()
    row = summary.loc[("nanan_131", "trust")]
    assert row["mean"] == pytest.approx(x.mean())
    low, high = stats.t.interval(0.95, 2, loc=x.mean(), scale=stats.sem(x))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    d = x - y
    low, high = stats.t.interval(0.95, 2, loc=d.mean(), scale=stats.sem(d))
    assert row["diff"] == pytest.approx(d.mean())
    assert (row["diff_low"], row["diff_high"]) == pytest.approx((low, high))
    assert row["p_wilcoxon"] == pytest.approx(stats.wilcoxon(d).pvalue)
    runs_csv = pd.read_csv(runs["w1"] / "runs.csv").set_index(["design", "seed"])
    np.testing.assert_allclose(runs_csv.loc["nanan_131", "trust"].to_numpy(), x)


def test_manifest_records_configs_seeds_and_command(runs):
    manifest = json.loads((runs["w1"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seeds"] == [0, 1, 2]
    assert manifest["steps"] == 12
    assert manifest["reference"] == "baseline"
    assert [d["key"] for d in manifest["designs"]] == list(DESIGNS)
    scenario = manifest["designs"][1]["scenario"]
    assert "deliberation_council" in scenario["design"]["institutions"]
    assert sim.load_config(scenario).design == sim.load_config("nanan_131").design
    assert manifest["command"] == "compare"
    assert manifest["command_line"].startswith("sim compare baseline nanan_131 ")
    assert "--workers" not in manifest["command_line"]


# --------------------------------------------------------------------------- report


def read_report(out: Path) -> str:
    return (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("which", ["w1", "en"])
def test_report_is_self_contained(runs, which):
    text = read_report(runs[which])
    assert "http://" not in text and "https://" not in text
    assert 'src="http' not in text
    for tag in ("<script", "<link", "@import", "url("):
        assert tag not in text
    images = text.count('src="data:image/png;base64,')
    assert images == 1 + len(COLUMNS)  # the forest plot and one time series per outcome
    assert text.count("<img ") == images


def test_report_in_chinese(runs):
    text = html.unescape(read_report(runs["w1"]))
    assert '<html lang="zh-CN">' in text
    for design in DESIGNS:
        assert labels(design)[0] in text
    for needle in ("要点", "小区环境状况", "Wilcoxon", "第 1–12 月", "0–2"):
        assert needle in text, needle
    assert labels("nanan_131")[1] not in text


def test_report_in_english(runs):
    text = html.unescape(read_report(runs["en"]))
    assert '<html lang="en">' in text
    for design in DESIGNS:
        assert labels(design)[1] in text
    for needle in ("Key findings", "Condition", "Wilcoxon", "months 1–12", "paired"):
        assert needle in text, needle
    for chinese in ("要点", "小区环境状况", labels("nanan_131")[0]):
        assert chinese not in text


def test_report_reading_follows_the_numbers(runs):
    """A change is named with its interval exactly when the interval excludes zero."""
    summary = pd.read_csv(runs["en"] / "summary.csv").set_index(["design", "outcome"])
    text = html.unescape(read_report(runs["en"]))
    row = summary.loc[("nanan_131", "condition")]
    if row["diff_low"] > 0:
        assert "raises condition by" in text
    elif row["diff_high"] < 0:
        assert "lowers condition by" in text
    else:
        assert "no clear difference in" in text and "condition" in text


# --------------------------------------------------------------------------- statistics


def test_t_interval_and_wilcoxon():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    mean, low, high, sd = t_interval(x)
    assert mean == pytest.approx(3.5) and sd == pytest.approx(x.std(ddof=1))
    assert (low, high) == pytest.approx(stats.t.interval(0.95, 3, loc=3.5, scale=stats.sem(x)))
    assert all(map(math.isnan, t_interval(np.array([2.0]))[1:]))
    assert t_interval(np.zeros(5))[1:3] == (0.0, 0.0)
    assert wilcoxon_p(np.zeros(4)) == 1.0
    assert wilcoxon_p(np.array([0.1, 0.2, 0.3])) == pytest.approx(0.25)


# --------------------------------------------------------------------------- the command


def test_help_teaches_in_both_languages(capsys):
    assert main(["compare", "--help"]) == 0
    text = capsys.readouterr().out
    for needle in ("--community heping_road --seeds 20", "paired", "配对", "Wilcoxon",
                   "report.html", "summary.csv", "--workers", "--seed-start", "参照"):
        assert needle in text, needle


def test_force_replaces_an_earlier_comparison_only(tmp_path, capsys):
    out = tmp_path / "cmp"
    args = ["compare", *DESIGNS, "--seeds", "1", "--steps", "2", "--workers", "1", "--quiet",
            "--lang", "en", "--out", str(out)]
    assert main(args) == 0
    (out / "summary.csv").write_text("old")
    assert main([*args, "--force"]) == 0
    assert (out / "summary.csv").read_text(encoding="utf-8-sig").startswith("design,")
    (out / "notes.txt").write_text("mine")  # a file of the user's: never deleted
    capsys.readouterr()
    assert main([*args, "--force"]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "mine"
    other = tmp_path / "thesis"
    other.mkdir()
    (other / "chapter1.tex").write_text("precious")
    assert main([*args[:-1], str(other), "--force"]) == 2
    assert "manifest.json" in capsys.readouterr().err
    assert {p.name for p in other.iterdir()} == {"chapter1.tex"}


def test_default_out_is_named_after_the_community(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["compare", *DESIGNS, "--seeds", "1", "--steps", "1", "--workers", "1",
                 "--lang", "en"]) == 0
    out = tmp_path / "out" / "compare-generic_old_compound"
    assert (out / "report.html").is_file()
    printed = capsys.readouterr().out
    assert "2 runs" in printed and str(Path("out") / "compare-generic_old_compound") in printed


BAD = {
    "unknown design": (["baseline", "nanan_13"], "did you mean 'nanan_131'"),
    "community as design": (["baseline", "heping_road"], "--community heping_road"),
    "one design": (["baseline"], "at least two"),
    "same design twice": (["baseline", "baseline"], "twice"),
    "missing file": (["baseline", "nowhere/my_design.yaml"], "file not found"),
    "unknown key in --set": (["baseline", "nanan_131", "--set", "behaviour.nois=1"],
                             "did you mean 'noise'"),
    "--set design=": (["baseline", "nanan_131", "--set", "design=baseline"], "CONFIG"),
    "--set without =": (["baseline", "nanan_131", "--set", "behaviour.noise"], "KEY=VALUE"),
    "value out of range": (["baseline", "nanan_131", "--set", "behaviour.noise=-1"],
                           "behaviour.noise"),
    "zero seeds": (["baseline", "nanan_131", "--seeds", "0"], "--seeds"),
    "negative seed start": (["baseline", "nanan_131", "--seed-start", "-1"], "--seed-start"),
    "negative steps": (["baseline", "nanan_131", "--steps", "-3"], "--steps"),
    "zero steps": (["baseline", "nanan_131", "--steps", "0"], "--steps"),
    "zero workers": (["baseline", "nanan_131", "--workers", "0"], "--workers"),
    "unknown community": (["baseline", "nanan_131", "--community", "heping"],
                          "did you mean 'heping_road'"),
    "seeds not a number": (["baseline", "nanan_131", "--seeds", "many"], "--seeds"),
    "unknown option": (["baseline", "nanan_131", "--seed", "3"], "did you mean --seeds"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_exit_2_and_nothing_written(case, tmp_path, capsys):
    args, needle = BAD[case]
    out = tmp_path / "out"
    assert main(["compare", "--out", str(out), "--workers", "1", "--quiet", *args]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("sim: error: ") and needle in lines[0], lines[0]
    assert "Traceback" not in captured.err and captured.out == ""
    assert list(tmp_path.iterdir()) == []


def test_existing_output_without_force_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["compare", *DESIGNS, "--out", str(out), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--force" in err[0]
    assert {p.name for p in out.iterdir()} == {"keep.txt"}
    assert {p.name for p in tmp_path.iterdir()} == {"out"}


def test_failed_write_or_ctrl_c_leaves_nothing(tmp_path, monkeypatch, capsys):
    import sim.experiments.compare as compare_module
    import sim.experiments.compare_report as report_module

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("report failed")

    args = ["compare", *DESIGNS, "--seeds", "1", "--steps", "1", "--workers", "1", "--quiet",
            "--out", str(tmp_path / "a" / "out")]
    monkeypatch.setattr(report_module, "render_report", broken)
    with pytest.raises(RuntimeError, match="report failed"):  # a bug keeps its traceback
        main(args)
    assert list(tmp_path.iterdir()) == []

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(compare_module, "simulate", interrupted)
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "interrupted" in err[0]
    assert list(tmp_path.iterdir()) == []
