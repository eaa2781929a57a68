"""Acceptance benchmark (c): scaling from 10^3 to 10^6 households, 120 months each.

The ``generic_old_compound`` community preset is scaled by overriding its first household
group's count (``community.groups.0.count``) under one governance design (``--design``, default
``baseline``; ``huli_six_party`` has the most institutions). The count giving
the requested number of households is found by building two tiny probe models and assuming
households grow linearly with the count; the table shows the households actually simulated.

Each size runs in a fresh subprocess (this script with ``--one N``) so that the peak resident
memory it reports (``ru_maxrss``, cross-checked with ``VmHWM`` from ``/proc/self/status``) is
that size's own peak, not the largest size seen so far. Timings include model construction
and ``run(months)``; interpreter start-up, imports and config loading are excluded.

Targets: 10^6 households × 120 months in < 120 s and < 4 GB peak memory, and a log-log slope
of time against households close to 1 (linear scaling). ``--record`` writes the section
``scaling-<design>`` of ``RESULTS.md``, so each design keeps its own section.

Run ``.venv/bin/python benchmarks/bench_scaling.py --help`` for options.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np
from harness import (
    ROOT,
    ensure_project_importable,
    fmt_seconds,
    markdown_table,
    record_section,
    verdict,
)

DESIGNS_DIR = ROOT / "configs" / "designs"
DESIGNS = sorted(path.stem for path in DESIGNS_DIR.glob("*.yaml"))
COMMUNITY = "generic_old_compound"
COUNT_KEY = "community.groups.0.count"
SIZES = (1_000, 10_000, 100_000, 1_000_000)
LARGE = 1_000_000
RESULT_PREFIX = "RESULT "
TARGET_SECONDS_1E6 = 120.0
TARGET_BYTES_1E6 = 4e9


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description=(
            "Time generic_old_compound scaled to 10^3..10^6 households under a governance "
            "design (acceptance benchmark (c)); one fresh subprocess per size for peak memory."
        )
    )
    parser.add_argument(
        "--design",
        default="baseline",
        choices=DESIGNS,
        help="governance design in configs/designs/ (default baseline); the recorded section "
        "is scaling-<design>",
    )
    parser.add_argument(
        "--max", type=int, default=LARGE, help="largest household count to run (default 10^6)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed runs per size below 10^6 (default 3)"
    )
    parser.add_argument(
        "--large-repeats", type=int, default=1, help="timed runs at 10^6 and above (default 1)"
    )
    parser.add_argument("--months", type=int, default=120, help="months per run (default 120)")
    parser.add_argument("--rng", type=int, default=1, help="model seed of the first run")
    parser.add_argument(
        "--timeout", type=float, default=1800.0, help="seconds allowed per size (default 1800)"
    )
    parser.add_argument(
        "--one", type=int, metavar="N", help="internal: run a single size in this process"
    )
    parser.add_argument(
        "--record", action="store_true", help="write this section of benchmarks/RESULTS.md"
    )
    return parser.parse_args(argv)


def _status_kib(field: str) -> int | None:
    """A ``/proc/self/status`` memory field in KiB (Linux only)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _households(base: Any, count: int) -> int:
    """Number of households the scaled community has for a given group count."""
    import sim

    model = sim.CompoundModel(base.override({COUNT_KEY: count}), rng=0)
    return int(model.population.acts.shape[0])


def count_for(base: Any, target: int) -> tuple[int, str]:
    """Group count giving about ``target`` households, assuming households are linear in it.

    Args:
        base: Baseline design with the generic community selected.
        target: Wanted number of households.

    Returns:
        ``(count, note)`` where the note records the probe results.
    """
    low, high = 1, 2
    h_low, h_high = _households(base, low), _households(base, high)
    per_count = h_high - h_low
    if per_count <= 0:
        raise RuntimeError(f"households do not grow with {COUNT_KEY}: {h_low}, {h_high}")
    fixed = h_low - per_count * low
    count = max(1, round((target - fixed) / per_count))
    return count, f"households = {fixed} + {per_count} × count"


def run_one(size: int, args: argparse.Namespace) -> dict[str, Any]:
    """Build and run one size in this process and measure it."""
    ensure_project_importable()
    import sim

    design_path = DESIGNS_DIR / f"{args.design}.yaml"
    base = sim.load_config(str(design_path)).override({"community": COMMUNITY})
    count, law = count_for(base, size)
    scn = base.override({COUNT_KEY: count})
    repeats = args.large_repeats if size >= LARGE else args.repeats
    gc.collect()
    rss_before = _status_kib("VmRSS")
    builds, runs, totals = [], [], []
    households = 0
    for i in range(repeats):
        gc.collect()
        start = time.perf_counter()
        model = sim.CompoundModel(scn, rng=args.rng + i)
        built = time.perf_counter()
        model.run(args.months)
        done = time.perf_counter()
        households = int(model.population.acts.shape[0])
        builds.append(built - start)
        runs.append(done - built)
        totals.append(done - start)
        del model
    return {
        "size": size,
        "count": count,
        "law": law,
        "households": households,
        "months": args.months,
        "design": args.design,
        "institutions": list(base.design.institutions),
        "build": builds,
        "run": runs,
        "total": totals,
        "maxrss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "hwm_bytes": (_status_kib("VmHWM") or 0) * 1024,
        "rss_before_bytes": (rss_before or 0) * 1024,
    }


def run_in_subprocess(size: int, args: argparse.Namespace) -> dict[str, Any]:
    """Run one size in a fresh interpreter and parse its result line."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--one",
        str(size),
        "--design",
        args.design,
        "--repeats",
        str(args.repeats),
        "--large-repeats",
        str(args.large_repeats),
        "--months",
        str(args.months),
        "--rng",
        str(args.rng),
    ]
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=args.timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"size": size, "error": f"timed out after {args.timeout:g} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    tail = (proc.stderr.strip().splitlines() or ["(no stderr)"])[-1]
    return {"size": size, "error": f"exit {proc.returncode}: {tail}", "stderr": proc.stderr}


def loglog_slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of log(time) against log(households)."""
    x = np.log([p[0] for p in points])
    y = np.log([p[1] for p in points])
    return float(np.polyfit(x, y, 1)[0])


def report(results: Sequence[dict[str, Any]], months: int, design: str) -> str:
    """Markdown tables and target checks for all sizes."""
    rows = []
    ok = [r for r in results if "error" not in r]
    for r in results:
        if "error" in r:
            rows.append([f"{r['size']:,}", "", "", "", "", "", "", "", "", r["error"]])
            continue
        total = median(r["total"])
        rows.append(
            [
                f"{r['size']:,}",
                f"{r['households']:,}",
                r["count"],
                fmt_seconds(median(r["build"])),
                fmt_seconds(median(r["run"])),
                fmt_seconds(total),
                f"{total / (r['households'] * months) * 1e9:.1f} ns",
                f"{r['maxrss_bytes'] / 1e6:,.0f}",
                f"{r['hwm_bytes'] / 1e6:,.0f}",
                len(r["total"]),
            ]
        )
    lines = [
        f"Community `{COMMUNITY}` scaled via `{COUNT_KEY}`, design `{design}`"
        + (
            f" ({len(ok[0]['institutions'])} institutions: "
            f"{', '.join(ok[0]['institutions']) or 'none'})"
            if ok
            else ""
        )
        + f", {months} months. "
        + (f"Scaling law from two probe models: {ok[0]['law']}. " if ok else "")
        + "Times are medians (construction + run); one fresh subprocess per size; peak memory "
        "is the whole process (interpreter and imports included).",
        "",
        markdown_table(
            [
                "target households",
                "households",
                "group count",
                "build",
                "run",
                "total",
                "per household-month",
                "peak RSS MB (ru_maxrss)",
                "VmHWM MB",
                "runs",
            ],
            rows,
        ),
        "",
    ]
    points = [(r["households"], median(r["total"])) for r in ok]
    if len(points) >= 2:
        slope = "Log-log slope of total time vs households (linear scaling ≈ 1): all sizes "
        slope += f"{loglog_slope(points):.2f}"
        big = [p for p in points if p[0] >= 10_000]
        if len(big) >= 2:
            slope += f", sizes ≥ 10^4 {loglog_slope(big):.2f}"
        lines.append(slope + ".")
    large = [r for r in ok if r["size"] >= LARGE]
    if large:
        r = large[0]
        seconds, peak = median(r["total"]), r["maxrss_bytes"]
        lines += [
            "",
            f"Targets at 10^6: time {fmt_seconds(seconds)} < {TARGET_SECONDS_1E6:g} s — "
            f"{verdict(seconds < TARGET_SECONDS_1E6)}; peak memory {peak / 1e9:.2f} GB < 4 GB — "
            f"{verdict(peak < TARGET_BYTES_1E6)}.",
        ]
    elif all(r["size"] < LARGE for r in results):
        lines += ["", "10^6 not run (--max below 10^6): targets not checked."]
    else:
        lines += ["", "10^6 failed: targets **NOT met**."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every size in its own subprocess (or one size with ``--one``)."""
    args = parse_args(argv)
    if args.one is not None:
        print(RESULT_PREFIX + json.dumps(run_one(args.one, args)))
        return 0
    results = []
    for size in (s for s in SIZES if s <= args.max):
        print(f"running {size:,} households ...", file=sys.stderr, flush=True)
        result = run_in_subprocess(size, args)
        if "error" in result:
            print(result.get("stderr", result["error"]), file=sys.stderr)
        else:
            print(
                f"  {result['households']:,} households: median "
                f"{fmt_seconds(median(result['total']))}, "
                f"peak {result['maxrss_bytes'] / 1e6:,.0f} MB",
                file=sys.stderr,
                flush=True,
            )
        results.append(result)
    body = report(results, args.months, args.design)
    print(body)
    if args.record:
        record_section(
            f"scaling-{args.design}",
            f"(c) Scaling, 10^3 to 10^6 households, design `{args.design}`",
            body,
        )
        print("\nrecorded in benchmarks/RESULTS.md")
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
