"""Where a sweep's results live: one small Parquet file per run and a manifest.

A sweep directory holds::

    DIR/manifest.json              what was run ("command": "sweep"): the sweep file, the
                                   SALib problem, every sample and run (parameters, seed,
                                   fingerprint of its resolved scenario), the resolved
                                   scenario of every group, the resolved base scenario,
                                   package version, git commit, dates
    DIR/runs/part-<run_id>.parquet one run: run_id, sample, seed, month, one column per
                                   parameter, then every column of sim.metrics.COLUMNS
    DIR/analysis/                  what ``sim analyze DIR`` writes (tables and figures)

Each file is written to a hidden temporary name in the same folder and renamed into place
(``os.replace``), so a part file either is complete or does not exist; a run killed half-way
leaves at most a hidden temporary file, which the next ``sim sweep`` on the directory removes
(whether it resumes, replaces or starts). Results go to disk as each run ends, so the driver
never holds more than one run's table.

**One rule for part files** (:func:`part_problem`): a part file belongs to the sweep if its
name is a run of the manifest, its footer names that run, it has ``steps + 1`` rows and it
was computed from the resolved scenario the manifest records for the run (the scenario's
fingerprint is in the footer too). ``--resume`` reruns a run whose part fails the rule;
:func:`~sim.experiments.analyze.load_results` and ``sim analyze`` refuse it, naming the file
(:func:`check_parts`), as they refuse a part file of no run of the manifest.

**Resume checks the inputs, not only the file.** A sweep file can name presets (``set:
{community: heping_road}``, ``levers: design: {values: [baseline, nanan_131]}``) whose files
may change between a kill and ``--resume``. The manifest therefore records the fingerprint
of every run's fully resolved scenario (:func:`scenario_fingerprint`: SHA-256 of the
canonical JSON of ``Scenario.to_dict()``); ``--resume`` recomputes them and refuses changed
inputs (:func:`check_inputs`), naming the first run and field that differ, unless asked to
redo the changed runs (``--redo-changed``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import ConfigError
from sim.experiments.sampling import Plan
from sim.experiments.spec import Sweep
from sim.metrics import COLUMNS

if TYPE_CHECKING:
    from sim.output import Output

MANIFEST = "manifest.json"
RUNS_DIR = "runs"
ANALYSIS_DIR = "analysis"
"""Where ``sim analyze DIR`` writes by default (see :mod:`sim.experiments.analyze`)."""
INDICES_CSV = "indices.csv"
SUMMARY_CSV = "summary.csv"
S2_CSV = "indices_s2.csv"
ANALYSIS_PATTERNS = (INDICES_CSV, SUMMARY_CSV, S2_CSV, "sobol-*.png", "morris-*.png")
"""The files ``sim analyze`` writes in ``DIR/analysis/`` (glob patterns): ``sim sweep
--force`` deletes them and nothing else there (:func:`own_files`)."""
FORMAT = "sim-sweep/1"
"""Format tag of the manifest, for readers of old sweeps."""
COMMAND = "sweep"
"""The manifest's ``command``: ``sim compare`` writes a ``manifest.json`` too."""
STORED_COMMANDS = ("sweep", "compare", "explain")
"""The commands whose directories hold runs in part files and a manifest of :data:`FORMAT`."""

RUN_ID_KEY = b"sim.run_id"
"""Parquet key-value metadata naming the run a part file holds."""
SCENARIO_KEY = b"sim.scenario"
"""Parquet key-value metadata: fingerprint of the resolved scenario the run simulated."""
RUN_KEY = b"sim.run"
"""Parquet key-value metadata: the run's per-run numbers and versions, as JSON."""

NAME_MAX = 255
"""Longest file name, in bytes, on the usual file systems (ext4, xfs, btrfs, APFS, NTFS)."""

KEY_COLUMNS = ("run_id", "sample", "seed", "month")
"""Columns that identify a row, first in every part file."""

REPRODUCE = ("A run's scenario is load_config(base).override(changes) with changes = set plus "
             "the run's params, shallow paths first; run.steps = steps; the model is "
             "CompoundModel(scenario, rng=seed).")


# --------------------------------------------------------------------------- part files


def part_path(out: str | Path, run_id: str) -> Path:
    """Return the part file of a run: ``DIR/runs/part-<run_id>.parquet``."""
    return Path(out) / RUNS_DIR / f"part-{run_id}.parquet"


def scenario_fingerprint(config: dict[str, Any]) -> str:
    """SHA-256 of a resolved scenario (``Scenario.to_dict()``) as canonical JSON.

    Keys are sorted and the text is UTF-8, so equal configs give equal fingerprints in
    every process and on every machine.
    """
    text = json.dumps(config, sort_keys=True, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_part(df: pd.DataFrame | pa.Table, path: Path, run_id: str, scenario: str | None = None,
               run: dict[str, Any] | None = None) -> Path:
    """Write one run's table to ``path`` atomically (temporary file, then ``os.replace``).

    The table goes through :func:`sim.output.write_parquet` (units of the model columns in
    the footer), with the run's identity beside them.

    Args:
        df: The run's rows (a frame or an Arrow table).
        path: The part file.
        run_id: Recorded in the file's metadata, checked by :func:`part_problem`.
        scenario: Fingerprint of the run's resolved scenario, recorded beside ``run_id``.
        run: The run's numbers that are not monthly (households, firm entries and exits)
            and the versions of the process that ran it, recorded as JSON
            (:data:`RUN_KEY`, read back by :func:`part_run_info`).

    Returns:
        ``path``.
    """
    from sim.output import write_parquet

    meta = {RUN_ID_KEY: run_id.encode()}
    if scenario is not None:
        meta[SCENARIO_KEY] = scenario.encode()
    if run is not None:
        meta[RUN_KEY] = json.dumps(run, sort_keys=True, ensure_ascii=False).encode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write_parquet(df, fh, metadata=meta, pandas_metadata=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def part_problem(path: Path, run_id: str, rows: int, scenario: str | None = None) -> str | None:
    """What is wrong with ``path`` as the part file of ``run_id``, or None if nothing.

    The rule of every reader (``--resume``, :func:`check_parts`): the footer names
    ``run_id``, the file has ``rows`` rows, and, when ``scenario`` is given (manifests
    since fingerprints were recorded), the footer's fingerprint equals it. Only the Parquet
    footer is read, so checking thousands of files is quick.

    Returns:
        None for a valid part, else a short English reason (for error messages).
    """
    try:
        meta = pq.read_metadata(path)
    except (OSError, pa.ArrowException) as exc:
        text = " ".join(str(exc).split())
        return f"cannot be read as a Parquet part file (corrupt or truncated: {text[:120]})"
    kv = meta.metadata or {}
    held = kv.get(RUN_ID_KEY)
    if held != run_id.encode():
        which = f"run {held.decode(errors='replace')}" if held else "no run id"
        return f"holds {which}, not run {run_id} (a part file renamed, swapped or copied in)"
    if meta.num_rows != rows:
        return f"has {meta.num_rows} rows; a run of this sweep has {rows} (months 0–{rows - 1})"
    if scenario is not None and kv.get(SCENARIO_KEY) != scenario.encode():
        return ("was computed from other inputs than the manifest records for the run (its "
                "scenario fingerprint differs)")
    return None


def part_run_info(path: Path) -> dict[str, Any]:
    """The per-run numbers and versions a part file records (:data:`RUN_KEY`; empty if none)."""
    raw = (pq.read_metadata(path).metadata or {}).get(RUN_KEY)
    return json.loads(raw) if raw else {}


def part_is_valid(path: Path, run_id: str, rows: int, scenario: str | None = None) -> bool:
    """True if ``path`` is a complete part file of ``run_id`` (see :func:`part_problem`)."""
    return part_problem(path, run_id, rows, scenario) is None


def part_files(out: str | Path) -> list[Path]:
    """The part files of a sweep directory, in run order (hidden temporary files excluded)."""
    return sorted((Path(out) / RUNS_DIR).glob("part-*.parquet"))


def part_run_id(path: Path) -> str:
    """The run id in a part file's name (``part-000042.parquet`` → ``000042``)."""
    return path.name.removeprefix("part-").removesuffix(".parquet")


def check_parts(out: str | Path, manifest: dict[str, Any]) -> tuple[list[Path], list[str]]:
    """Check every part file of a sweep against its manifest (the rule of :func:`part_problem`).

    Used by :func:`~sim.experiments.analyze.load_results` and ``sim analyze``, so that a
    stray, swapped or corrupt file is never read in.

    Args:
        out: The sweep directory.
        manifest: Its manifest (:func:`read_manifest`).

    Returns:
        ``(files, missing)``: the valid part files in run order, and the run ids of the
        manifest that have no part file yet (an unfinished sweep).

    Raises:
        ConfigError: (field: the file) for a part file of no run of the manifest, or one
            that fails the rule.
    """
    runs = {run["run_id"]: run for run in manifest["runs"]}
    rows = int(manifest["steps"]) + 1
    files = part_files(out)
    for path in files:
        run = runs.get(part_run_id(path))
        if run is None:
            first, last = (min(runs), max(runs)) if runs else ("-", "-")
            raise ConfigError(str(path), f"not a run of this sweep (its {MANIFEST} has runs "
                                         f"{first}–{last}); remove the stray file")
        problem = part_problem(path, run["run_id"], rows, run.get("scenario"))
        if problem is not None:
            raise ConfigError(str(path), f"{problem}; delete it and rerun the sweep with "
                                         "--resume to redo the run")
    have = {part_run_id(path) for path in files}
    return files, [rid for rid in runs if rid not in have]


def _temporary(out: Path) -> list[Path]:
    """Hidden temporary files and folders that a killed command left in its directory.

    ``runs/.part-*.tmp`` (a part being written), ``.manifest.json.*.tmp`` (the manifest
    being written), ``.analysis.tmp-*`` (an analysis being written) and ``.report.tmp-*``
    (a comparison's report being written).
    """
    found = [*(out / RUNS_DIR).glob(".part-*.tmp"), *out.glob(f".{MANIFEST}.*.tmp"),
             *out.glob(f".{ANALYSIS_DIR}.tmp-*"), *out.glob(".report.tmp-*")]
    return sorted(found)


def remove_temporary(out: str | Path) -> int:
    """Remove temporary files and folders left by a killed command; return how many."""
    count = 0
    for tmp in _temporary(Path(out)):
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        count += 1
    return count


def sweep_output() -> Output:
    """What ``sim sweep`` and ``sim analyze DIR`` write in a sweep directory.

    ``manifest.json``, ``runs/part-*.parquet`` and, in ``analysis/``, the tables and
    figures of :func:`sim.experiments.analyze.is_analysis_file`.
    """
    from sim.output import Output

    return Output(COMMAND, (MANIFEST, f"{RUNS_DIR}/part-*.parquet",
                            *(f"{ANALYSIS_DIR}/{pattern}" for pattern in ANALYSIS_PATTERNS)))


def own_files(out: Path, output: Output | None = None) -> tuple[list[Path], list[str]]:
    """Split what ``out`` holds into a command's own files and the rest.

    A command's own files are those its :class:`~sim.output.Output` declares (by default a
    sweep's, :func:`sweep_output`) and the hidden temporary files of :func:`_temporary`;
    the rule is :meth:`sim.output.Output.foreign`, the same as ``sim run`` and ``sim
    compare`` apply.

    Returns:
        ``(own, foreign)``: the paths ``--force`` may delete (files, then the folders they
        lie in, deepest first), and the others relative to ``out`` (sorted).
    """
    output = output if output is not None else sweep_output()
    temporary = _temporary(out)
    hidden = {p.relative_to(out).as_posix() + ("/" if p.is_dir() and not p.is_symlink()
                                                else "") for p in temporary}
    foreign = [name for name in output.foreign(out) if name not in hidden]
    own: list[Path] = list(temporary)
    folders = output.dirs()
    dirs: list[Path] = []
    for path in sorted(out.rglob("*")):
        if any(path == t or t in path.parents for t in temporary):
            continue
        name = path.relative_to(out).as_posix()
        if path.is_dir() and not path.is_symlink():
            if name in folders:
                dirs.append(path)
        elif output.owns(name):
            own.append(path)
    own += sorted(dirs, key=lambda d: len(d.parts), reverse=True)
    return own, foreign


def remove_own_files(out: Path, output: Output | None = None) -> None:
    """Delete a command's own files in ``out`` (see :func:`own_files`), and nothing else.

    A folder is removed only once empty (it may hold a file of the user's).
    """
    own, _foreign = own_files(out, output)
    for path in own:  # files first, then their (now empty) folders
        if path.is_dir() and not path.is_symlink():
            if path.name.startswith("."):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    path.rmdir()
        else:
            path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- manifest


def write_error(path: Path, exc: OSError,
                then: str = "finished runs are kept: free some space, then continue with "
                            "--resume") -> str:
    """The message of a failed write: the file, the system's reason, what to do.

    A full disk (or quota) says so, followed by ``then`` (by default: the finished runs
    are kept, so ``--resume`` continues once there is room).
    """
    from sim.output import write_errno  # one reading of the errno (Arrow's errors carry it in text)

    code = write_errno(exc) or exc.errno
    reason = exc.strerror or (os.strerror(code) if code else str(exc))
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"cannot write {path}: {reason} (disk full); {then}"
    return f"cannot write {path}: {reason}"


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


def make_manifest(sweep: Sweep, plan: Plan, *, groups: Sequence[dict[str, Any]],
                  runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Return the manifest of a sweep: everything needed to reproduce and analyse it.

    Args:
        sweep: The validated sweep.
        plan: Its samples and runs.
        groups: The resolved scenario (``Scenario.to_dict()``) of each group (what the
            presets named in the sweep file said when the sweep started).
        runs: The runs of ``plan``, each with ``scenario``, the fingerprint of its resolved
            scenario (:func:`scenario_fingerprint`).
    """
    spec = sweep.spec
    params = [{"name": p.name, "role": p.role, "low": p.low, "high": p.high,
               "values": list(p.values) if p.values is not None else None,
               "integer": p.integer, "kind": p.kind} for p in sweep.params]
    return stored_manifest(
        COMMAND, name=spec.name, spec=spec.model_dump(mode="json"), steps=sweep.steps,
        outcome_months=spec.outcome_months, params=params, plan=plan, runs=runs,
        base_config=sweep.base.to_dict(), group_configs=groups, reproduce=REPRODUCE,
        source=str(sweep.source) if sweep.source is not None else None,
        sampler={**spec.sampler.model_dump(mode="json"), "levels_used": _levels(sweep)})


def stored_manifest(command: str, *, name: str, spec: dict[str, Any], steps: int,
                    outcome_months: int, params: Sequence[dict[str, Any]], plan: Plan,
                    runs: Sequence[dict[str, Any]], base_config: dict[str, Any],
                    group_configs: Sequence[dict[str, Any]], reproduce: str,
                    **extra: Any) -> dict[str, Any]:
    """Return a manifest of stored runs: the one format of sweeps and comparisons.

    Every reader (``--resume``, :func:`check_parts`,
    :func:`~sim.experiments.analyze.load_results`, ``sim analyze``, ``sim report``) needs
    only these keys; ``extra`` adds what one command records besides (a sweep's sampler,
    a comparison's designs and statistics).

    Args:
        command: ``"sweep"`` or ``"compare"``, by which ``--force`` knows its own outputs.
        name: The sweep's or comparison's name.
        spec: The inputs as given (a sweep file's content, a comparison's arguments);
            ``--resume`` refuses other ones.
        steps: Months per run.
        outcome_months: Months at the end of each run over which outcomes are averaged.
        params: Every parameter (``name``, ``role``, ``low``, ``high``, ``values``,
            ``integer``, ``kind``), in column order.
        plan: The samples and runs.
        runs: The runs of ``plan``, each with the fingerprint of its resolved scenario.
        base_config: The resolved base scenario.
        group_configs: The resolved scenario of each group.
        reproduce: How a run's scenario is made, in words.
        **extra: Further keys, after the common ones.
    """
    from sim.versions import package_version

    return {
        "format": FORMAT,
        "command": command,
        "name": name,
        **({"source": extra.pop("source")} if "source" in extra else {}),
        "spec": spec,
        "steps": steps,
        "outcome_months": outcome_months,
        **({"sampler": extra.pop("sampler")} if "sampler" in extra else {}),
        "problem": plan.problem,
        "params": list(params),
        "groups": plan.groups,
        "samples": plan.samples,
        "runs": list(runs),
        "reproduce": reproduce,
        "base_config": base_config,
        "group_configs": list(group_configs),
        "columns": {name: {"unit": c.unit, "zh": c.zh, "en": c.en, "meaning": c.meaning}
                    for name, c in COLUMNS.items()},
        "package_version": package_version(),
        "git_commit": git_commit(),
        "created": _now(),
        "finished": None,
        **extra,
    }


def _levels(sweep: Sweep) -> int | None:
    from sim.experiments.spec import sampler_levels

    return sampler_levels(sweep.spec) or None


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """Write ``DIR/manifest.json`` atomically.

    Raises:
        ConfigError: (field ``--out``) if it cannot be written (disk full, permissions).
    """
    text = json.dumps(manifest, ensure_ascii=False, indent=1, allow_nan=False)
    try:
        atomic_write_text(out / MANIFEST, text + "\n")
    except OSError as exc:
        raise ConfigError("--out", write_error(out / MANIFEST, exc)) from None


def _plain(value: Any) -> Any:
    """JSON round trip, so that the manifest compares equal to what is read back."""
    return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))


def read_manifest(out: str | Path, commands: Sequence[str] = (COMMAND,)) -> dict[str, Any]:
    """Read ``DIR/manifest.json`` of stored runs.

    Args:
        out: The directory.
        commands: The commands whose manifest is wanted (default: a sweep's;
            :func:`~sim.experiments.analyze.load_results` reads comparisons too).

    Raises:
        ConfigError: (field ``DIR``) if there is no readable manifest of those commands.
    """
    path = Path(out) / MANIFEST
    if not path.is_file():
        raise ConfigError(str(out), f"not a sweep directory (no {MANIFEST}); run "
                                    "'sim sweep SWEEP.yaml --out DIR' first")
    data = _load_json(path)
    if data is None:
        raise ConfigError(str(out), f"cannot read {path} (not JSON)")
    if manifest_command(data) not in commands:
        what = " or ".join({"sweep": "a sweep", "compare": "a comparison"}.get(c, c)
                           for c in commands)
        raise ConfigError(str(out), f"{path} is not the manifest of {what} of format "
                                    f"{FORMAT}{_other_command(data)}")
    return data


def _load_json(path: Path) -> Any:
    """The JSON content of ``path``, or None if it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def is_sweep_manifest(data: Any) -> bool:
    """True for a sweep's manifest (the rule of :func:`sim.output.command_of`, and the format)."""
    return manifest_command(data) == COMMAND


def manifest_command(data: Any) -> str | None:
    """The command of a manifest of stored runs (``"sweep"`` or ``"compare"``), else None.

    Both write the same format (:data:`FORMAT`: runs, samples, groups, their resolved
    scenarios, one part file per run); which command wrote it is decided by
    :func:`sim.output.command_of`, the rule every command uses. A comparison written before
    comparisons stored their runs (no :data:`FORMAT`) is not one.
    """
    from sim.output import command_of

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    command = command_of(MANIFEST, data)
    return command if command in STORED_COMMANDS else None


def _other_command(data: Any) -> str:
    """`` (written by: …)`` for a manifest of another command, for error messages."""
    command = data.get("command") if isinstance(data, dict) else None
    if not isinstance(command, str) or not command:
        return ""
    short = command if len(command) <= 60 else command[:57] + "…"
    return f" (written by: {short})"


def mark_finished(out: Path, manifest: dict[str, Any]) -> None:
    """Record the end of a sweep (all runs present) in its manifest."""
    manifest["finished"] = _now()
    write_manifest(out, manifest)


def _design(runs: Any) -> Any:
    """The runs without their scenario fingerprints (what the sampler decides)."""
    if not isinstance(runs, list):
        return runs
    return [{k: v for k, v in run.items() if k != "scenario"} if isinstance(run, dict) else run
            for run in runs]


def check_same_sweep(recorded: dict[str, Any], new: dict[str, Any]) -> None:
    """Refuse to resume a sweep with a different sweep file or design.

    What the presets resolve to is checked by :func:`check_inputs`.

    Raises:
        ConfigError: (field ``--resume``) naming the first difference.
    """
    words = RESUME_WORDS[recorded.get("command", COMMAND)]
    for key, what in (("spec", words["spec"]), ("runs", words["runs"]),
                      ("steps", "the number of months")):
        old, now = recorded.get(key), _plain(new[key])
        if key == "runs":
            old, now = _design(old), _design(now)
        if old != now:
            where = _first_difference(old, now)
            at = f" at {where}" if where else ""
            raise ConfigError("--resume", f"{what} differs from the one recorded in "
                                          f"{MANIFEST}{at}; resume only with {words['same']}, "
                                          "or choose a new --out (or --force to start over)")


RESUME_WORDS = {
    "sweep": {"spec": "the sweep file", "runs": "the sampled design",
              "same": "the same sweep file", "edited": "a preset or file named in the sweep "
              "file was edited", "redo": "pass --redo-changed to rerun the changed runs, "},
    "compare": {"spec": "the comparison (its designs, --community, --set, --seeds, --steps)",
                "runs": "the list of runs", "same": "the same command line",
                "edited": "a design or community preset or file was edited", "redo": ""},
    "explain": {"spec": "the explanation's arguments", "runs": "the list of runs",
                "same": "the same command line",
                "edited": "a design or community preset or file was edited", "redo": ""},
}
"""How ``--resume`` names what differs, by the command that wrote the directory."""


def changed_runs(recorded: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Run ids whose resolved scenario differs from the one recorded (same design assumed).

    A run recorded without a fingerprint (a manifest of an older ``sim``) counts as changed:
    its inputs cannot be checked.
    """
    return [run["run_id"] for run, old in zip(new["runs"], recorded["runs"], strict=True)
            if old.get("scenario") is None or old.get("scenario") != run["scenario"]]


def check_inputs(recorded: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Refuse to resume a sweep whose runs would now simulate other scenarios.

    The design (sweep file, runs) is the same (:func:`check_same_sweep`), but a preset it
    names, or the base file, may have changed on disk since the sweep started; the finished
    runs then hold data of the old inputs and the rest would get the new ones.

    Returns:
        The changed run ids (empty if none), when the caller may redo them.

    Raises:
        ConfigError: (field ``--resume``) naming the first changed run, the first field
            that differs and what to do.
    """
    changed = changed_runs(recorded, new)
    if not changed:
        return changed
    first = next(run for run in new["runs"] if run["run_id"] == changed[0])
    old_groups = recorded.get("group_configs")
    g = first["group"]
    if isinstance(old_groups, list) and g < len(old_groups):
        where = _first_difference(old_groups[g], _plain(new["group_configs"][g]))
        field = f"its scenario's {where or 'config'} differs from the one recorded"
    elif "scenario" not in recorded["runs"][0]:
        field = f"{MANIFEST} records no fingerprint of its scenario (an older sweep)"
    else:
        field = "its resolved scenario differs from the one recorded"
    words = RESUME_WORDS[recorded.get("command", COMMAND)]
    what = "sweep" if recorded.get("command", COMMAND) == COMMAND else "comparison"
    raise ConfigError("--resume", f"the inputs of run {first['run_id']} changed since the "
                                  f"{what} started: {field} ({words['edited']}; "
                                  f"{len(changed)} of {len(new['runs'])} runs changed); "
                                  f"resuming would mix old and new data: {words['redo']}"
                                  "--force to start over, or choose a new --out")


def redo_manifest(recorded: dict[str, Any], new: dict[str, Any],
                  changed: Sequence[str]) -> dict[str, Any]:
    """The manifest of a sweep resumed with ``--redo-changed``: the new inputs, the old start.

    Written before any run is redone: the changed runs' part files then fail
    :func:`part_problem` (their fingerprint is the old one) and are run again, also after
    a second interruption.
    """
    return {**new, "created": recorded.get("created", new["created"]),
            "inputs_changed": {"date": _now(), "runs_redone": len(changed)}, "finished": None}


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
        ConfigError: (field ``--out``) for a file, a name too long for the file system, the
            current directory or a parent of it, a directory that holds something other
            than a sweep (the output of ``sim compare``, say), an earlier sweep without
            ``--resume`` or ``--force``, or, with ``--force``, a sweep directory that also
            holds files a sweep does not write (they are listed: ``--force`` deletes only
            the sweep's own files).
    """
    if resume and force:
        raise ConfigError("--force", "cannot be combined with --resume: --resume finishes "
                                     "the sweep in DIR, --force deletes it and starts over")
    check_path_length(out)
    target = Path(os.path.abspath(out))
    if target == Path.cwd() or target in Path.cwd().parents:
        raise ConfigError("--out", f"{out} is the current directory or contains it; choose a "
                                   "new directory for the sweep")
    try:
        exists = out.exists() or out.is_symlink()
        if exists and not out.is_dir():
            raise ConfigError("--out", f"{out} exists and is not a directory; choose another "
                                       "directory")
        entries = list(out.iterdir()) if exists else []
        foreign = own_files(out)[1] if entries else []
    except OSError as exc:
        raise ConfigError("--out", f"cannot use {out}: {exc.strerror or exc}") from None
    if not entries:
        return "new"
    manifest = out / MANIFEST
    if not manifest.is_file():
        if not foreign and not part_files(out) and not (out / ANALYSIS_DIR).exists():
            return "new"  # only what a sweep killed before writing its manifest leaves
        raise ConfigError("--out", f"{out} is not empty and holds no sweep (no "
                                   f"{MANIFEST}); choose another directory")
    data = _load_json(manifest)
    if not is_sweep_manifest(data):
        raise ConfigError("--out", f"{out} holds the output of another command (its "
                                   f"{MANIFEST} is not a sweep's{_other_command(data)}); "
                                   "--force replaces only a sweep: choose another directory")
    if resume:
        return "resume"
    if force:
        if foreign:
            from sim.output import listed

            shown = listed(foreign, limit=8)
            raise ConfigError("--out", f"{out} holds files a sweep does not write ({shown}); "
                                       "--force deletes only a sweep's own files: move them, "
                                       "or choose another directory")
        return "replace"
    raise ConfigError("--out", f"{out} already holds a sweep; pass --resume to "
                               "finish it, --force to start over, or choose another "
                               "directory")


def check_path_length(out: Path) -> None:
    """Refuse an output path the file system cannot hold, before anything is written.

    Every name in the path must fit in ``NAME_MAX`` bytes (255 on the usual file systems,
    as the file system reports it), and the part files' paths in ``PATH_MAX``.

    Raises:
        ConfigError: (field ``--out``) naming the name that is too long.
    """
    target = Path(os.path.abspath(out))
    existing = next((p for p in (target, *target.parents) if _is_dir(p)), Path("/"))
    name_max, path_max = NAME_MAX, 4096
    try:
        name_max = os.pathconf(existing, "PC_NAME_MAX")
        path_max = os.pathconf(existing, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):
        pass
    for name in target.parts:
        size = len(os.fsencode(name))
        if size > name_max:
            short = name if len(name) <= 24 else name[:21] + "…"
            raise ConfigError("--out", f"the name '{short}' is {size} bytes long; the file "
                                       f"system allows at most {name_max} bytes per name: "
                                       "choose a shorter --out")
    longest = target / RUNS_DIR / f".part-{'0' * 12}.parquet.xxxxxxxx.tmp"
    if len(os.fsencode(str(longest))) >= path_max:
        raise ConfigError("--out", f"the path is too long for the file system (its files "
                                   f"would exceed {path_max} bytes): choose a shorter --out")


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def create_outdir(out: Path, mode: str) -> None:
    """Create ``out`` and ``out/runs``; remove leftovers of killed runs in every mode.

    ``replace`` first deletes the earlier sweep's own files (:func:`remove_own_files`);
    every mode removes the hidden temporary files of runs and analyses that were killed
    (:func:`remove_temporary`).
    """
    try:
        if mode == "replace":
            remove_own_files(out)
        if out.is_dir():
            remove_temporary(out)
        (out / RUNS_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError("--out", f"cannot create {out}: {exc.strerror or exc}") from None


def pending(out: Path, runs: Iterable[dict[str, Any]], rows: int) -> list[dict[str, Any]]:
    """The runs whose part file is missing or fails :func:`part_problem` (run again).

    Raises:
        ConfigError: For a part file of no run in ``runs`` (a stray file: it is not
            deleted, and :func:`check_parts` would refuse it afterwards).
    """
    runs = list(runs)
    known = {run["run_id"] for run in runs}
    for path in part_files(out):
        if part_run_id(path) not in known:
            raise ConfigError(str(path), f"not a run of this sweep (no such run in "
                                         f"{MANIFEST}); remove the stray file")
    return [run for run in runs
            if not part_is_valid(part_path(out, run["run_id"]), run["run_id"], rows,
                                 run.get("scenario"))]
