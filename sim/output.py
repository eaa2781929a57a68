"""Write one run's outputs to a directory, atomically.

A run directory holds:

- ``timeseries.parquet`` and ``timeseries.csv``: the monthly model-level
  columns of :mod:`sim.metrics`, with a ``month`` column (the same table in
  two formats: Parquet for analysis, CSV for spreadsheets);
- ``compounds.parquet``: the per-compound monthly frame;
- ``figure.png``: the small-multiples figure of :func:`sim.plots.plot_timeseries`;
- ``run.json``: the model's metadata (seed, resolved config, versions), which
  is enough to reproduce the run.

Everything is written into a hidden temporary directory beside the target
and renamed into place only when complete, so an interrupted or failed write
never leaves a half-written run directory that could be mistaken for a
result. :func:`write_directory` does this for any set of files (``sim
compare`` writes its directory with it) and :func:`write_parquet` writes a
table with the units of its columns.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import ConfigError
from sim.metrics import COLUMNS
from sim.plots import plot_timeseries

TIMESERIES_PARQUET = "timeseries.parquet"
TIMESERIES_CSV = "timeseries.csv"
COMPOUNDS_PARQUET = "compounds.parquet"
FIGURE = "figure.png"
RUN_JSON = "run.json"


class _DataCollector(Protocol):
    """The part of Mesa's ``DataCollector`` that :func:`write_run` uses."""

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """Return the model-level reporters, one row per month."""
        ...


class RunModel(Protocol):
    """What :func:`write_run` needs from a model (``sim.CompoundModel`` provides it)."""

    datacollector: _DataCollector

    def metadata(self) -> dict[str, Any]:
        """Return seed, resolved config and versions, JSON-serialisable."""
        ...


def check_outdir(outdir: str | Path, force: bool = False, *,
                 markers: Sequence[str] = (RUN_JSON,)) -> Path:
    """Check, before a run starts, that its outputs may be written to ``outdir``.

    Called by the command line before the (possibly long) simulation so the
    user learns about a clash at once, and again by :func:`write_run`.

    Args:
        outdir: The run directory to be written.
        force: Allow replacing the directory of an earlier run.
        markers: Files that mark a directory as the output of an earlier run
            (``run.json`` of ``sim run``; ``sim compare`` adds its
            ``manifest.json``); ``force`` replaces only directories holding one.

    Returns:
        ``outdir`` as a :class:`~pathlib.Path`.

    Raises:
        ConfigError: (field ``--out``) if ``outdir`` is an existing file, the
            current directory or one containing it, an existing non-empty
            directory (unless ``force`` and it holds one of ``markers``), or
            cannot be created for lack of permission.
    """
    out = Path(outdir)
    target = _absolute(out)
    if target == Path.cwd() or target in Path.cwd().parents or target == target.parent:
        raise ConfigError("--out", f"{out} is the current directory or contains it; choose a "
                                   "new directory for the run")
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise ConfigError("--out", f"{out} exists and is not a directory; choose another "
                                       "directory")
        if any(out.iterdir()):
            if not force:
                raise ConfigError("--out", f"{out} already exists; choose another directory "
                                           "or pass --force")
            if not any((out / marker).is_file() for marker in markers):
                raise ConfigError("--out", f"{out} is not the output of an earlier run (it has "
                                           f"no {' or '.join(markers)}); --force replaces only "
                                           "run directories, so choose another directory")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError("--out", f"{parent} is a file, not a directory")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise ConfigError("--out", f"cannot create {out}: no write permission in "
                                           f"{parent}")
            break
    return out


def _absolute(path: Path) -> Path:
    """Return ``path`` made absolute with ``..`` removed, without following symlinks."""
    return Path(os.path.abspath(path))


def timeseries_frame(model: RunModel) -> pd.DataFrame:
    """Return the model-level data with the month as a first column named ``month``.

    Mesa's data frame is indexed by the collection count; the model collects
    once per month starting at month 0, so the index is the month.
    """
    df = model.datacollector.get_model_vars_dataframe()
    if "month" in df.columns:
        return df.reset_index(drop=True)
    df = df.rename_axis("month").reset_index()
    df["month"] = df["month"].astype("int64")
    return df


def _json_default(value: Any) -> Any:
    """Convert numpy scalars and arrays and paths for JSON; refuse anything else."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"run metadata contains a {type(value).__name__}, which is not "
                    "JSON-serialisable")


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write a frame to Parquet, recording units and meanings of known columns.

    The units travel with the file (schema metadata key ``sim.columns``), so
    a table opened years later still says what its numbers mean.

    Args:
        df: The table; its index is not written.
        path: The file to write.
    """
    table = pa.Table.from_pandas(df, preserve_index=False)
    docs = {name: {"unit": COLUMNS[name].unit, "zh": COLUMNS[name].zh,
                   "en": COLUMNS[name].en, "meaning": COLUMNS[name].meaning}
            for name in df.columns if name in COLUMNS}
    meta = dict(table.schema.metadata or {})
    meta[b"sim.columns"] = json.dumps(docs, ensure_ascii=False).encode("utf-8")
    pq.write_table(table.replace_schema_metadata(meta), path)


_write_parquet = write_parquet  # the name used before it was public


def _write_files(tmp: Path, model: RunModel, lang: str, title: str | None) -> None:
    """Write every output file of a run into the (temporary) directory ``tmp``."""
    ts = timeseries_frame(model)
    write_parquet(ts, tmp / TIMESERIES_PARQUET)
    ts.to_csv(tmp / TIMESERIES_CSV, index=False)
    compound_dataframe = getattr(model, "compound_dataframe", None)
    if callable(compound_dataframe):
        write_parquet(compound_dataframe(), tmp / COMPOUNDS_PARQUET)
    plot_timeseries(ts, lang=lang, title=title, path=tmp / FIGURE)
    text = json.dumps(model.metadata(), ensure_ascii=False, indent=2, default=_json_default)
    (tmp / RUN_JSON).write_text(text + "\n", encoding="utf-8")


def _make_parents(path: Path) -> list[Path]:
    """Create the missing ancestors of ``path``; return them, deepest first."""
    created = []
    for parent in path.parents:
        if parent.exists():
            break
        created.append(parent)
    for parent in reversed(created):
        parent.mkdir(exist_ok=True)
    return created


def _remove_empty(dirs: list[Path]) -> None:
    """Remove directories created for a failed write, if they are still empty."""
    for d in dirs:
        try:
            d.rmdir()
        except OSError:
            break


def write_run(
    outdir: str | Path,
    model: RunModel,
    lang: str = "zh",
    *,
    force: bool = False,
    title: str | None = None,
) -> Path:
    """Write a finished run's outputs to ``outdir``, all or nothing.

    Files are written into a temporary directory on the same filesystem and
    renamed into place at the end (see :func:`write_directory`).

    Args:
        outdir: The run directory to create.
        model: A model after its run (see :class:`RunModel`).
        lang: Language of the figure, ``"zh"`` or ``"en"``.
        force: Replace ``outdir`` if it is the directory of an earlier run
            (it has a ``run.json``). Other non-empty directories are never
            replaced, so a mistyped ``--out`` cannot delete unrelated files.
        title: Figure title; a generic one in ``lang`` when omitted.

    Returns:
        The run directory.

    Raises:
        ConfigError: (field ``--out``) if ``outdir`` exists and may not be
            replaced, or its directory cannot be created.
    """
    return write_directory(outdir, lambda tmp: _write_files(tmp, model, lang, title),
                           force=force)


def write_directory(
    outdir: str | Path,
    write: Callable[[Path], object],
    *,
    force: bool = False,
    markers: Sequence[str] = (RUN_JSON,),
) -> Path:
    """Create ``outdir`` with the files that ``write`` puts in it, all or nothing.

    ``write`` is called with a new, empty temporary directory beside the
    target (on the same filesystem), which is renamed into place only when
    ``write`` returns. On any failure (including Ctrl-C) the temporary
    directory, and any parent directories created for it, are removed and the
    exception propagates; an existing ``outdir`` replaced with ``force`` is
    restored.

    Args:
        outdir: The directory to create.
        write: Writes every output file into the directory it is given.
        force: Replace ``outdir`` if it holds one of ``markers`` (the output of
            an earlier run). Other non-empty directories are never replaced.
        markers: Files that mark an earlier run's directory (see :func:`check_outdir`).

    Returns:
        ``outdir`` as a :class:`~pathlib.Path`.

    Raises:
        ConfigError: (field ``--out``) if ``outdir`` exists and may not be
            replaced, or its directory cannot be created.
    """
    out = check_outdir(outdir, force, markers=markers)
    target = _absolute(out)
    try:
        created = _make_parents(target)
    except OSError as exc:
        raise ConfigError("--out", f"cannot create {out}: {exc.strerror or exc}") from None
    tmp: Path | None = None
    backup: Path | None = None
    try:
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        except OSError as exc:
            raise ConfigError("--out", f"cannot create {out}: {exc.strerror or exc}") from None
        write(tmp)
        os.chmod(tmp, 0o777 & ~_umask())
        if target.exists():
            backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            os.replace(target, backup / target.name)
        os.replace(tmp, target)
        tmp = None
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            if backup is not None and (backup / target.name).exists() and not target.exists():
                os.replace(backup / target.name, target)
            if backup is not None:
                shutil.rmtree(backup, ignore_errors=True)
        _remove_empty(created)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
    return out


def _umask() -> int:
    """Return the process umask (``mkdtemp`` creates 0700 directories; runs are shared)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
