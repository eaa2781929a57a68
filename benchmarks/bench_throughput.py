"""Throughput: runs per second of a sweep on 2 worker processes, today's engine against a baseline.

Researchers' work is many runs of small and medium communities. This script measures runs
per second of ``python -m sim sweep SPEC --workers 2 --quiet`` — exactly what a user runs,
start-up included — for ``nanan_131`` on ``generic_old_compound`` and on ``heping_road``,
120 months, with two trees of the code in one run of the script:

- **baseline**: the engine at ``--baseline`` (default :data:`BASELINE`, the commit the
  batched engine started from), extracted with ``git archive`` into a temporary directory
  and run in a subprocess with ``PYTHONPATH`` pointing there;
- **current**: this checkout, run the same way.

Both trees run the same sweep files: ``--samples`` Latin points of the face weight in a
narrow range (so every run costs about the same) × ``--seeds`` seeds, and a sweep of one
point per worker × the same seeds. The current engine advances a point's seeds together (a batch,
merged on the replicate axis, :mod:`sim.replicates`), so the seeds per point decide what it
can share; the default workloads (:data:`WORKLOADS`) are 30 points × 8 seeds and 4 points ×
64 seeds on ``generic_old_compound``, 10 points × 8 seeds on ``heping_road``. A sweep pays
about 3 s of start-up (the driver and two spawned
workers import ``sim``, numba, pandas and pyarrow) whatever its length, so runs per second
are the *marginal* rate: extra runs of the long sweep over the short one, divided by the
extra wall time; the wall time of the long sweep, start-up included, is reported too.
Before timing, each tree runs one short sweep untimed, so numba's on-disk cache of that
tree is warm (a fresh ``git archive`` would otherwise charge several seconds of compilation
to the baseline). The trees alternate, ``--repeats`` times, and medians are reported.
Targets (issue 10, item 2): ``generic_old_compound`` ≥ 5× the baseline's runs per second,
``heping_road`` ≥ 2×.

**The stacking estimate** (``--estimate``, in this process, current tree; written before the
replicate axis existed, kept as a bound on what sharing the month's calls can give): the
month's cost is numpy call overhead on small arrays, paid once per call whatever the number
of compounds. A community of K copies of ``generic_old_compound`` (``count: K``) is timed
per compound-run against one compound: an estimate of advancing K runs together on a
compound-like run axis. These are not the same runs (one generator, a shared government),
only a measure of the overhead such an axis would amortise.

``--record`` writes the section ``throughput`` of ``RESULTS.md``. Run
``.venv/bin/python benchmarks/bench_throughput.py --help`` for options.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import yaml
from harness import ROOT, markdown_table, median, record_section, verdict

BASELINE = "3d2bf21"
"""The commit the batched engine (branch ``throughput``) started from: today's engine."""

TARGETS = {"generic_old_compound": 5.0, "heping_road": 2.0}
"""Required ratio of runs per second, current / baseline, per community."""

WORKLOADS = (("generic_old_compound", 30, 8), ("generic_old_compound", 4, 64),
             ("heping_road", 10, 8))
"""Default sweeps: (community, samples, seeds), runs = samples × seeds. A sample's seeds are
one batch and are advanced together (:mod:`sim.replicates`), so the runs per sample set how
much a batch can share: 8 seeds per point (a sweep of many points) and 64 (a seed-rich
study of few points, as a comparison or an attribution with many seeds) are both measured."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=BASELINE,
                        help=f"git revision of the baseline engine (default {BASELINE})")
    parser.add_argument("--design", default="nanan_131", help="design (default nanan_131)")
    parser.add_argument("--community", action="append", choices=sorted(TARGETS),
                        help="community to measure; repeat for several (default: both)")
    parser.add_argument("--months", type=int, default=120, help="months per run (default 120)")
    parser.add_argument("--samples", type=int, help="Latin points per sweep (default: "
                        + ", ".join(f"{c} {n}" for c, n, _ in WORKLOADS) + ")")
    parser.add_argument("--seeds", type=int, help="seeds per point (default: "
                        + ", ".join(f"{c} {k}" for c, _, k in WORKLOADS) + ")")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed sweeps per tree and community (default 3)")
    parser.add_argument("--estimate", action="store_true",
                        help="also time K stacked copies of the compound (K = 1, 8, 32), the "
                        "overhead a replicate axis could amortise")
    parser.add_argument("--record", action="store_true",
                        help="write the section 'throughput' of benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    for name, least in (("samples", 2), ("seeds", 1), ("workers", 1), ("repeats", 1),
                        ("months", 1)):
        value = getattr(args, name)
        if value is not None and value < least:
            why = ("; the marginal rate needs a long sweep with more points than the short one"
                   if name == "samples" else "")
            parser.error(f"--{name}: must be at least {least} (got {value}){why}")
    return args


def extract(revision: str, into: Path) -> Path:
    """``git archive`` of ``revision`` (sim/ and configs/) extracted into ``into``."""
    archive = into / "baseline.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive),
                    revision, "sim", "configs"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    archive.unlink()
    return into / "tree"


def sweep_file(path: Path, design: str, community: str, months: int, samples: int,
               seeds: int) -> Path:
    """A sweep of ``samples`` Latin points of the face weight (narrow range) × ``seeds``."""
    spec = {
        "kind": "sweep", "name": f"throughput-{community}", "base": design,
        "set": {"community": community}, "steps": months,
        "outcomes": ["contribution_rate"], "outcome_months": min(12, months),
        "uncertainties": {"behaviour.weights.face": {"low": 1.9, "high": 2.1}},
        "sampler": {"method": "latin", "n": samples, "seed": 0},
        "seeds": list(range(seeds)),
    }
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def run_sweep(tree: Path, spec: Path, out: Path, workers: int) -> float:
    """Wall seconds of ``python -m sim sweep`` with ``sim`` imported from ``tree``."""
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", "sweep", str(spec), "--out", str(out),
                    "--workers", str(workers), "--quiet"], check=True, env=env, cwd=tree,
                   stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    shutil.rmtree(out, ignore_errors=True)
    return seconds


def stacking_estimate(design: str, months: int, sizes: Sequence[int] = (1, 8, 32),
                      repeats: int = 3) -> list[list[str]]:
    """Milliseconds per compound-run of a community of K copies of ``generic_old_compound``."""
    from harness import ensure_project_importable

    ensure_project_importable()
    import sim  # the current tree

    rows = []
    base = None
    for k in sizes:
        scn = sim.load_config({"design": design, "community": "generic_old_compound"}).override(
            {"community.groups.0.count": k})
        sim.CompoundModel(scn, rng=0).run(2)  # warm caches
        times = []
        for seed in range(repeats):
            start = time.perf_counter()
            sim.CompoundModel(scn, rng=seed).run(months)
            times.append(time.perf_counter() - start)
        per = median(times) / k
        base = per if base is None else base
        rows.append([str(k), f"{median(times) * 1e3:.1f} ms", f"{per * 1e3:.2f} ms",
                     f"{base / per:.1f}×"])
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the table, optionally record it."""
    args = parse_args(argv)
    communities = args.community or sorted(TARGETS)
    rows = []
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        work = Path(tmp)
        trees = {"baseline": extract(args.baseline, work), "current": ROOT}
        for community, default_samples, default_seeds in WORKLOADS:
            if community not in communities:
                continue
            samples = args.samples or default_samples
            seeds = args.seeds or default_seeds
            runs = samples * seeds
            spec = sweep_file(work / f"{community}.yaml", args.design, community, args.months,
                              samples, seeds)
            # The short sweep has one point per worker, so that its tasks are batches of a
            # point's seeds as the long sweep's are: a one-point sweep is split into smaller
            # batches to give every worker a task (Executor._batch_size), which share less,
            # and the difference of the two sweeps would not be the long one's marginal rate.
            short_points = min(args.workers, samples - 1)
            short = sweep_file(work / f"{community}-short.yaml", args.design, community,
                               args.months, short_points, seeds)
            warm = sweep_file(work / f"{community}-warm.yaml", args.design, community, 2, 1, 2)
            for tree in trees.values():
                run_sweep(tree, warm, work / "out", args.workers)  # numba cache, imports
            times: dict[str, list[float]] = {name: [] for name in trees}
            shorts: dict[str, list[float]] = {name: [] for name in trees}
            for _ in range(args.repeats):
                for name, tree in trees.items():
                    shorts[name].append(run_sweep(tree, short, work / "out", args.workers))
                    times[name].append(run_sweep(tree, spec, work / "out", args.workers))
            extra = runs - short_points * seeds
            rate = {name: extra / max(median(times[name]) - median(shorts[name]), 1e-9)
                    for name in trees}
            ratio = rate["current"] / rate["baseline"]
            met = ratio >= TARGETS[community]
            ok = ok and met
            rows.append([community, f"{samples} × {seeds}", f"{runs} − {short_points * seeds}",
                         f"{median(times['baseline']):.2f} s",
                         f"{rate['baseline']:.1f}", f"{median(times['current']):.2f} s",
                         f"{rate['current']:.1f}", f"{ratio:.2f}×",
                         f"≥ {TARGETS[community]:g}× — {verdict(met)}"])
            print(rows[-1], flush=True)
    body = "\n".join([
        f"`python -m sim sweep` of design `{args.design}`, {args.months} months per run, "
        f"--workers {args.workers}, start-up included; baseline = `git archive "
        f"{args.baseline}` run with its own PYTHONPATH, current = this checkout; median of "
        f"{args.repeats} sweeps per tree, alternating. Runs per sweep = Latin points of "
        "behaviour.weights.face in [1.9, 2.1] × seeds; runs/s = (runs of the long sweep − "
        "runs of the short sweep) / (difference of their wall times), so start-up is "
        "not counted; the short sweep has one point per worker, so that both sweeps run "
        "batches of a point's seeds (a one-point sweep is split into smaller batches to keep "
        "both workers busy, and would overstate the rate by 1–3 %); 'wall' is the long "
        "sweep's, start-up included.",
        "",
        markdown_table(["community", "points × seeds", "runs (long − short)", "baseline wall",
                        "baseline runs/s",
                        "current wall", "current runs/s", "ratio", "target"], rows),
    ])
    if args.estimate:
        body += "\n\n" + "\n".join([
            f"Estimate of a replicate axis (`--estimate`, one process, current tree): a "
            f"community of K copies of generic_old_compound under `{args.design}`, "
            f"{args.months} months, median of 3 builds and runs; not the same runs as K "
            "separate ones (one generator, one government), only the call overhead a run "
            "axis would amortise.",
            "",
            markdown_table(["K compounds", "run", "per compound-run", "vs K = 1"],
                           stacking_estimate(args.design, args.months)),
        ])
    print(body)
    if args.record:
        record_section("throughput", "Throughput: runs per second of a sweep, 2 workers", body)
        print("\nrecorded in benchmarks/RESULTS.md")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
