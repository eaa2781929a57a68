"""Scenario discovery (``sim discover``, :mod:`sim.experiments.discovery`).

Known answers by construction: on a planted case — five parameters uniform on [0, 1], the
case of interest ``x2 < 0.3`` with 5 % of the labels flipped — PRIM's chosen box must
restrict x2 alone, from above, at 0.3 ± 0.05 (tolerance: a tenth of the planted region's
width; PRIM's edge is a peeling quantile of 256 points, the noise moves it by about 0.02),
and the CART tree's root split must be x2 at 0.3 ± 0.05. A planted conjunction (x1 > 0.6
and x4 < 0.5) must give both limits. The command runs on a tiny real comparison under
uncertainty and writes every file; bad input is one line and exit 2, with nothing written.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.errors import ConfigError
from sim.experiments import discovery
from sim.experiments.discover import COMPARISON_DIR, OUTPUT_FILES, TABLES
from tests.test_output_dirs import one_line

TOLERANCE = 0.05
"""How far a recovered threshold may lie from the planted one."""

NAMES = [f"x{i}" for i in range(1, 6)]
BOUNDS = {name: (0.0, 1.0) for name in NAMES}


def planted(seed: int, n: int = 256, noise: float = 0.05) -> tuple[pd.DataFrame, np.ndarray]:
    """X uniform on five parameters; y = x2 < 0.3, each label flipped with probability noise."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, len(NAMES))), columns=NAMES)
    y = (x["x2"] < 0.3).to_numpy() ^ (rng.uniform(size=n) < noise)
    return x, y


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_prim_recovers_the_planted_threshold(seed: int) -> None:
    found = discovery.discover(*planted(seed), bounds=BOUNDS)
    limits = found.prim.limits
    assert list(limits["dimension"]) == ["x2"], limits  # no other dimension restricted
    row = limits.iloc[0]
    assert math.isnan(row["low"]) and abs(row["high"] - 0.3) <= TOLERANCE, row
    assert row["significant"] and row["qp"] < discovery.ALPHA
    assert found.prim.significant_only
    assert found.prim.coverage >= discovery.MIN_COVERAGE
    assert found.prim.density > 0.8  # 95 % of the labels are right
    traj = found.prim.trajectory
    assert traj["chosen"].sum() == 1 and int(traj.index[traj["chosen"]][0]) == found.prim.step
    assert traj.loc[0, "coverage"] == 1 and traj.loc[0, "mass"] == 1  # the whole space first


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cart_root_split_is_the_planted_threshold(seed: int) -> None:
    found = discovery.discover(*planted(seed), bounds=BOUNDS, seed=0)
    assert found.tree.root is not None
    feature, threshold = found.tree.root
    assert feature == "x2" and abs(threshold - 0.3) <= TOLERANCE
    nodes = found.tree.nodes
    assert nodes["feature"] == "x2" and nodes["le"]["density"] > 0.8 > nodes["gt"]["density"]
    assert "x2 <=" in found.tree.text.splitlines()[0]
    x, y = planted(seed)
    assert nodes["sets"] == len(y) and nodes["failing"] == int(y.sum())  # counted, unweighted
    assert nodes["le"]["failing"] == int(y[x["x2"] <= threshold].sum())
    assert nodes["le"]["leaf"] and nodes["le"]["fails"] and not nodes["gt"]["fails"]


def test_a_planted_conjunction_gives_both_limits() -> None:
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.uniform(size=(400, len(NAMES))), columns=NAMES)
    y = ((x["x1"] > 0.6) & (x["x4"] < 0.5)).to_numpy() ^ (rng.uniform(size=400) < 0.03)
    found = discovery.discover(x, y, bounds=BOUNDS)
    limits = found.prim.limits.set_index("dimension")
    assert set(limits.index) == {"x1", "x4"}, limits
    assert abs(limits.loc["x1", "low"] - 0.6) <= TOLERANCE and math.isnan(limits.loc["x1", "high"])
    assert abs(limits.loc["x4", "high"] - 0.5) <= TOLERANCE and math.isnan(limits.loc["x4", "low"])


def test_the_same_data_give_the_same_answer() -> None:
    a = discovery.discover(*planted(4), bounds=BOUNDS)
    b = discovery.discover(*planted(4), bounds=BOUNDS)
    pd.testing.assert_frame_equal(a.prim.limits, b.prim.limits)
    assert a.tree.text == b.tree.text


def test_choose_box_starts_from_the_densest_box_with_enough_coverage() -> None:
    traj = pd.DataFrame({"coverage": [1.0, 0.9, 0.7, 0.7, 0.4],
                         "density": [0.3, 0.6, 0.9, 0.9, 1.0], "res_dim": [0, 1, 3, 2, 3]})
    assert discovery.choose_box(traj) == 3  # 4 covers too little; 3 ties 2 with fewer dims
    assert discovery.choose_box(traj, min_coverage=0.3) == 4
    assert discovery.choose_box(traj, min_coverage=0.95) == 0


def test_spurious_limits_are_dropped_and_the_start_is_kept() -> None:
    """Seed 3 of the planted case peels x1 and x5 too (quasi-p 0.3–0.7): both are dropped."""
    found = discovery.discover(*planted(3), bounds=BOUNDS)
    traj = found.prim.trajectory
    start = traj.loc[found.prim.start]
    assert start["res_dim"] > 1 and traj.loc[found.prim.step, "origin"] == "dropped"
    assert list(found.prim.limits["dimension"]) == ["x2"]
    assert found.prim.coverage >= start["coverage"]  # dropping a limit only widens the box


def test_the_reading_names_the_box_and_both_languages_agree() -> None:
    found = discovery.discover(*planted(1), bounds=BOUNDS)
    en = discovery.reading(found, "en", subject="A fails to beat B on condition")
    zh = discovery.reading(found, "zh", subject="A 在状况上不如 B")
    high = discovery.fmt_value(found.prim.limits.iloc[0]["high"])
    for text in (en, zh):
        assert f"x2 ≤ {high}" in text and discovery.percent(found.prim.coverage) in text
    assert en.startswith("A fails to beat B on condition in ") and "coverage" in en
    assert "覆盖率" in zh and "密度" in zh


def test_tables_and_figures_are_written(tmp_path: Path) -> None:
    found = discovery.discover(*planted(1), bounds=BOUNDS)
    discovery.write_tables(found, tmp_path)
    boxes = pd.read_csv(tmp_path / "boxes.csv")
    assert tuple(boxes.columns) == discovery.BOXES_COLUMNS
    assert tuple(pd.read_csv(tmp_path / "trajectory.csv").columns) == discovery.TRAJECTORY_COLUMNS
    tree = json.loads((tmp_path / "tree.json").read_text())
    assert tree["root"]["feature"] == "x2"
    paths = discovery.write_figures(found, "en", tmp_path / "figures")
    assert [p.name for p in paths] == list(discovery.FIGURE_FILES)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths)


@pytest.mark.parametrize(("y", "field"), [
    (np.zeros(64, dtype=bool), "y"), (np.ones(64, dtype=bool), "y"),
    (np.arange(64) < 2, "y"), (np.arange(64) >= 2, "y")])
def test_no_region_to_find_is_refused(y: np.ndarray, field: str) -> None:
    x = pd.DataFrame(np.random.default_rng(0).uniform(size=(64, 2)), columns=["a", "b"])
    with pytest.raises(ConfigError) as err:
        discovery.discover(x, y)
    assert err.value.field == field


def test_bad_data_are_refused() -> None:
    x = pd.DataFrame({"a": np.linspace(0, 1, 20), "b": ["u"] * 20})
    y = np.arange(20) < 5
    with pytest.raises(ConfigError, match="'b' is not numeric"):
        discovery.discover(x, y)
    with pytest.raises(ConfigError, match="missing or infinite"):
        discovery.discover(pd.DataFrame({"a": [np.nan] + [0.5] * 19}), y)
    with pytest.raises(ConfigError, match="at least 8"):
        discovery.discover(pd.DataFrame({"a": [0.1, 0.2, 0.3]}), [True, False, False])
    with pytest.raises(ConfigError) as err:
        discovery.discover(pd.DataFrame({"a": np.linspace(0, 1, 20)}), y, min_coverage=0)
    assert err.value.field == "--min-coverage"


def test_the_workbench_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    import logging

    logging.basicConfig(level=logging.INFO, force=True)  # a user's root logger at INFO
    try:
        discovery.discover(*planted(1), bounds=BOUNDS)
    finally:
        logging.basicConfig(level=logging.WARNING, force=True)
    out, err = capfd.readouterr()
    assert out == "" and err == "", (out, err)


# --------------------------------------------------------------------------- the command

TINY = ["--community", "generic_old_compound", "--uncertainty", "8", "--seeds", "2",
        "--steps", "12", "--workers", "1", "--lang", "en", "--quiet"]
"""A comparison under uncertainty small enough for a test (32 runs of 12 months)."""


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``sim discover`` on a tiny real comparison, asking for a threshold half the sets miss.

    The first call (failing to beat the baseline on petitions) may find failing sets or not;
    either way the comparison is kept in DIR/comparison/, which the second call reads.
    """
    out = tmp_path_factory.mktemp("discover") / "d"
    main(["discover", "nanan_131", "--vs", "baseline", *TINY, "--outcome", "petitions",
          "--out", str(out)])
    assert (out / COMPARISON_DIR / "manifest.json").is_file()
    return out


def _median_threshold(out: Path) -> float:
    """A --threshold on condition that some parameter sets meet and others miss."""
    from sim.experiments.report import load_comparison

    comp = load_comparison(out / COMPARISON_DIR, "en")
    runs = comp.runs[comp.runs["design"] == "nanan_131"]
    per_set = np.sort(runs.groupby("param_set")["condition"].mean().to_numpy())
    return float((per_set[3] + per_set[4]) / 2)  # 4 of the 8 sets below, 4 above


def test_the_command_writes_every_file(ran: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "found"
    threshold = _median_threshold(ran)
    assert main(["discover", "nanan_131", "--vs", "baseline", "--from",
                 str(ran / COMPARISON_DIR), "--threshold", f"{threshold!r}", "--lang", "en",
                 "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "falls short of" in said and "in 4 of 8 parameter sets (50 %)" in said
    for name in OUTPUT_FILES:
        assert (out / name.rstrip("/")).exists(), name
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted(
        discovery.FIGURE_FILES)
    record = json.loads((out / "discover.json").read_text())
    assert record["command"] == "discover" and record["failing_sets"] == 4
    assert [s["fails"] for s in record["per_set"]].count(True) == 4
    page = (out / "discover.html").read_text()
    assert "<script" not in page and "http" not in page and page.count("data:image/png") == 3
    assert "coverage" in page and "CART" in page
    boxes = pd.read_csv(out / "boxes.csv")
    assert set(boxes["dimension"]) <= set(record["parameters"])
    assert all((out / t).stat().st_size > 0 for t in TABLES)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers


def test_chinese_page(ran: Path, tmp_path: Path) -> None:
    out = tmp_path / "zh"
    assert main(["discover", "nanan_131", "--vs", "baseline", "--from",
                 str(ran / COMPARISON_DIR), "--threshold", f"{_median_threshold(ran)!r}",
                 "--out", str(out), "--quiet"]) == 0
    page = (out / "discover.html").read_text()
    assert '<html lang="zh-CN">' in page and "覆盖率" in page and "分类树" in page


def _refused(args: list[str], capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    assert main(["discover", *args]) == 2
    return one_line(capsys.readouterr().err, *needles)


def test_bad_input_is_one_line(ran: Path, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    cmp_dir = str(ran / COMPARISON_DIR)
    out = tmp_path / "never"
    base = ["--from", cmp_dir, "--out", str(out)]
    _refused(["nanan_131", "--vs", "nanan_131", *base], capsys, "--vs", "DESIGN itself")
    _refused(["nanan_131", "--vs", "baseline", "--outcome", "conditon", *base], capsys,
             "--outcome", "did you mean 'condition'")
    _refused(["nanan_131", "--vs", "baseline", "--outcome", "gov_spending", *base], capsys,
             "--outcome", "no better direction")
    _refused(["nanan_131", "--vs", "huli_six_party", *base], capsys, "--vs",
             "not one of the compared designs")
    _refused(["nanan_131", "--vs", "baseline", "--threshold", "-1", *base], capsys,
             "--threshold", "in none of the 8 parameter sets", "no discovery file written")
    _refused(["nanan_131", "--vs", "baseline", "--threshold", "2", *base], capsys,
             "--threshold", "in all 8 parameter sets")
    _refused(["nanan_131", "--vs", "baseline", "--min-coverage", "1.5", *base], capsys,
             "--min-coverage")
    _refused(["nanan_131", "--vs", "baseline", "--resume", *base], capsys, "--resume")
    _refused(["nanan_131", "--vs", "baseline", "--uncertainty", "4", "--out", str(out)],
             capsys, "--uncertainty", "at least 8")
    _refused(["nanan_131", "--vs", "baseline", "--community", "heping_road", *base], capsys,
             "--community", "with --from")
    assert not out.exists()


def test_no_failing_set_is_said_plainly(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """A comparison that is made keeps its runs; no discovery file is written."""
    from sim.experiments.report import load_comparison

    # any --from comparison: nanan_131 "exceeds" a threshold of -1 on petitions nowhere
    out = tmp_path / "d"
    line = _refused(["nanan_131", "--vs", "baseline", *TINY, "--outcome", "petitions",
                     "--threshold", "-1", "--out", str(out)], capsys, "--threshold")
    assert "in all 8 parameter sets" in line and "kept in" in line
    assert sorted(p.name for p in out.iterdir()) == [COMPARISON_DIR]
    assert load_comparison(out / COMPARISON_DIR).uncertainty


def test_an_occupied_directory_is_refused(ran: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    _refused(["nanan_131", "--vs", "baseline", "--from", str(ran / COMPARISON_DIR),
              "--threshold", "0.5", "--out", str(out), "--force"], capsys, "--out",
             "notes.txt")
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


def test_a_comparison_without_uncertainty_is_refused(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    cmp_dir = tmp_path / "plain"
    assert main(["compare", "baseline", "nanan_131", "--community", "generic_old_compound",
                 "--seeds", "1", "--steps", "2", "--workers", "1", "--lang", "en", "--quiet",
                 "--out", str(cmp_dir)]) == 0
    capsys.readouterr()
    _refused(["nanan_131", "--vs", "baseline", "--from", str(cmp_dir), "--out",
              str(tmp_path / "d")], capsys, "--from", "without parameter uncertainty")


def test_force_replaces_an_earlier_discovery_and_keeps_its_comparison(
        ran: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Reading DIR/comparison back into DIR itself: --force replaces the discovery only."""
    runs = sorted((ran / COMPARISON_DIR / "runs").iterdir())
    args = ["discover", "nanan_131", "--vs", "baseline", "--from", str(ran / COMPARISON_DIR),
            "--threshold", f"{_median_threshold(ran)!r}", "--lang", "en", "--quiet",
            "--out", str(ran)]
    first = main([*args, "--force"])
    assert first == 0 and (ran / "discover.html").is_file()
    _refused(args[1:], capsys, "--out", "already exists")
    assert main([*args, "--force"]) == 0
    assert sorted((ran / COMPARISON_DIR / "runs").iterdir()) == runs
    assert not [p for p in ran.parent.iterdir() if p.name.startswith(".")]


def test_failing_sets_follow_the_better_direction_and_the_threshold() -> None:
    """By construction: d_k = design − reference per set, averaged over two seeds."""
    from types import SimpleNamespace

    from sim.experiments.discover import failing_sets

    # per set k, the design's condition over seeds 0, 1, and the reference's
    design = {0: (0.6, 0.8), 1: (0.5, 0.5), 2: (0.4, 0.5), 3: (0.7, 0.3)}
    reference = {0: (0.5, 0.5), 1: (0.5, 0.5), 2: (0.5, 0.5), 3: (0.5, 0.4)}
    rows = []
    for key, table in (("d", design), ("ref", reference)):
        for k, values in table.items():
            for seed, v in enumerate(values):
                rows.append({"design": key, "param_set": k, "seed": seed, "condition": v,
                             "petitions": v})
    comp = SimpleNamespace(runs=pd.DataFrame(rows),
                           arms=[SimpleNamespace(key="ref"), SimpleNamespace(key="d")])
    y, d = failing_sets(comp, "d", "ref", "condition")  # type: ignore[arg-type]
    np.testing.assert_allclose(d, [0.2, 0.0, -0.05, 0.05])
    assert y.tolist() == [False, True, True, False]  # a tie fails to beat
    y, _ = failing_sets(comp, "d", "ref", "petitions")  # type: ignore[arg-type]
    assert y.tolist() == [True, True, False, True]  # less is better
    y, m = failing_sets(comp, "d", "ref", "condition", threshold=0.5)  # type: ignore[arg-type]
    np.testing.assert_allclose(m, [0.7, 0.5, 0.45, 0.5])
    assert y.tolist() == [False, False, True, False]  # meeting is ≥ where more is better
    y, _ = failing_sets(comp, "d", "ref", "petitions", threshold=0.5)  # type: ignore[arg-type]
    assert y.tolist() == [True, False, False, False]  # and ≤ where less is


def test_resume_finishes_a_killed_comparison_then_discovers(
        ran: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    out = tmp_path / "d"
    shutil.copytree(ran / COMPARISON_DIR, out / COMPARISON_DIR)
    parts = sorted((out / COMPARISON_DIR / "runs").iterdir())
    for part in parts[::3]:  # as if killed: a third of the runs never finished
        part.unlink()
    threshold = f"{_median_threshold(ran)!r}"
    args = ["discover", "nanan_131", "--vs", "baseline", *TINY, "--outcome", "condition",
            "--threshold", threshold, "--out", str(out)]
    assert main([*args, "--resume"]) == 0
    assert sorted(p.name for p in (out / COMPARISON_DIR / "runs").iterdir()) == [
        p.name for p in parts]
    assert (out / "discover.html").is_file()
    record = json.loads((out / "discover.json").read_text())
    assert record["failing_sets"] == 4


def test_a_box_without_a_significant_limit_is_not_read_as_conditions() -> None:
    found = discovery.discover(*planted(1), bounds=BOUNDS)
    found.prim.significant_only = False  # as when no limit passes quasi-p < 0.05
    found.prim.limits["significant"] = False
    for lang, needle in (("en", "no region with a significant limit"), ("zh", "没有找到边界显著")):
        text = discovery.reading(found, lang, subject="A")
        assert needle in text and "x2 ≤" not in text, text
