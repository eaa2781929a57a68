"""`sim compare` (issue 9): --set of an institution's parameter, --community files, sizes,
worker processes, Ctrl-C, progress bars, CSV and XLSX outputs.

Comparisons are tiny (one to three seeds, a few months on the 200-household default
community); the tests of killing and interrupting run ``sim compare`` in a subprocess.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from sim.cli import main
from sim.errors import ConfigError
from sim.experiments import compare as compare_module
from sim.experiments.compare import compare, resolve_designs
from sim.metrics import COLUMNS

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--seeds", "1", "--steps", "2", "--workers", "1", "--quiet", "--lang", "en"]
VISITS = "design.institutions.party_branch.visits_per_member=6"


def one_line(err: str, *needles: str) -> str:
    """The error contract: one line ``sim: error: FIELD: ...``, no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sim: error: "), err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def read_manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- item 4: --set


def test_set_of_an_institution_parameter_applies_only_to_designs_that_have_it(tmp_path):
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "nanan_131", *TINY, "--set", VISITS,
                 "--set", "behaviour.noise=0.4", "--out", str(out)]) == 0
    designs = {d["key"]: d for d in read_manifest(out)["designs"]}
    base, nanan = designs["baseline"], designs["nanan_131"]
    assert "party_branch" not in base["scenario"]["design"]["institutions"]
    assert nanan["scenario"]["design"]["institutions"]["party_branch"]["visits_per_member"] == 6
    assert base["sets_applied"] == ["behaviour.noise=0.4"]
    assert base["sets_skipped"] == [VISITS]
    assert nanan["sets_applied"] == [VISITS, "behaviour.noise=0.4"]
    assert nanan["sets_skipped"] == []
    assert base["scenario"]["behaviour"]["noise"] == 0.4


def test_comparison_says_which_designs_got_a_partial_set():
    arms = resolve_designs(["baseline", "nanan_131", "kunming_red_courtyard"], sets=[VISITS],
                           steps=1)
    comp = compare(arms, seeds=range(1))
    assert comp.partial_sets == {VISITS: ["nanan_131", "kunming_red_courtyard"]}
    assert [arm.sets_skipped for arm in comp.arms] == [(VISITS,), (), ()]
    assert compare(resolve_designs(["baseline", "nanan_131"], steps=1),
                   seeds=range(1)).partial_sets == {}


def test_set_of_an_institution_no_design_has_is_refused(tmp_path, capsys):
    out = tmp_path / "cmp"
    plain = tmp_path / "plain.yaml"  # a second design without a party branch
    shutil.copy(ROOT / "configs" / "designs" / "baseline.yaml", plain)
    assert main(["compare", "baseline", str(plain), *TINY, "--set", VISITS,
                 "--out", str(out)]) == 2
    one_line(capsys.readouterr().err, "--set", "party_branch", "none of the designs")
    assert not out.exists()


def test_compare_help_states_the_set_rule(capsys):
    assert main(["compare", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "applies only to the designs that have NAME" in text
    assert "机构参数只修改已有该机构的模式" in text


# --------------------------------------------------------------------------- item 13: community


def test_community_file_is_applied_before_the_sets(tmp_path):
    place = tmp_path / "my_place.yaml"
    shutil.copy(ROOT / "configs" / "communities" / "yimin_compound.yaml", place)
    by_file, by_name = tmp_path / "file", tmp_path / "name"
    common = ["compare", "baseline", "nanan_131", *TINY, "--set", "community.network."
              "acquaintance=0.5"]
    assert main([*common, "--community", str(place), "--out", str(by_file)]) == 0
    assert main([*common, "--community", "yimin_compound", "--out", str(by_name)]) == 0
    community = read_manifest(by_file)["community"]
    assert community["given"] == str(place)
    assert community["households"] == 351
    assert community["label_en"].startswith("Yimin compound")
    scenario = read_manifest(by_file)["designs"][0]["scenario"]
    assert scenario["community"]["network"]["acquaintance"] == 0.5  # --set after the file
    pd.testing.assert_frame_equal(pd.read_parquet(by_file / "timeseries.parquet"),
                                  pd.read_parquet(by_name / "timeseries.parquet"),
                                  check_exact=True)


def test_a_file_that_is_not_a_community_is_one_line(tmp_path, capsys):
    out = tmp_path / "cmp"
    design = ROOT / "configs" / "designs" / "nanan_131.yaml"
    assert main(["compare", "baseline", "nanan_131", *TINY, "--community", str(design),
                 "--out", str(out)]) == 2
    one_line(capsys.readouterr().err, "--community", "not a community")


# --------------------------------------------------------------------------- item 6: sizes


def limit_memory() -> None:
    """Cap a child's address space, so that a version without the check fails, not swaps."""
    resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30))


def test_absurd_seeds_are_refused_at_once_naming_the_estimate(tmp_path):
    """A thousand million seeds: refused in seconds, not a MemoryError after minutes."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "sim", "compare", "baseline", "nanan_131",
                           "--seeds", "1000000000", "--out", str(tmp_path / "cmp")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
                          preexec_fn=limit_memory)
    assert proc.returncode == 2, proc.stderr[-2000:]
    line = one_line(proc.stderr, "--seeds", "1,000,000,000 seeds", "memory", "available")
    assert "TB" in line or "PB" in line
    assert time.monotonic() - start < 60
    assert list(tmp_path.iterdir()) == []


def test_python_api_refuses_absurd_seeds_before_making_a_list():
    script = ("from sim.errors import ConfigError\n"
              "from sim.experiments.compare import compare\n"
              "try:\n"
              "    compare(['baseline', 'nanan_131'], seeds=range(10**12), steps=1)\n"
              "except ConfigError as exc:\n"
              "    print(exc.field)\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False, preexec_fn=limit_memory)
    assert proc.stdout.strip() == "--seeds", proc.stderr[-2000:]


def test_absurd_workers_are_refused_before_any_worker_starts(tmp_path, capsys, monkeypatch):
    import concurrent.futures

    import sim.children

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pool of workers was started")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    monkeypatch.setattr(sim.children, "WorkerPool", no_pool)
    monkeypatch.setattr(compare_module, "available_memory", lambda: 8 * 10**9, raising=False)
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "nanan_131", "--seeds", "1000", "--steps", "1",
                 "--workers", "5000", "--quiet", "--out", str(out)]) == 2
    one_line(capsys.readouterr().err, "--workers", "5,000 worker processes", "use at most")
    assert not out.exists()


def test_resource_estimate_allows_ordinary_comparisons():
    check_resources = compare_module.check_resources
    check_resources(5, 20, 120, 5188, None, available=2 * 10**9)  # the demo
    with pytest.raises(ConfigError, match="--seeds"):
        check_resources(5, 10**8, 120, 5188, 1, available=16 * 10**9)
    with pytest.raises(ConfigError, match="--workers"):
        check_resources(2, 100, 120, 200, 400, available=16 * 10**9)
    check_resources(2, 4, 120, 5188, 1, available=16 * 10**9, n_sets=64)  # README's
    with pytest.raises(ConfigError, match=r"--uncertainty: .* × 10,000,000 parameter sets"):
        check_resources(2, 4, 120, 5188, 1, available=16 * 10**9, n_sets=10**7)


# --------------------------------------------------------------------------- items 8, 16: workers

LONG = ["compare", "baseline", "nanan_131", "--community", "heping_road", "--seeds", "60",
        "--steps", "120", "--workers", "2", "--quiet", "--lang", "en"]


def as_from_a_terminal() -> None:
    """In the child before exec: SIGINT at its default and unblocked, as a terminal starts it.

    A test run started in the background by a non-interactive shell (``make test &``, a CI
    runner) has SIGINT ignored, and an ignored signal stays ignored across exec: the
    comparison then never sees the Ctrl-C it is sent and runs to the end (exit code 0).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def start_compare(out: Path) -> tuple[subprocess.Popen[str], list[psutil.Process]]:
    """Start a long comparison with two workers; return it once both workers run."""
    proc = subprocess.Popen([sys.executable, "-m", "sim", *LONG, "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=as_from_a_terminal)
    driver = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        workers = [p for p in driver.children(recursive=True)
                   if "spawn_main" in " ".join(p.cmdline())]
        if len(workers) >= 2 and all(p.cpu_times().user > 0.5 for p in workers):
            return proc, driver.children(recursive=True)
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("the workers did not start")


def survivors(children: list[psutil.Process], wait: float = 10) -> list[int]:
    """The pids of ``children`` still running (not zombies) after up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        alive = []
        for child in children:
            try:
                if child.is_running() and child.status() != psutil.STATUS_ZOMBIE:
                    alive.append(child.pid)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def test_killing_the_driver_leaves_no_worker_running(tmp_path):
    proc, children = start_compare(tmp_path / "cmp")
    try:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)  # not communicate(): surviving workers would hold its pipes
        left = survivors(children)
    finally:
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
    assert left == []


def test_ctrl_c_with_workers_prints_one_line_and_leaves_nothing(tmp_path):
    out = tmp_path / "cmp"
    proc, children = start_compare(out)
    try:
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal does: the whole group
        _, err = proc.communicate(timeout=60)
        left = survivors(children)
    finally:
        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
    assert proc.returncode == 2
    one_line(err, "interrupted")
    assert left == []
    assert list(tmp_path.iterdir()) == []


def test_progress_bar_only_on_a_terminal(tmp_path, capsys, monkeypatch):
    args = ["compare", "baseline", "nanan_131", "--seeds", "1", "--steps", "1", "--workers",
            "1", "--lang", "en"]
    assert main([*args, "--out", str(tmp_path / "log")]) == 0
    assert capsys.readouterr().err == ""  # stderr is not a terminal: no bar
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main([*args, "--out", str(tmp_path / "tty")]) == 0
    assert "run" in capsys.readouterr().err  # a terminal gets the bar


# --------------------------------------------------------------------------- item 15: CSV, XLSX


def test_timeseries_csv_and_xlsx(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "nanan_131", "--seeds", "2", "--steps", "2",
                 "--workers", "1", "--lang", "zh", "--xlsx", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "timeseries.csv" in printed and "summary.xlsx" in printed
    parquet = pd.read_parquet(out / "timeseries.parquet")
    csv = pd.read_csv(out / "timeseries.csv")
    pd.testing.assert_frame_equal(parquet, csv, check_dtype=False, check_exact=True)
    sheets = pd.read_excel(out / "summary.xlsx", sheet_name=None, engine="openpyxl")
    assert list(sheets) == ["summary", "runs", "columns"]
    summary = pd.read_csv(out / "summary.csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(sheets["summary"], summary, check_dtype=False)
    assert "小区环境状况" in set(sheets["summary"]["outcome_label"])
    runs = sheets["runs"]
    assert "condition [share]" in runs.columns and "gov_spending [yuan]" in runs.columns
    assert "petitions_total [household-months]" in runs.columns
    plain = pd.read_csv(out / "runs.csv")
    assert runs["condition [share]"].tolist() == pytest.approx(plain["condition"].tolist())
    assert set(sheets["columns"]["column"]) == set(COLUMNS)
    assert set(read_manifest(out)["files"]) >= {"timeseries.csv", "summary.xlsx"}


def test_without_xlsx_no_workbook(tmp_path):
    out = tmp_path / "cmp"
    assert main(["compare", "baseline", "nanan_131", *TINY, "--out", str(out)]) == 0
    assert not (out / "summary.xlsx").exists() and (out / "timeseries.csv").is_file()
