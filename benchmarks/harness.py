"""Tiny timing and reporting helpers shared by the benchmark scripts.

Kept deliberately small: wall-clock timing with :func:`time.perf_counter`, the median of a few
repeats (robust to one slow run on a shared 2-core machine), markdown table rendering, and
replacing one script's section of ``benchmarks/RESULTS.md`` so each script can re-record its
results without touching the others.
"""

from __future__ import annotations

import datetime as dt
import gc
import importlib.metadata
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_PATH = BENCH_DIR / "RESULTS.md"
PACKAGES = ("mesa", "numpy", "scipy", "networkx", "pandas")

#: Load averages when the benchmark process started, to tell whether other work competed.
START_LOAD = os.getloadavg() if hasattr(os, "getloadavg") else None


def ensure_project_importable() -> None:
    """Put the repository root on ``sys.path`` so ``import sim`` works from a checkout.

    The scripts are run as ``python benchmarks/<script>.py``, which puts ``benchmarks/`` (not
    the root) on the path, and the project is not necessarily pip-installed.
    """
    root = str(ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)


def measure(fn: Callable[[], object], repeats: int, warmup: int = 0) -> list[float]:
    """Time ``fn()`` several times.

    A garbage collection runs before each call (untimed) so that garbage left by the previous
    repeat is not charged to the next one.

    Args:
        fn: Zero-argument callable doing the work to time.
        repeats: Number of timed calls.
        warmup: Number of untimed calls made first (imports, caches, allocator warm-up).

    Returns:
        Wall-clock seconds of each timed call, in call order.
    """
    for _ in range(warmup):
        fn()
    times: list[float] = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def measure_phase[T](
    setup: Callable[[], T], fn: Callable[[T], object], repeats: int, warmup: int = 0
) -> list[float]:
    """Time ``fn(setup())`` several times, charging only ``fn`` to the clock.

    Used for "steps only" timings, where each repeat needs a freshly built model but the build
    itself must not be counted.

    Args:
        setup: Builds the input of one repeat (untimed).
        fn: Consumes that input; this is what is timed.
        repeats: Number of timed calls.
        warmup: Number of untimed setup-and-call rounds made first.

    Returns:
        Wall-clock seconds of each timed ``fn`` call, in call order.
    """
    for _ in range(warmup):
        fn(setup())
    times: list[float] = []
    for _ in range(repeats):
        prepared = setup()
        gc.collect()
        start = time.perf_counter()
        fn(prepared)
        times.append(time.perf_counter() - start)
        del prepared
    return times


def median(times: Sequence[float]) -> float:
    """Median of a list of timings."""
    return statistics.median(times)


def fmt_seconds(seconds: float) -> str:
    """Human-readable duration with a unit suited to its size."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


def markdown_row(cells: Sequence[object]) -> str:
    """One markdown table row."""
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A full markdown table with a header separator."""
    lines = [markdown_row(headers), markdown_row(["---"] * len(headers))]
    lines.extend(markdown_row(row) for row in rows)
    return "\n".join(lines)


def verdict(ok: bool) -> str:
    """Render a target check."""
    return "met" if ok else "**NOT met**"


def command_line() -> str:
    """The exact command that started this process, with paths relative to the repo root."""
    parts = []
    for arg in sys.orig_argv:
        path = Path(arg)
        if path.is_absolute() and path.is_relative_to(ROOT):
            arg = str(path.relative_to(ROOT))
        parts.append(arg)
    return shlex.join(parts)


def _git_revision() -> str:
    """Short commit hash of the checkout, or a note when there is none."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except OSError:
        return "unknown"
    if out.returncode != 0:
        return "no commit (working tree)"
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "sim", "configs"],
        capture_output=True,
        text=True,
        check=False,
        timeout=10,
    ).stdout.strip()
    return out.stdout.strip() + (" + uncommitted changes in sim/ or configs/" if dirty else "")


def _cpu_model() -> str:
    """CPU model name from ``/proc/cpuinfo`` when available."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, flags=re.MULTILINE)
    return match.group(1).strip() if match else "unknown"


def load_line() -> str:
    """Load averages at start and now: well above 1 on 2 cores means timings were contended."""
    if START_LOAD is None:
        return "load average: unavailable"
    now = os.getloadavg()
    return (
        "load average (1/5/15 min): at start "
        + "/".join(f"{v:.2f}" for v in START_LOAD)
        + ", at end "
        + "/".join(f"{v:.2f}" for v in now)
    )


def environment_lines() -> list[str]:
    """Bullet lines describing when, where and with what the benchmark ran."""
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- date: {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- machine: nproc={nproc}, {_cpu_model()}, {platform.system()} {platform.release()}",
        f"- {load_line()}",
        f"- python {platform.python_version()}; " + ", ".join(versions),
        f"- project revision: {_git_revision()}",
        f"- command: `{command_line()}`",
    ]


def record_section(name: str, title: str, body: str, path: Path = RESULTS_PATH) -> None:
    """Insert or replace one script's section in the results file.

    Sections are delimited by HTML comments so re-running a script replaces only its own
    section and leaves the others (possibly recorded on other days) untouched.

    Args:
        name: Stable section key, e.g. ``"cascade"``.
        title: Markdown heading text.
        body: Markdown content of the section (tables, notes).
        path: Results file to edit.
    """
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    section = "\n".join([begin, f"## {title}", "", *environment_lines(), "", body.strip(), end])
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    start = text.find(begin)
    stop = text.find(end, start) if start >= 0 else -1
    if stop >= 0:
        text = text[:start] + section + text[stop + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n")
