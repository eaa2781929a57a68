"""Acceptance benchmark (a): a 10,000-household threshold cascade, ours vs Mesa vs scipy.

Times, in one process and on the same Erdős–Rényi graph:

1. **ours** – ``sim.CompoundModel`` built from the ``threshold`` preset through the public API
   (graph handed over as a ``networkx`` graph), run until stable;
2. **idiomatic** – :class:`reference_models.IdiomaticCascade`, the natural Mesa 3 version;
3. **bare** – :func:`reference_models.bare_cascade`, a scipy sparse loop (the floor).

All three must reach exactly the same final cascade size. Targets: idiomatic / ours >= 20 and
ours / bare <= 2 (end-to-end timings, graph conversion included for everybody).

Run ``.venv/bin/python benchmarks/bench_cascade.py --help`` for options.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
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
from reference_models import (
    IdiomaticCascade,
    bare_cascade,
    bare_cascade_matrix,
    graph_to_csr,
)

THRESHOLD_PRESET = ROOT / "configs" / "presets" / "threshold.yaml"
MAX_MONTHS = 200
OURS_RNG = 42
TARGET_IDIOMATIC_OVER_OURS = 20.0
TARGET_OURS_OVER_BARE = 2.0


@dataclass
class Timing:
    """Timings of one implementation and one phase, for the results table."""

    name: str
    phase: str
    includes: str
    times: list[float]
    active: int | None = None
    steps: int | None = None

    @property
    def median(self) -> float:
        """Median wall time in seconds."""
        return median(self.times)

    def row(self) -> list[object]:
        """Markdown table cells."""
        return [
            self.name,
            self.phase,
            self.includes,
            fmt_seconds(self.median),
            fmt_seconds(min(self.times)),
            len(self.times),
            "" if self.active is None else self.active,
            "" if self.steps is None else self.steps,
        ]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description=(
            "Time a linear-threshold cascade on an Erdős–Rényi graph: sim.CompoundModel vs an "
            "idiomatic Mesa 3 model vs a bare scipy loop (acceptance benchmark (a))."
        )
    )
    parser.add_argument("--n", type=int, default=10_000, help="households (default 10000)")
    parser.add_argument("--degree", type=float, default=4.0, help="mean degree (default 4)")
    parser.add_argument("--phi", type=float, default=0.18, help="threshold for all (default 0.18)")
    parser.add_argument(
        "--graph-seed",
        type=int,
        default=0,
        help="seed of nx.fast_gnp_random_graph (default 0: node 0 starts a global cascade)",
    )
    parser.add_argument(
        "--repeats", type=int, default=7, help="timed runs for ours and bare (default 7)"
    )
    parser.add_argument(
        "--idiomatic-repeats", type=int, default=5, help="timed runs for idiomatic (default 5)"
    )
    parser.add_argument(
        "--no-ours",
        action="store_true",
        help="skip sim.CompoundModel (only the two references; for checking the harness)",
    )
    parser.add_argument(
        "--record", action="store_true", help="write this section of benchmarks/RESULTS.md"
    )
    return parser.parse_args(argv)


def load_scenario(phi: float, seed_node: int) -> Any:
    """Threshold preset with one threshold for all and one committed household."""
    ensure_project_importable()
    import sim  # late import: --no-ours must work without the package

    scn = sim.load_config(str(THRESHOLD_PRESET))
    return scn.override({"behaviour.threshold": phi, "initial.committed": [seed_node]})


def build_ours(scn: Any, graph: nx.Graph) -> Any:
    """Construct our model on the given graph (graph conversion happens here)."""
    import sim

    return sim.CompoundModel(scn, rng=OURS_RNG, network=graph)


def run_ours(model: Any) -> int:
    """Run our model until stable; return the cascade size."""
    model.run(MAX_MONTHS, until_stable=True)
    return int(model.population.acts[:, 0].sum())


def ours_steps(model: Any) -> str:
    """Describe how many steps our model ran, as far as the public API tells."""
    rows = len(model.datacollector.get_model_vars_dataframe())
    steps = getattr(model, "steps", None)
    return f"{steps} (model.steps), {rows} datacollector rows"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the tables, optionally record them."""
    args = parse_args(argv)
    n = args.n
    graph = nx.fast_gnp_random_graph(n, args.degree / (n - 1), seed=args.graph_seed)
    seeds = [0]
    seed_mask = np.zeros(n, dtype=bool)
    seed_mask[seeds] = True
    print(
        f"graph: G(n={n}, p={args.degree}/(n-1)), graph seed {args.graph_seed}, "
        f"{graph.number_of_edges()} edges, node 0 degree {graph.degree(0)}; "
        f"phi={args.phi}, seed node 0"
    )

    timings: list[Timing] = []

    def idiomatic_total() -> tuple[int, int]:
        return IdiomaticCascade(graph, args.phi, seeds, rng=0).run()

    def idiomatic_build() -> IdiomaticCascade:
        return IdiomaticCascade(graph, args.phi, seeds, rng=0)

    def idiomatic_run(model: IdiomaticCascade) -> tuple[int, int]:
        return model.run()

    def bare_total() -> tuple[int, int]:
        return bare_cascade(graph, args.phi, seeds)

    def bare_prepare() -> tuple[Any, np.ndarray]:
        adjacency, degree, _ = graph_to_csr(graph)
        return adjacency, degree

    def bare_run(prepared: tuple[Any, np.ndarray]) -> tuple[int, int]:
        adjacency, degree = prepared
        return bare_cascade_matrix(adjacency, degree, args.phi, seed_mask)

    idiom_active, idiom_steps = idiomatic_total()
    bare_active, bare_steps = bare_total()
    sizes = {"idiomatic": idiom_active, "bare": bare_active}
    steps_note = {"idiomatic": str(idiom_steps), "bare": str(bare_steps)}

    ours_total: Timing | None = None
    if not args.no_ours:
        scn = load_scenario(args.phi, seeds[0])

        def ours_end_to_end() -> int:
            return run_ours(build_ours(scn, graph))

        def ours_build() -> Any:
            return build_ours(scn, graph)

        probe = build_ours(scn, graph)
        sizes["ours"] = run_ours(probe)
        steps_note["ours"] = ours_steps(probe)
        probe_steps = getattr(probe, "steps", None)
        del probe
        ours_total = Timing(
            "ours",
            "total",
            "CompoundModel(scn, network=graph) + run(200, until_stable=True)",
            measure(ours_end_to_end, args.repeats, warmup=1),
            sizes["ours"],
            probe_steps,
        )
        timings += [
            ours_total,
            Timing(
                "ours",
                "build",
                "CompoundModel(scn, network=graph) only",
                measure(ours_build, args.repeats, warmup=1),
            ),
            Timing(
                "ours",
                "steps",
                "run(200, until_stable=True) on a fresh model",
                measure_phase(ours_build, run_ours, args.repeats, warmup=1),
            ),
        ]

    idiom_total = Timing(
        "idiomatic",
        "total",
        "IdiomaticCascade(graph, ...) + run()",
        measure(idiomatic_total, args.idiomatic_repeats, warmup=1),
        idiom_active,
        idiom_steps,
    )
    bare_tot = Timing(
        "bare",
        "total",
        "to_scipy_sparse_array(graph) + loop",
        measure(bare_total, args.repeats, warmup=1),
        bare_active,
        bare_steps,
    )
    timings += [
        idiom_total,
        Timing(
            "idiomatic",
            "build",
            "Network(graph, layout=None) + one CellAgent per node",
            measure(idiomatic_build, args.idiomatic_repeats, warmup=1),
        ),
        Timing(
            "idiomatic",
            "steps",
            "run() on a fresh model",
            measure_phase(idiomatic_build, idiomatic_run, args.idiomatic_repeats, warmup=1),
        ),
        bare_tot,
        Timing(
            "bare",
            "steps",
            "loop only (matrix prepared beforehand)",
            measure_phase(bare_prepare, bare_run, args.repeats, warmup=1),
        ),
    ]

    by_key = {(t.name, t.phase): t for t in timings}
    agree = len(set(sizes.values())) == 1
    lines = [
        f"Erdős–Rényi G(n={n}, mean degree {args.degree:g}), graph seed {args.graph_seed}, "
        f"phi={args.phi:g} for all, household 0 committed. Graph generation and config loading "
        "are outside every timing; a garbage collection runs before each timed call.",
        "",
        markdown_table(
            ["impl", "phase", "what is timed", "median", "min", "runs", "final active", "steps"],
            [t.row() for t in timings],
        ),
        "",
        "Final cascade sizes: "
        + ", ".join(f"{name} {size}" for name, size in sizes.items())
        + (" — **agree**" if agree else " — **MISMATCH**"),
        "",
        "Steps executed (references count the final no-change step): "
        + "; ".join(f"{name}: {note}" for name, note in steps_note.items()),
    ]
    if ours_total is not None:
        ratio_rows = []
        for phase in ("total", "steps"):
            ours_t = by_key[("ours", phase)].median
            idiom = by_key[("idiomatic", phase)].median / ours_t
            bare = ours_t / by_key[("bare", phase)].median
            ratio_rows.append(
                [
                    phase,
                    f"{idiom:.1f}×",
                    "≥ 20×" if phase == "total" else "(info)",
                    verdict(idiom >= TARGET_IDIOMATIC_OVER_OURS) if phase == "total" else "",
                    f"{bare:.2f}×",
                    "≤ 2×" if phase == "total" else "(info)",
                    verdict(bare <= TARGET_OURS_OVER_BARE) if phase == "total" else "",
                ]
            )
        lines += [
            "",
            markdown_table(
                ["phase", "idiomatic / ours", "target", "", "ours / bare", "target", ""],
                ratio_rows,
            ),
        ]
    body = "\n".join(lines)
    print()
    print(body)
    if args.record:
        record_section("cascade", "(a) Threshold cascade, 10^4 households", body)
        print("\nrecorded in benchmarks/RESULTS.md")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
