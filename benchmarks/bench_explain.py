"""Explain benchmark: ``sim explain nanan_131 --vs baseline`` at its default sizes (item 6).

Runs ``python -m sim explain nanan_131 --vs baseline --community C --workers N --quiet``
in a subprocess, exactly as a user would, with the defaults: every feasible subset of the
six institutions 131 adds (40 subsets) and the mechanism switches, × 32 parameter sets ×
4 seeds, 120 months. Targets: under 5 minutes on ``generic_old_compound`` and under 20
minutes on ``heping_road``, on 2 cores, wall time with start-up and outputs included.

``--heping-fraction F`` runs Heping Road with ``--uncertainty`` scaled by F (say 0.25: 8
parameter sets) and extrapolates the wall time linearly in runs (start-up measured apart,
from the same run's first part file), saying so in the table; 1 runs it whole.

``--record`` writes the section ``explain`` of ``RESULTS.md``.
Run ``.venv/bin/python benchmarks/bench_explain.py --help`` for options.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness import ROOT, fmt_seconds, markdown_table, record_section, verdict

TARGETS = {"generic_old_compound": 300.0, "heping_road": 1200.0}
"""Wall-time targets in seconds (issue 11, item 6)."""

DEFAULT_UNCERTAINTY = 32


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=tuple(TARGETS), help="one community only")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--heping-fraction", type=float, default=0.25,
                        help="share of the 32 parameter sets run on heping_road, "
                             "extrapolated linearly (default 0.25; 1 = the whole run)")
    parser.add_argument("--record", action="store_true",
                        help="write the section 'explain' of benchmarks/RESULTS.md")
    return parser.parse_args(argv)


def count_parts(runs_dir: Path) -> int:
    """Part files written so far."""
    try:
        with os.scandir(runs_dir) as entries:
            return sum(1 for e in entries if e.name.startswith("part-"))
    except FileNotFoundError:
        return 0


def run_explain(community: str, uncertainty: int, out: Path, workers: int) -> dict[str, Any]:
    """Run ``sim explain`` in a subprocess; wall time, time to the first part file, runs."""
    cmd = [sys.executable, "-m", "sim", "explain", "nanan_131", "--vs", "baseline",
           "--community", community, "--uncertainty", str(uncertainty), "--workers",
           str(workers), "--quiet", "--lang", "en", "--out", str(out)]
    start = time.perf_counter()
    first = None
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        while proc.poll() is None:
            if first is None and count_parts(out / "runs"):
                first = time.perf_counter() - start
            time.sleep(0.2)
        wall = time.perf_counter() - start
        err = proc.stderr.read().decode() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait(timeout=60)
        if proc.stderr:
            proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"sim explain failed ({proc.returncode}): {err}")
    return {"wall": wall, "first": first or 0.0, "runs": count_parts(out / "runs"),
            "cmd": " ".join(cmd[2:])}


def bench(community: str, fraction: float, args: argparse.Namespace, tmp: Path) -> list[Any]:
    """One community: a table row."""
    uncertainty = max(1, round(DEFAULT_UNCERTAINTY * fraction))
    res = run_explain(community, uncertainty, tmp / community, args.workers)
    runs, wall = res["runs"], res["wall"]
    full_runs = runs * DEFAULT_UNCERTAINTY // uncertainty
    if uncertainty == DEFAULT_UNCERTAINTY:
        estimate, how = wall, "measured"
    else:
        per_run = (wall - res["first"]) / runs
        estimate = res["first"] + per_run * full_runs
        how = (f"estimated from --uncertainty {uncertainty} ({runs:,} runs in "
               f"{fmt_seconds(wall)}), linear in runs")
    target = TARGETS[community]
    return [community, f"{full_runs:,}", args.workers, fmt_seconds(estimate),
            f"{full_runs / estimate:.1f}", how, f"< {target / 60:.0f} min",
            verdict(estimate < target)]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print (or record) its table."""
    args = parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-explain-") as tmp:
        for community in TARGETS:
            if args.only not in (None, community):
                continue
            fraction = args.heping_fraction if community == "heping_road" else 1.0
            rows.append(bench(community, fraction, args, Path(tmp)))
    table = markdown_table(["community", "runs", "workers", "wall time", "runs/s", "how",
                            "target", ""], rows)
    body = "\n".join([
        "`sim explain nanan_131 --vs baseline --community C` with the defaults (40 subsets "
        "of the six added institutions and the mechanism switches that apply, × 32 "
        "parameter sets × 4 seeds, 120 months), in a subprocess as a user runs it; wall "
        "time includes start-up, the attribution, the figures and the page.",
        "", table])
    print(body)
    if args.record:
        record_section("explain", "sim explain (issue 11, item 6)", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
