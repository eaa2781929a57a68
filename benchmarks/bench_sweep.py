"""Sweep benchmarks: driver memory over a 10,000-run sweep, and a 1,000-run Heping Road sweep.

Both run ``python -m sim sweep SPEC --out DIR --workers N --quiet`` in a subprocess, exactly as
a user would, on a sweep file written to a temporary directory:

- ``memory``: 10,000 tiny runs (``generic_old_compound``, 12 months, Latin hypercube over the
  face weight and acquaintance, one seed). The resident set size (RSS) of the driver process
  and of its worker processes is sampled every 0.2 s together with the number of part files
  written, and reported at 1,000, 5,000 and 10,000 runs: results stream to disk, so the
  driver's RSS must stay flat. Also reported: the time and peak memory of
  ``sim.load_results`` on the finished 10,000-run directory.
- ``heping``: 1,000 runs of ``heping_road`` × 120 months (500 Latin points × 2 seeds) on 2
  worker processes; target: under 10 minutes of wall time, start-up included.

``--record`` writes the sections ``sweep-memory`` and ``sweep-heping`` of ``RESULTS.md``.
Run ``.venv/bin/python benchmarks/bench_sweep.py --help`` for options.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil
import yaml
from harness import ROOT, fmt_seconds, markdown_table, record_section, verdict

HEPING_TARGET_SECONDS = 600.0
CHECKPOINTS = (1_000, 5_000, 10_000)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("memory", "heping"),
                        help="run one benchmark only (default: both)")
    parser.add_argument("--runs", type=int, default=10_000,
                        help="runs of the memory benchmark (default 10000)")
    parser.add_argument("--heping-runs", type=int, default=1_000,
                        help="runs of the Heping Road benchmark, even (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--record", action="store_true",
                        help="write the sections of benchmarks/RESULTS.md")
    return parser.parse_args(argv)


def sweep_file(path: Path, name: str, community: str, steps: int, points: int,
               seeds: list[int]) -> Path:
    """Write a Latin-hypercube sweep over the face weight and acquaintance."""
    spec = {
        "kind": "sweep", "name": name, "base": str(ROOT / "configs/designs/baseline.yaml"),
        "set": {"community": community}, "steps": steps,
        "outcomes": ["contribution_rate", "condition"], "outcome_months": min(12, steps),
        "uncertainties": {"behaviour.weights.face": {"low": 0.0, "high": 3.0},
                          "community.network.acquaintance": {"low": 0.1, "high": 0.9}},
        "sampler": {"method": "latin", "n": points, "seed": 0},
        "seeds": seeds,
    }
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def count_parts(runs_dir: Path) -> int:
    """Part files written so far."""
    try:
        with os.scandir(runs_dir) as entries:
            return sum(1 for e in entries if e.name.startswith("part-"))
    except FileNotFoundError:
        return 0


def rss(proc: psutil.Process) -> tuple[int, int]:
    """RSS of a process and the sum over its descendants, in bytes."""
    try:
        own = proc.memory_info().rss
        kids = 0
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                kids += child.memory_info().rss
        return own, kids
    except psutil.Error:
        return 0, 0


def run_sweep(spec: Path, out: Path, workers: int) -> dict[str, Any]:
    """Run ``sim sweep`` in a subprocess, sampling memory and progress every 0.2 s."""
    cmd = [sys.executable, "-m", "sim", "sweep", str(spec), "--out", str(out), "--workers",
           str(workers), "--quiet"]
    samples: list[tuple[float, int, int, int]] = []
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    ps = psutil.Process(proc.pid)
    try:
        while proc.poll() is None:
            own, kids = rss(ps)
            if own:
                samples.append((time.perf_counter() - start, count_parts(out / "runs"), own,
                                kids))
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
        raise RuntimeError(f"sim sweep failed ({proc.returncode}): {err}")
    return {"wall": wall, "samples": samples, "parts": count_parts(out / "runs")}


def at(samples: list[tuple[float, int, int, int]], runs: int) -> tuple[float, int, int, int]:
    """The first sample at or after ``runs`` runs done (the last sample if none)."""
    return next((s for s in samples if s[1] >= runs), samples[-1])


def mb(n: float) -> str:
    return f"{n / 2**20:.1f} MB"


def load_results_cost(out: Path) -> tuple[float, int, float]:
    """Time, rows and peak RSS of ``sim.load_results(out)`` in a fresh process."""
    code = ("import resource, time, sim; t = time.perf_counter(); df = sim.load_results("
            f"{str(out)!r}); dt = time.perf_counter() - t; "
            "print(dt, len(df), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=600, check=True)
    secs, rows, maxrss_kb = res.stdout.split()
    return float(secs), int(rows), float(maxrss_kb) * 1024


def bench_memory(args: argparse.Namespace, tmp: Path) -> str:
    """The 10,000-run memory benchmark; returns its markdown section body."""
    spec = sweep_file(tmp / "memory.yaml", "bench_memory", "generic_old_compound", 12,
                      args.runs, [0])
    out = tmp / "memory"
    result = run_sweep(spec, out, args.workers)
    samples = result["samples"]
    rows = []
    for k in (*(c for c in CHECKPOINTS if c < args.runs), args.runs):
        t, done, own, kids = at(samples, k)
        rows.append([f"{k:,}", f"{done:,}", f"{t:.1f} s", mb(own), mb(kids)])
    first = next((s for s in samples if s[1] >= 1), samples[0])
    peak = max(samples, key=lambda s: s[2])
    peak_own = peak[2]
    # While runs are in progress (from 1,000 runs until the last part is written); the
    # sweep then re-checks every part file and rewrites the manifest once.
    running = [s[2] for s in samples if min(1_000, args.runs) <= s[1] < args.runs]
    spread = (max(running) - min(running)) if running else 0
    flat = spread < 20 * 2**20
    secs, nrows, peak_load = load_results_cost(out)
    manifest_size = (out / "manifest.json").stat().st_size
    parts_size = sum(p.stat().st_size for p in (out / "runs").iterdir())
    body = [
        f"{args.runs:,} runs of `generic_old_compound` (200 households) × 12 months, Latin "
        f"hypercube over `behaviour.weights.face` × `community.network.acquaintance`, 1 seed, "
        f"`--workers {args.workers}`; RSS sampled every 0.2 s with psutil.",
        "",
        markdown_table(["runs", "parts when sampled", "elapsed", "driver RSS",
                        "workers' RSS (sum)"], rows),
        "",
        f"- wall time {fmt_seconds(result['wall'])} "
        f"({args.runs / result['wall']:.0f} runs/s, start-up included); first part after "
        f"{first[0]:.1f} s",
        f"- driver RSS while runs are in progress, from 1,000 runs to the last: varies by "
        f"{mb(spread)} (flat = under 20 MB): {verdict(flat)}",
        f"- driver RSS peak: {mb(peak_own)} (sampled at {peak[1]:,} parts, {peak[0]:.1f} s: "
        + ("while the plan and the manifest of every run are built" if peak[1] == 0 else
           "when the manifest of every run is rewritten at the end" if peak[1] >= args.runs
           else "during the runs") + ")",
        f"- on disk: {mb(parts_size)} in {result['parts']:,} part files, manifest "
        f"{mb(manifest_size)}",
        f"- `sim.load_results` on the finished directory: {fmt_seconds(secs)} for {nrows:,} "
        f"rows, peak RSS of that process {mb(peak_load)}",
    ]
    return "\n".join(body)


def bench_heping(args: argparse.Namespace, tmp: Path) -> str:
    """The 1,000-run Heping Road benchmark; returns its markdown section body."""
    points = args.heping_runs // 2
    spec = sweep_file(tmp / "heping.yaml", "bench_heping", "heping_road", 120, points, [0, 1])
    out = tmp / "heping"
    result = run_sweep(spec, out, args.workers)
    wall = result["wall"]
    runs = result["parts"]
    ok = wall < HEPING_TARGET_SECONDS and runs == 2 * points
    table = markdown_table(
        ["runs", "workers", "wall time", "per run (wall × workers / runs)", "target", ""],
        [[f"{runs:,}", args.workers, fmt_seconds(wall),
          fmt_seconds(wall * args.workers / max(runs, 1)), "< 600 s", verdict(ok)]])
    return "\n".join([
        f"{runs:,} runs of `heping_road` (5,188 households, 108 compounds) × 120 months under "
        f"`baseline`: {points} Latin points over `behaviour.weights.face` × "
        "`community.network.acquaintance`, 2 seeds each. Wall time of the whole "
        "`python -m sim sweep` process, start-up and writing included.",
        "",
        table,
    ])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks, print the sections, optionally record them."""
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    try:
        if args.only in (None, "memory"):
            body = bench_memory(args, tmp)
            print(body, "\n")
            if args.record:
                record_section("sweep-memory", f"Sweep: driver memory over {args.runs:,} runs",
                               body)
            shutil.rmtree(tmp / "memory", ignore_errors=True)
        if args.only in (None, "heping"):
            body = bench_heping(args, tmp)
            print(body)
            if args.record:
                record_section("sweep-heping", f"Sweep: {args.heping_runs:,} runs of Heping "
                               "Road × 120 months", body)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
