"""Where a sweep's results live: one small Parquet file per run and a manifest.

A sweep directory holds::

    DIR/manifest.json              what was run: the sweep file, the SALib problem, every
                                   sample and run (parameters, seed), the resolved base
                                   scenario, package version, git commit, dates
    DIR/runs/part-<run_id>.parquet one run: run_id, sample, seed, month, one column per
                                   parameter, then every column of sim.metrics.COLUMNS

Each file is written to a hidden temporary name in the same folder and renamed into place
(``os.replace``), so a part file either is complete or does not exist; a run killed half-way
leaves at most a hidden temporary file, which the next ``--resume`` removes. Results go to
disk as each run ends, so the driver never holds more than one run's table. ``--resume``
reads the manifest, refuses a sweep file that differs from the one recorded, and runs only
the runs whose part file is missing or unreadable.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import ConfigError
from sim.experiments.sampling import Plan
from sim.experiments.spec import Sweep
from sim.metrics import COLUMNS

MANIFEST = "manifest.json"
RUNS_DIR = "runs"
FORMAT = "sim-sweep/1"
"""Format tag of the manifest, for readers of old sweeps."""

RUN_ID_KEY = b"sim.run_id"
"""Parquet key-value metadata naming the run a part file holds."""

KEY_COLUMNS = ("run_id", "sample", "seed", "month")
"""Columns that identify a row, first in every part file."""

REPRODUCE = ("A run's scenario is load_config(base).override(changes) with changes = set plus "
             "the run's params, shallow paths first; run.steps = steps; the model is "
             "CompoundModel(scenario, rng=seed).")


# --------------------------------------------------------------------------- part files


def part_path(out: str | Path, run_id: str) -> Path:
    """Return the part file of a run: ``DIR/runs/part-<run_id>.parquet``."""
    return Path(out) / RUNS_DIR / f"part-{run_id}.parquet"


def write_part(df: pd.DataFrame, path: Path, run_id: str) -> Path:
    """Write one run's table to ``path`` atomically (temporary file, then ``os.replace``).

    Args:
        df: The run's rows.
        path: The part file.
        run_id: Recorded in the file's metadata, checked by :func:`part_is_valid`.

    Returns:
        ``path``.
    """
    table = pa.Table.from_pandas(df, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta.pop(b"pandas", None)  # a few kilobytes per file that pyarrow does not need
    meta[RUN_ID_KEY] = run_id.encode()
    table = table.replace_schema_metadata(meta)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pq.write_table(table, fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def part_is_valid(path: Path, run_id: str, rows: int) -> bool:
    """True if ``path`` is a complete part file of ``run_id`` with ``rows`` rows.

    Only the Parquet footer is read, so checking thousands of files is quick.
    """
    try:
        meta = pq.read_metadata(path)
    except (OSError, pa.ArrowException):
        return False
    kv = meta.metadata or {}
    return meta.num_rows == rows and kv.get(RUN_ID_KEY) == run_id.encode()


def part_files(out: str | Path) -> list[Path]:
    """The part files of a sweep directory, in run order (hidden temporary files excluded)."""
    return sorted((Path(out) / RUNS_DIR).glob("part-*.parquet"))


def remove_temporary(out: str | Path) -> int:
    """Remove temporary files left by runs that were killed; return how many."""
    count = 0
    for tmp in (Path(out) / RUNS_DIR).glob(".part-*.tmp"):
        tmp.unlink(missing_ok=True)
        count += 1
    return count


# --------------------------------------------------------------------------- manifest


def atomic_write_text(path: Path, text: str) -> None:
    """Write a text file atomically (temporary file in the same folder, then ``os.replace``)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process umask (``mkstemp`` creates files readable by their owner only)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def git_commit() -> str:
    """The project's ``git rev-parse HEAD``, or ``"unknown"`` outside a git checkout."""
    from sim.config import CONFIG_ROOT

    try:
        out = subprocess.run(["git", "-C", str(CONFIG_ROOT.parent), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "unknown"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def make_manifest(sweep: Sweep, plan: Plan) -> dict[str, Any]:
    """Return the manifest of a sweep: everything needed to reproduce and analyse it."""
    from sim.model import package_version

    spec = sweep.spec
    return {
        "format": FORMAT,
        "name": spec.name,
        "source": str(sweep.source) if sweep.source is not None else None,
        "spec": spec.model_dump(mode="json"),
        "steps": sweep.steps,
        "outcome_months": spec.outcome_months,
        "sampler": {**spec.sampler.model_dump(mode="json"), "levels_used": _levels(sweep)},
        "problem": plan.problem,
        "params": [{"name": p.name, "role": p.role, "low": p.low, "high": p.high,
                    "values": list(p.values) if p.values is not None else None,
                    "integer": p.integer, "kind": p.kind} for p in sweep.params],
        "groups": plan.groups,
        "samples": plan.samples,
        "runs": plan.runs,
        "reproduce": REPRODUCE,
        "base_config": sweep.base.to_dict(),
        "columns": {name: {"unit": c.unit, "zh": c.zh, "en": c.en, "meaning": c.meaning}
                    for name, c in COLUMNS.items()},
        "package_version": package_version(),
        "git_commit": git_commit(),
        "created": _now(),
        "finished": None,
    }


def _levels(sweep: Sweep) -> int | None:
    from sim.experiments.spec import sampler_levels

    return sampler_levels(sweep.spec) or None


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """Write ``DIR/manifest.json`` atomically."""
    text = json.dumps(manifest, ensure_ascii=False, indent=1, allow_nan=False)
    atomic_write_text(out / MANIFEST, text + "\n")


def _plain(value: Any) -> Any:
    """JSON round trip, so that the manifest compares equal to what is read back."""
    return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))


def read_manifest(out: str | Path) -> dict[str, Any]:
    """Read ``DIR/manifest.json``.

    Raises:
        ConfigError: (field ``DIR``) if there is no readable sweep manifest.
    """
    path = Path(out) / MANIFEST
    if not path.is_file():
        raise ConfigError(str(out), f"not a sweep directory (no {MANIFEST}); run "
                                    "'sim sweep SWEEP.yaml --out DIR' first")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(str(out), f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ConfigError(str(out), f"{path} is not a sweep manifest of format {FORMAT}")
    return data


def mark_finished(out: Path, manifest: dict[str, Any]) -> None:
    """Record the end of a sweep (all runs present) in its manifest."""
    manifest["finished"] = _now()
    write_manifest(out, manifest)


def check_same_sweep(recorded: dict[str, Any], new: dict[str, Any]) -> None:
    """Refuse to resume a sweep with a different spec, base scenario or design.

    Raises:
        ConfigError: (field ``--resume``) naming the first difference.
    """
    for key, what in (("spec", "the sweep file"), ("base_config", "the base scenario"),
                      ("runs", "the sampled design"), ("steps", "the number of months")):
        old, now = recorded.get(key), _plain(new[key])
        if old != now:
            where = _first_difference(old, now)
            at = f" at {where}" if where else ""
            raise ConfigError("--resume", f"{what} differs from the one recorded in "
                                          f"{MANIFEST}{at}; resume only with the same sweep "
                                          "file, or choose a new --out (or --force to start "
                                          "over)")


def _first_difference(old: Any, new: Any, path: str = "") -> str:
    """Dotted path of the first difference between two JSON values."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            if old.get(key) != new.get(key):
                return _first_difference(old.get(key), new.get(key), f"{path}.{key}".lstrip("."))
        return path
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                return _first_difference(a, b, f"{path}[{i}]")
    return path


# --------------------------------------------------------------------------- the directory


def prepare_outdir(out: Path, *, resume: bool, force: bool) -> str:
    """Check that a sweep may write to ``out``, and say how.

    Args:
        out: The sweep directory.
        resume: ``--resume`` was given.
        force: ``--force`` was given.

    Returns:
        ``"new"`` (missing or empty directory), ``"resume"`` (an earlier sweep, with
        ``resume``) or ``"replace"`` (an earlier sweep, with ``force``).

    Raises:
        ConfigError: (field ``--out``) for a file, the current directory or a parent of it,
            a directory that holds something other than a sweep, or an earlier sweep without
            ``--resume`` or ``--force``.
    """
    if resume and force:
        raise ConfigError("--force", "cannot be combined with --resume: --resume finishes "
                                     "the sweep in DIR, --force deletes it and starts over")
    target = Path(os.path.abspath(out))
    if target == Path.cwd() or target in Path.cwd().parents:
        raise ConfigError("--out", f"{out} is the current directory or contains it; choose a "
                                   "new directory for the sweep")
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise ConfigError("--out", f"{out} exists and is not a directory; choose another "
                                       "directory")
        if any(out.iterdir()):
            if not (out / MANIFEST).is_file():
                raise ConfigError("--out", f"{out} is not empty and holds no sweep (no "
                                           f"{MANIFEST}); choose another directory")
            if resume:
                return "resume"
            if force:
                return "replace"
            raise ConfigError("--out", f"{out} already holds a sweep; pass --resume to "
                                       "finish it, --force to start over, or choose another "
                                       "directory")
    return "new"


def create_outdir(out: Path, mode: str) -> None:
    """Create ``out`` and ``out/runs`` (emptying an earlier sweep first when ``replace``)."""
    try:
        if mode == "replace":
            shutil.rmtree(out)
        (out / RUNS_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError("--out", f"cannot create {out}: {exc.strerror or exc}") from None


def pending(out: Path, runs: Iterable[dict[str, Any]], rows: int) -> list[dict[str, Any]]:
    """The runs whose part file is missing or invalid (they are run again)."""
    return [run for run in runs
            if not part_is_valid(part_path(out, run["run_id"]), run["run_id"], rows)]
