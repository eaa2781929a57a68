"""Fuzz the commands a user types: every bad input is one line, exit 2, nothing left behind.

A table of cases (non-finite, huge, mistyped and malformed values) is fed to
``sim run``, ``sim sweep`` and ``sim compare`` as a user would type them, and
to the Python API. Each case either exits 2 with exactly one line on stderr,
``sim: error: FIELD: message``, and leaves no file in the working directory,
or (the few valid cases, kept as a control) runs correctly.

The cases are small on purpose: a valid case runs two months of the 200-household
compound, so the table costs seconds per command, not minutes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import sim
from sim.errors import ConfigError

SIM = [sys.executable, "-m", "sim"]

SWEEP_OK = """\
kind: sweep
name: fz
base: configs/designs/baseline.yaml
set: {community: generic_old_compound}
steps: 2
outcomes: [condition]
outcome_months: 1
uncertainties:
  behaviour.noise: {low: 0.1, high: 1.0}
sampler: {method: latin, n: 2, seed: 0}
seeds: [0]
"""


def _sweep(**replace: str) -> str:
    """The valid sweep file with some of its lines replaced (key → whole new line or block)."""
    lines = []
    for line in SWEEP_OK.splitlines():
        key = line.split(":", 1)[0].strip()
        lines.append(replace.pop(key) if key in replace and not line.startswith(" ") else line)
    lines.extend(replace.values())
    return "\n".join(lines) + "\n"


RUN_CASES: dict[str, list[str]] = {
    "nan noise": ["baseline", "--set", "behaviour.noise=.nan"],
    "inf noise": ["baseline", "--set", "behaviour.noise=.inf"],
    "nan threshold": ["threshold", "--set", "behaviour.threshold=.nan"],
    "nan in a distribution": ["threshold", "--set",
                              "behaviour.threshold={dist: normal, mean: .nan, sd: 0.1}"],
    "-inf low of a distribution": ["threshold", "--set",
                                   "behaviour.threshold={dist: uniform, low: -.inf, high: 1}"],
    "nan weight": ["baseline", "--set", "behaviour.weights.face=.nan"],
    "inf weight": ["baseline", "--set", "behaviour.weights.face=.inf"],
    "huge households": ["baseline", "--set", "community.groups.0.households=100000000000"],
    "huge matter rate": ["baseline", "--set", "matters.types.0.rate=1e12"],
    "string for a number": ["baseline", "--set", "behaviour.noise=lots"],
    "list for a number": ["baseline", "--set", "behaviour.noise=[1, 2]"],
    "unknown key": ["baseline", "--set", "behaviour.nosie=0.2"],
    "institution absent": ["baseline", "--set",
                           "design.institutions.party_branch.visits_per_member=6"],
    "preset walks out": ["../../etc/passwd"],
    "preset walks out in --set": ["baseline", "--set", "design=../../etc/passwd"],
    "negative steps": ["baseline", "--steps", "-3"],
    "steps not a number": ["baseline", "--steps", "x"],
    "seed not a number": ["baseline", "--seed", "1.5"],
    "unknown preset": ["no_such_design"],
    "too long --out": ["baseline", "--steps", "1", "--out", "x" * 300],
}

SWEEP_CASES: dict[str, str] = {
    "nan bound": _sweep(uncertainties="uncertainties:\n  behaviour.noise: {low: .nan, high: 1}"),
    "inf bound": _sweep(uncertainties="uncertainties:\n  behaviour.noise: {low: 0, high: .inf}"),
    "huge n": _sweep(sampler="sampler: {method: latin, n: 1000000000, seed: 0}"),
    "unknown sampler": _sweep(sampler="sampler: {method: lattice, n: 2, seed: 0}"),
    "n not a number": _sweep(sampler="sampler: {method: latin, n: many, seed: 0}"),
    "unknown parameter": _sweep(
        uncertainties="uncertainties:\n  behaviour.nosie: {low: 0, high: 1}"),
    "nan lever value": _sweep(levers="levers:\n  behaviour.weights.face: {values: [1, .nan]}"),
    "duplicate key": _sweep(steps="steps: 2\nsteps: 3"),
    "malformed yaml": _sweep(seeds="seeds: [0"),
    "not a mapping": "- just\n- a list\n",
    "deep nesting": "kind: sweep\nname: " + "[" * 5000 + "\n",
    "absurd steps": _sweep(steps="steps: 1e15"),
}

COMPARE_CASES: dict[str, list[str]] = {
    "huge --seeds": ["baseline", "nanan_131", "--seeds", "1000000000"],
    "zero --seeds": ["baseline", "nanan_131", "--seeds", "0"],
    "--seeds not a number": ["baseline", "nanan_131", "--seeds", "ten"],
    "one design": ["baseline"],
    "unknown community": ["baseline", "nanan_131", "--community", "atlantis"],
    "community walks out": ["baseline", "nanan_131", "--community", "../../etc/passwd"],
    "nan --set": ["baseline", "nanan_131", "--set", "behaviour.noise=.nan"],
    "institution in no design": ["baseline", "baseline_copy.yaml", "--set",
                                 "design.institutions.party_branch.visits_per_member=6"],
    "zero --workers": ["baseline", "nanan_131", "--workers", "0"],
    "huge --workers": ["baseline", "nanan_131", "--workers", "100000000"],
    "too long --out": ["baseline", "nanan_131", "--steps", "1", "--seeds", "1",
                       "--out", "y" * 300],
}


def _sim(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``sim ARGS`` in ``cwd`` with the repository's configs found as presets."""
    env = {**os.environ, "MPLBACKEND": "Agg", "SIM_CONFIG_PATH": str(_repo() / "configs")}
    return subprocess.run([*SIM, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def _repo() -> Path:
    return Path(__file__).resolve().parents[1]


def _workdir(tmp_path: Path) -> Path:
    """A working directory holding what the cases refer to (a copy of the baseline design)."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "configs").symlink_to(_repo() / "configs")
    (work / "baseline_copy.yaml").write_text(
        (_repo() / "configs/designs/baseline.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return work


def _assert_refused(proc: subprocess.CompletedProcess[str], work: Path,
                    before: set[str]) -> None:
    """Exit 2, exactly one ``sim: error:`` line on stderr, and no new file in ``work``."""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert len(lines) == 1, proc.stderr[-2000:]
    assert lines[0].startswith("sim: error: "), lines[0]
    assert "Traceback" not in proc.stderr
    after = {str(p.relative_to(work)) for p in work.rglob("*") if "configs" not in p.parts}
    assert after == before, f"left behind: {sorted(after - before)}"


def _listing(work: Path) -> set[str]:
    return {str(p.relative_to(work)) for p in work.rglob("*") if "configs" not in p.parts}


@pytest.mark.parametrize("case", sorted(RUN_CASES))
def test_sim_run_refuses_bad_input(case: str, tmp_path: Path) -> None:
    """``sim run`` with a bad value: one line, exit 2, no output directory."""
    work = _workdir(tmp_path)
    before = _listing(work)
    args = RUN_CASES[case]
    if "--out" not in args:
        args = [*args, "--out", "out/run"]
    _assert_refused(_sim(["run", *args], work), work, before)


@pytest.mark.parametrize("case", sorted(SWEEP_CASES))
def test_sim_sweep_refuses_bad_input(case: str, tmp_path: Path) -> None:
    """``sim sweep`` with a bad sweep file: one line, exit 2, no sweep directory."""
    work = _workdir(tmp_path)
    (work / "bad.yaml").write_text(SWEEP_CASES[case], encoding="utf-8")
    before = _listing(work)
    _assert_refused(_sim(["sweep", "bad.yaml", "--out", "out/sweep", "--workers", "1"], work),
                    work, before)


@pytest.mark.parametrize("case", sorted(COMPARE_CASES))
def test_sim_compare_refuses_bad_input(case: str, tmp_path: Path) -> None:
    """``sim compare`` with a bad option: one line, exit 2, no comparison directory."""
    work = _workdir(tmp_path)
    before = _listing(work)
    args = COMPARE_CASES[case]
    if "--out" not in args:
        args = [*args, "--out", "out/cmp"]
    _assert_refused(_sim(["compare", *args], work), work, before)


def test_valid_inputs_still_run(tmp_path: Path) -> None:
    """The control: the valid forms of the cases above run and write their outputs."""
    work = _workdir(tmp_path)
    (work / "ok.yaml").write_text(SWEEP_OK, encoding="utf-8")
    for args, marker in (
            (["run", "baseline", "--steps", "2", "--seed", "1", "--out", "out/run",
              "--set", "behaviour.noise=0.3"], "out/run/run.json"),
            (["sweep", "ok.yaml", "--out", "out/sweep", "--workers", "1"],
             "out/sweep/manifest.json"),
            (["compare", "baseline", "nanan_131", "--steps", "2", "--seeds", "2",
              "--workers", "1", "--out", "out/cmp"], "out/cmp/manifest.json")):
        proc = _sim(args, work)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert (work / marker).is_file(), marker


API_CASES: dict[str, dict[str, object]] = {
    "nan": {"behaviour.noise": float("nan")},
    "inf": {"behaviour.weights.face": float("inf")},
    "-inf": {"behaviour.noise": float("-inf")},
    "bool for a number": {"behaviour.noise": True},
    "dict for a number": {"behaviour.noise": {"a": 1}},
    "huge households": {"community.groups.0.households": 10**11},
    "nan in a list": {"behaviour.threshold": [0.1, float("nan")]},
    "institution absent": {"design.institutions.party_branch.visits_per_member": 6},
}


@pytest.mark.parametrize("case", sorted(API_CASES))
def test_python_api_refuses_bad_values(case: str) -> None:
    """The Python API raises :class:`ConfigError` (never runs) for the same bad values."""
    scn = sim.load_config("baseline")
    if case == "nan in a list":
        scn = sim.load_config("threshold")
    with pytest.raises(ConfigError):
        sim.CompoundModel(scn.override(API_CASES[case]), rng=1).run(1)


def test_batch_run_keyword_order_cannot_lose_a_value() -> None:
    """Keyword arguments in any order give the same scenario (what mesa.batch_run passes)."""
    a = sim.CompoundModel(community__network__acquaintance=0.3, community="heping_road", rng=1)
    b = sim.CompoundModel(community="heping_road", community__network__acquaintance=0.3, rng=1)
    assert a.config.community.network.acquaintance == 0.3
    assert b.config.community.network.acquaintance == 0.3


if __name__ == "__main__":  # pragma: no cover
    print(textwrap.fill(__doc__ or ""))
