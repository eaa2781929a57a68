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

Each command's directory says which command wrote it (``"command"`` in
``run.json`` or ``manifest.json``; older outputs are known by their own keys,
:data:`OUTPUT_MARKERS`), and each command declares the files it writes
(:class:`Output`). ``--force`` replaces a directory only if it is an output of
the same command holding nothing but that command's files; otherwise it is
refused, naming the other command or the files that are not the command's, so
``--force`` can never delete a sweep, a comparison or a note the user put
there. The hidden temporary directories carry the command and the writer's
pid in their names (``.NAME.tmp-COMMAND-PID-XXXXXXXX``); those of a writer
that was killed are removed by the next write of the same command to the
same directory (:func:`check_outdir`).
"""

from __future__ import annotations

import errno
import fnmatch
import functools
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

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
MANIFEST_JSON = "manifest.json"

OUTPUT_MARKERS: dict[str, tuple[str, frozenset[str]]] = {
    "run": (RUN_JSON, frozenset({"seed", "steps", "config", "versions"})),
    "compare": (MANIFEST_JSON, frozenset({"designs", "reference", "statistics"})),
    "sweep": (MANIFEST_JSON, frozenset({"format", "spec", "problem"})),
    "explain": (MANIFEST_JSON, frozenset({"explain", "spec", "runs"})),
    "discover": ("discover.json", frozenset({"design", "reference", "outcome"})),
    "calibrate": (MANIFEST_JSON, frozenset({"spec", "settings", "distance"})),
}
"""How the output of each command is recognised: the JSON file that records it
(its ``"command"`` key names the command) and, for outputs written before that
key existed, the keys that only this command's file has."""


@dataclass(frozen=True)
class Output:
    """What one command writes into its output directory.

    Attributes:
        command: The command (a key of :data:`OUTPUT_MARKERS`), recorded as
            ``"command"`` in its JSON file.
        files: Glob patterns of the files it writes, relative to the
            directory, ``/``-separated (``"figures/*.png"``); ``--force``
            replaces a directory holding only such files.
    """

    command: str
    files: tuple[str, ...]

    def dirs(self) -> set[str]:
        """Return the folders this command's files lie in (``figures``, ``runs``), relative."""
        return {part for pattern in self.files for part in _prefixes(pattern)}

    def owns(self, name: str) -> bool:
        """True if the file ``name`` (relative, ``/``-separated) is one this command writes."""
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.files)

    def foreign(self, directory: Path) -> list[str]:
        """Return the entries of ``directory`` that this command does not write, sorted."""
        dirs = self.dirs()
        found = []
        for path in sorted(directory.rglob("*")):
            name = path.relative_to(directory).as_posix()
            if path.is_dir() and not path.is_symlink():
                if name not in dirs:
                    found.append(name + "/")
            elif not self.owns(name):
                found.append(name)
        return [name for name in found
                if not any(name.startswith(other) and name != other
                           for other in found if other.endswith("/"))]


def _prefixes(pattern: str) -> list[str]:
    """Return the directories a pattern's files lie in (``a/b/*.png`` → ``a``, ``a/b``)."""
    parts = pattern.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


RUN_OUTPUT = Output("run", (TIMESERIES_PARQUET, TIMESERIES_CSV, COMPOUNDS_PARQUET, FIGURE,
                            RUN_JSON))
"""The files of ``sim run`` (:func:`write_run`)."""

_TMP_PID_DIGITS = 7
"""Digits reserved for the pid in a temporary directory's name (Linux's pid_max ≤ 4194304)."""

_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES,
                           errno.EPERM, errno.ENAMETOOLONG, errno.EIO, errno.EMFILE})
"""Errors of the file system while writing that the user can act on (full disk, quota,
permissions, read-only medium), reported as one line instead of a traceback."""


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
                 output: Output = RUN_OUTPUT) -> Path:
    """Check, before a run starts, that its outputs may be written to ``outdir``.

    Called by the command line before the (possibly long) simulation so the
    user learns about a clash at once, and again by :func:`write_directory`.
    It first removes what a killed writer of the same command left beside
    ``outdir`` (:func:`clean_stale`), so a directory moved aside by a forced
    write that was killed is back before it is checked.

    Args:
        outdir: The run directory to be written.
        force: Allow replacing an earlier output of the same command.
        output: The command and the files it writes (``sim run``'s by default).

    Returns:
        ``outdir`` as a :class:`~pathlib.Path`.

    Raises:
        ConfigError: (field ``--out``) if ``outdir`` is an existing file, the
            current directory or one containing it, has a name too long for
            the file system, is an existing non-empty directory (unless
            ``force`` and it is an output of the same command holding only its
            files), or cannot be created for lack of permission.
    """
    out = Path(outdir)
    target = _absolute(out)
    if target == Path.cwd() or target in Path.cwd().parents or target == target.parent:
        raise ConfigError("--out", f"{out} is the current directory or contains it; choose a "
                                   "new directory for the run")
    _check_name_lengths(out, target, output.command)
    clean_stale(target, output.command)
    if out.exists() or out.is_symlink():
        if not out.is_dir() or out.is_symlink():
            raise ConfigError("--out", f"{out} exists and is not a directory; choose another "
                                       "directory")
        if any(out.iterdir()):
            if not force:
                raise ConfigError("--out", f"{out} already exists; choose another directory "
                                           "or pass --force")
            _check_replaceable(out, output)
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError("--out", f"{parent} is a file, not a directory")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise ConfigError("--out", f"cannot create {out}: no write permission in "
                                           f"{parent}")
            break
    return out


def output_command(directory: str | Path) -> str | None:
    """Return the command whose output ``directory`` is (``"run"``, ...), or None.

    The JSON file of :data:`OUTPUT_MARKERS` names it (:func:`command_of`).
    """
    directory = Path(directory)
    for name in dict.fromkeys(marker for marker, _ in OUTPUT_MARKERS.values()):
        try:
            data = json.loads((directory / name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        command = command_of(name, data)
        if command is not None:
            return command
    return None


def command_of(marker: str, data: Any) -> str | None:
    """Return the command that wrote the JSON ``data`` read from the file named ``marker``.

    The one rule by which every command knows its own outputs and another's (``--force``,
    ``--resume``, :func:`sim.load_results`, ``sim report``): the file's ``"command"`` key
    names the command, if that command records itself in a file of that name; a file
    written before that key existed is recognised by the keys only that command's file has
    (:data:`OUTPUT_MARKERS`).

    Args:
        marker: The file's name (``run.json`` or ``manifest.json``).
        data: Its parsed content.

    Returns:
        ``"run"``, ``"compare"``, ``"sweep"``, or None for anything else.
    """
    if not isinstance(data, dict):
        return None
    said = data.get("command")
    if isinstance(said, str) and OUTPUT_MARKERS.get(said, ("",))[0] == marker:
        return said
    for command, (name, keys) in OUTPUT_MARKERS.items():
        if name == marker and keys <= data.keys():
            return command
    return None


def _check_replaceable(out: Path, output: Output) -> None:
    """Refuse ``--force`` unless ``out`` is ``output``'s and holds only its files.

    Refusing (rather than keeping the user's files while replacing ours) can
    lose nothing: the directory is not touched, and the message says what to
    move away.
    """
    command = output.command
    owner = output_command(out)
    if owner != command:
        marker = OUTPUT_MARKERS[command][0]
        what = (f"is the output of 'sim {owner}'" if owner is not None
                else f"is not the output of an earlier 'sim {command}' (no {marker} of it)")
        raise ConfigError("--out", f"{out} {what}; --force replaces only an earlier "
                                   f"'sim {command}' output, so choose another directory")
    foreign = output.foreign(out)
    if foreign:
        shown = listed(foreign)
        raise ConfigError("--out", f"{out} holds files that 'sim {command}' does not write "
                                   f"({shown}); --force replaces only its own files, so move "
                                   "them elsewhere or choose another directory")


def listed(names: Sequence[str], limit: int = 5) -> str:
    """Names for a one-line message: the first ``limit``, then how many more (``a and 3 more``)."""
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _tmp_prefix(name: str, kind: str, command: str) -> str:
    """Return the name prefix of a hidden directory beside output ``name`` (``kind``: tmp, old)."""
    return f".{name}.{kind}-{command}-{os.getpid()}-"


def _check_name_lengths(out: Path, target: Path, command: str) -> None:
    """Refuse an ``--out`` with a name component longer than the file system allows.

    The last component must leave room for the hidden temporary directory's
    longer name (:func:`_tmp_prefix` plus ``mkdtemp``'s 8 characters).
    """
    existing = next((p for p in (target, *target.parents) if os.path.isdir(p)), Path("/"))
    try:
        name_max = os.pathconf(existing, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    extra = len(f"..tmp-{command}--") + _TMP_PID_DIGITS + 8
    parts = target.parts[1:]
    for i, part in enumerate(parts):
        size = len(os.fsencode(part))
        limit = name_max - extra if i == len(parts) - 1 else name_max
        if size > limit:
            shown = part if len(part) <= 24 else part[:20] + "…"
            raise ConfigError("--out", f"the name '{shown}' in {out} is {size} bytes; at most "
                                       f"{limit} bytes are allowed here (the file system allows "
                                       f"{name_max}), so choose a shorter name")


def clean_stale(target: Path, command: str) -> None:
    """Remove the hidden directories a killed writer of ``command`` left beside ``target``.

    Only directories named by :func:`_tmp_prefix` for this command and this
    target whose writer process no longer exists are touched. A temporary
    directory is deleted (it was never complete); a directory holding the
    previous output moved aside by a forced write (``.old-``) is renamed back
    if ``target`` is missing, else deleted (the new output replaced it).
    """
    parent = target.parent
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(tmp|old)-{re.escape(command)}-"
                         r"(\d+)-[a-z0-9_]{8}")
    try:
        candidates = list(parent.iterdir())
    except OSError:
        return
    for path in candidates:
        match = pattern.fullmatch(path.name)
        if match is None or not path.is_dir() or path.is_symlink():
            continue
        if _alive(int(match.group(2))):
            continue
        if match.group(1) == "old":
            kept = path / target.name
            if kept.is_dir() and not (target.exists() or target.is_symlink()):
                os.replace(kept, target)
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (this process counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


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


def write_parquet(df: pd.DataFrame | pa.Table, path: Path | BinaryIO, *,
                  metadata: dict[bytes, bytes] | None = None,
                  pandas_metadata: bool = True) -> None:
    """Write a frame to Parquet, recording units and meanings of known columns.

    The one Parquet writer of the package (run directories, comparisons, the part files of
    sweeps and comparisons): the units travel with the file (schema metadata key
    ``sim.columns``), so a table opened years later still says what its numbers mean.

    Args:
        df: The table (a frame, whose index is not written, or an Arrow table).
        path: The file to write, or a binary file object open for writing.
        metadata: More key-value metadata for the footer (a part file's run id).
        pandas_metadata: Keep pandas' own metadata (a few kilobytes that small part files,
            read back through pyarrow, do not need).
    """
    table = df if isinstance(df, pa.Table) else pa.Table.from_pandas(df, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    if not pandas_metadata:
        meta.pop(b"pandas", None)
    meta[b"sim.columns"] = column_docs(tuple(table.column_names))
    meta.update(metadata or {})
    pq.write_table(table.replace_schema_metadata(meta), path)


@functools.lru_cache(maxsize=64)
def column_docs(names: tuple[str, ...]) -> bytes:
    """The footer's ``sim.columns``: each known column's unit and meaning, as JSON.

    Computed once per set of names: the thousands of part files of a study share one.
    """
    docs = {name: {"unit": COLUMNS[name].unit, "zh": COLUMNS[name].zh,
                   "en": COLUMNS[name].en, "meaning": COLUMNS[name].meaning}
            for name in names if name in COLUMNS}
    return json.dumps(docs, ensure_ascii=False).encode("utf-8")


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
    meta = {"command": RUN_OUTPUT.command, **model.metadata()}
    text = json.dumps(meta, ensure_ascii=False, indent=2, default=_json_default)
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
            (its ``run.json`` says ``sim run``) holding only a run's files.
            Other non-empty directories are never replaced, so a mistyped
            ``--out`` cannot delete unrelated files.
        title: Figure title; a generic one in ``lang`` when omitted.

    Returns:
        The run directory.

    Raises:
        ConfigError: (field ``--out``) if ``outdir`` exists and may not be
            replaced, or its directory cannot be created.
    """
    return write_directory(outdir, lambda tmp: _write_files(tmp, model, lang, title),
                           force=force, output=RUN_OUTPUT)


def write_directory(
    outdir: str | Path,
    write: Callable[[Path], object],
    *,
    force: bool = False,
    output: Output = RUN_OUTPUT,
) -> Path:
    """Create ``outdir`` with the files that ``write`` puts in it, all or nothing.

    ``write`` is called with a new, empty temporary directory beside the
    target (on the same filesystem), which is renamed into place only when
    ``write`` returns. On any failure (including Ctrl-C) the temporary
    directory, and any parent directories created for it, are removed and the
    exception propagates; an existing ``outdir`` replaced with ``force`` is
    restored. A full disk, a quota or a permission problem while writing is
    reported as a :class:`ConfigError` after that clean-up.

    Args:
        outdir: The directory to create.
        write: Writes every output file into the directory it is given.
        force: Replace ``outdir`` if it is an earlier output of the same
            command holding only its files (see :func:`check_outdir`).
        output: The command and the files it writes.

    Returns:
        ``outdir`` as a :class:`~pathlib.Path`.

    Raises:
        ConfigError: (field ``--out``) if ``outdir`` exists and may not be
            replaced, or it cannot be created or written (full disk, ...).
    """
    out = check_outdir(outdir, force, output=output)
    target = _absolute(out)
    try:
        created = _make_parents(target)
    except OSError as exc:
        raise ConfigError("--out", f"cannot create {out}: {exc.strerror or exc}") from None
    tmp: Path | None = None
    backup: Path | None = None
    try:
        try:
            tmp = Path(tempfile.mkdtemp(prefix=_tmp_prefix(target.name, "tmp", output.command),
                                        dir=target.parent))
            write(tmp)
            os.chmod(tmp, 0o777 & ~_umask())
            if target.exists():
                backup = Path(tempfile.mkdtemp(
                    prefix=_tmp_prefix(target.name, "old", output.command), dir=target.parent))
                os.replace(target, backup / target.name)
            os.replace(tmp, target)
            tmp = None
        except OSError as exc:
            raise refused_write(exc, out, "nothing was written") from None
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


def refused_write(exc: OSError, path: str | Path, consequence: str) -> ConfigError:
    """Return the one-line error of a failed write the user can act on; re-raise any other.

    Args:
        exc: The error raised while writing.
        path: What could not be written, as the user named it.
        consequence: What this means for the output (``nothing was written``).

    Raises:
        OSError: ``exc`` itself when it is not a file-system condition the user can act on
            (:data:`_WRITE_ERRNOS`): that is a bug and keeps its traceback.
    """
    code = write_errno(exc)
    if code is None:
        raise exc
    return ConfigError("--out", f"cannot write {path}: {os.strerror(code)}; {consequence}")


def write_errno(exc: OSError) -> int | None:
    """Return the errno of a write error the user can act on (:data:`_WRITE_ERRNOS`), or None.

    Libraries that write through their own I/O layer (Arrow) raise an
    ``OSError`` without ``errno`` whose message carries it (``[errno 28]``).
    """
    code = exc.errno
    if code is None:
        found = re.search(r"errno (\d+)", str(exc), flags=re.IGNORECASE)
        code = int(found.group(1)) if found else None
    return code if code in _WRITE_ERRNOS else None


def _umask() -> int:
    """Return the process umask (``mkdtemp`` creates 0700 directories; runs are shared)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
