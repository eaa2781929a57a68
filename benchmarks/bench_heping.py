"""Acceptance benchmark (b): one 120-month run of the Heping Road compound.

Times ``sim.CompoundModel`` on the ``heping_road`` community preset under one governance
design (``--design``, default ``baseline``; ``huli_six_party`` has the most institutions),
through the public API: construction plus ``run(120)``. Reports the median of several runs
(target: < 1 s) and, separately, the very first run in the process, which also pays for
first-call costs (lazy imports, numba's import and the load of its cached kernels, caches).
``--record`` writes the section ``heping-<design>`` of ``RESULTS.md``, so each design keeps
its own section.

Run ``.venv/bin/python benchmarks/bench_heping.py --help`` for options.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

from harness import (
    ROOT,
    ensure_project_importable,
    fmt_seconds,
    markdown_table,
    measure,
    measure_phase,
    median,
    record_section,
    verdict,
)

DESIGNS_DIR = ROOT / "configs" / "designs"
DESIGNS = sorted(path.stem for path in DESIGNS_DIR.glob("*.yaml"))
TARGET_SECONDS = 1.0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description=(
            "Time one run of the heping_road community under a governance design through the "
            "public API (acceptance benchmark (b), target < 1 s)."
        )
    )
    parser.add_argument(
        "--design",
        default="baseline",
        choices=DESIGNS,
        help="governance design in configs/designs/ (default baseline); the recorded section "
        "is heping-<design>",
    )
    parser.add_argument("--months", type=int, default=120, help="months to run (default 120)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (default 5)")
    parser.add_argument("--rng", type=int, default=1, help="model seed for every run (default 1)")
    parser.add_argument("--community", default="heping_road", help="community preset")
    parser.add_argument(
        "--record", action="store_true", help="write this section of benchmarks/RESULTS.md"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the table, optionally record it."""
    args = parse_args(argv)
    ensure_project_importable()
    import sim  # late import: needs the repository root on sys.path first

    load_start = time.perf_counter()
    design_path = DESIGNS_DIR / f"{args.design}.yaml"
    scn = sim.load_config(str(design_path)).override({"community": args.community})
    load_time = time.perf_counter() - load_start
    institutions = list(scn.design.institutions)

    def build() -> Any:
        return sim.CompoundModel(scn, rng=args.rng)

    def simulate(model: Any) -> Any:
        model.run(args.months)
        return model

    def build_and_run() -> Any:
        return simulate(build())

    first = measure(build_and_run, 1)[0]
    model = build_and_run()
    households = int(model.population.acts.shape[0])
    frame = model.datacollector.get_model_vars_dataframe()
    last_rate = float(frame["contribution_rate"].iloc[-1])
    del model

    total = measure(build_and_run, args.repeats)
    build_times = measure(build, args.repeats)
    run_times = measure_phase(build, simulate, args.repeats)
    total_median = median(total)
    met = verdict(total_median < TARGET_SECONDS)

    rows = [
        ["total", f"CompoundModel(scn, rng={args.rng}) + run({args.months})", total],
        ["build", "CompoundModel(scn) only", build_times],
        ["steps", f"run({args.months}) on a fresh model", run_times],
    ]
    body = "\n".join(
        [
            f"Community `{args.community}` under design `{args.design}` "
            f"({len(institutions)} institutions: {', '.join(institutions) or 'none'}), "
            f"{households} households, "
            f"{args.months} months, rng={args.rng} for every run. Config loading "
            f"({fmt_seconds(load_time)}) is outside the timings. First run in the process "
            f"(cold, included in nothing below): {fmt_seconds(first)}. "
            f"Datacollector: {len(frame)} rows, final contribution_rate {last_rate:.3f}.",
            "",
            markdown_table(
                ["phase", "what is timed", "median", "min", "max", "runs"],
                [
                    [
                        phase,
                        what,
                        fmt_seconds(median(times)),
                        fmt_seconds(min(times)),
                        fmt_seconds(max(times)),
                        len(times),
                    ]
                    for phase, what, times in rows
                ],
            ),
            "",
            f"Target: median total < {TARGET_SECONDS:g} s — {met} ({fmt_seconds(total_median)}).",
        ]
    )
    print(body)
    if args.record:
        record_section(
            f"heping-{args.design}", f"(b) Heping Road, 120 months, design `{args.design}`", body
        )
        print("\nrecorded in benchmarks/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
