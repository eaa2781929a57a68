"""Running a sweep's runs: in this process, on local worker processes, or on a Dask cluster.

The unit of work is a batch of runs (:mod:`sim.batch`): every task is a few seeds of one
sample (:func:`sim.batch.batches`), and every executor calls the same function,
:func:`run_batch`, which resolves the sample's scenario once, runs the engine's batch
(:func:`sim.batch.run_batch`) and writes each run's part file as the run ends; it returns the
paths (:func:`run_one` is a batch of one). A run depends on nothing but its parameters and
its seed, so the data are identical whatever executes them, however many workers there are
and however the runs are batched:

- ``workers=1``: the runs one after another in this process;
- ``workers=N``: :class:`sim.children.WorkerPool` with N processes (started with ``spawn``,
  so the driver's threads and state are not forked; they die with the driver, so a driver
  killed by the OOM killer leaves no worker writing part files);
- ``scheduler=ADDRESS``: :class:`distributed.Client` connected to a running Dask scheduler
  (``client.submit`` and ``as_completed``). The workers must see the sweep directory at the
  same path (same machine or a shared filesystem) and have ``sim`` installed.

Only a bounded number of batches is in flight at a time (a few per worker), and each
returns paths, not data, so the driver's memory stays flat however long the sweep. A progress bar
(tqdm) shows runs done and the time left, on a terminal only (a log file gets no bar).

:func:`fingerprint_runs` gives every run the fingerprint of its fully resolved scenario,
recorded in the manifest and in the run's part file, so that ``--resume`` and the readers
can tell a run of other inputs (see :mod:`sim.experiments.storage`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from sim.errors import ConfigError
from sim.experiments.spec import column_value
from sim.experiments.storage import part_path, scenario_fingerprint, write_error, write_part
from sim.versions import versions

if TYPE_CHECKING:
    from sim.config import Scenario
    from sim.experiments.sampling import Plan
    from sim.experiments.spec import Sweep

IN_FLIGHT_PER_WORKER = 4
"""Runs submitted ahead per worker: enough to keep workers busy, few enough to bound memory."""

HANDSHAKE_TIMEOUT = 5.0
"""Seconds a Dask scheduler has to greet a new connection (it does so at once)."""


@dataclass(frozen=True)
class Job:
    """What every run of a sweep shares, sent once to each worker.

    Attributes:
        key: Fingerprint of the sweep (file and base scenario), naming Dask tasks.
        out: Absolute path of the sweep directory.
        steps: Months per run.
        groups: Resolved scenario (``Scenario.to_dict()``) of each group: the base with
            ``set`` and the group's categorical values applied.
        ranges: Names of the sampled parameters, applied to the group's scenario per run.
        params: ``(name, kind)`` of every parameter, in column order.
        uncertain: Whether ``ranges`` are drawn from the priors (:mod:`sim.priors`) for
            groups with different institutions: a group then skips the values of
            institutions it lacks (:func:`sim.priors.apply`) instead of refusing them.
    """

    key: str
    out: str
    steps: int
    groups: tuple[dict[str, Any], ...]
    ranges: tuple[str, ...]
    params: tuple[tuple[str, str], ...]
    uncertain: bool = False


class RunFailedError(Exception):
    """A run failed: the scenario refused its values, or its file could not be written.

    Picklable, unlike ConfigError, so it crosses from a worker to the driver.

    Attributes:
        run_id: The run.
        message: What went wrong.
        field: The field of the ConfigError the driver raises (default ``run <run_id>``).
    """

    def __init__(self, run_id: str, message: str, field: str | None = None) -> None:
        super().__init__(run_id, message, field)
        self.run_id = run_id
        self.message = message
        self.field = field


def make_job(sweep: Sweep, plan: Plan, out: str | os.PathLike[str], key: str = "") -> Job:
    """Build the :class:`Job` of a sweep (resolving each group's scenario once).

    The job's key is ``key`` joined with a hash of the resolved group scenarios, so two
    sweeps in one process (or a resume after a preset changed) never share the workers'
    cache of validated scenarios nor a Dask task name.
    """
    groups = tuple(sweep.scenario(group).to_dict() for group in plan.groups)
    ranges = tuple(p.name for p in sweep.ranges)
    return Job(key=fingerprint(key, groups, ranges, sweep.steps), out=os.path.abspath(out),
               steps=sweep.steps, groups=groups, ranges=ranges,
               params=tuple((p.name, p.kind) for p in sweep.params))


def fingerprint(*parts: Any) -> str:
    """A short hash of JSON-serialisable values."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- one run

_SCENARIOS: dict[tuple[str, int], Scenario] = {}
"""Each worker's validated group scenarios, so a group is validated once per process."""


def _group_scenario(job: Job, group: int) -> Scenario:
    from sim.config import scenario_from_dict

    key = (job.key, group)
    scn = _SCENARIOS.get(key)
    if scn is None:
        if len(_SCENARIOS) > 256:
            _SCENARIOS.clear()
        scn = _SCENARIOS[key] = scenario_from_dict(job.groups[group])
    return scn


def merge_limit(job: Job, run: dict[str, Any]) -> int:
    """Runs of ``run``'s group that the engine merges at most (:func:`sim.batch.merge_size`).

    From the group's community as built (a sampled community size is not looked at: the
    limit only sets how many runs a task holds, never a run's data).
    """
    from sim.batch import merge_size

    return merge_size(_group_scenario(job, run["group"]).community.n_households)


def run_scenario(job: Job, run: dict[str, Any]) -> Scenario:
    """The scenario of one run: its group's scenario with the run's sampled values."""
    scn = _group_scenario(job, run["group"])
    sampled = {name: run["params"][name] for name in job.ranges}
    if job.uncertain:
        from sim.priors import apply

        return apply(scn, sampled)
    return scn.override(sampled) if sampled else scn


def fingerprint_runs(job: Job, runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the runs, each with ``scenario``: the fingerprint of its resolved scenario.

    The fingerprint (:func:`~sim.experiments.storage.scenario_fingerprint`) is of the very
    scenario :func:`run_one` simulates (``run_scenario(job, run).to_dict()``), so whatever a
    preset named in the sweep file says is in it. The runs of a sample share a scenario (they
    differ by seed only), so it is resolved once per sample, under a millisecond each.
    """
    by_sample: dict[int, str] = {}
    out = []
    for run in runs:
        key = run["sample"]
        if key not in by_sample:
            by_sample[key] = scenario_fingerprint(run_scenario(job, run).to_dict())
        out.append({**run, "scenario": by_sample[key]})
    return out


def run_one(job: Job, run: dict[str, Any]) -> str:
    """Run one run of a sweep and write its part file (a batch of one, :func:`run_batch`).

    Args:
        job: The sweep's shared data.
        run: One run of the plan (``run_id``, ``sample``, ``seed``, ``group``, ``params``).

    Returns:
        The path of the part file written.

    Raises:
        RunFailedError: If the scenario refuses the run's values.
    """
    return run_batch(job, [run])[0]


def run_batch(job: Job, runs: Sequence[dict[str, Any]]) -> list[str]:
    """Run a batch of runs of one sample (they differ by seed only); write one part file each.

    The runs go through :func:`sim.batch.run_batch`, the engine's batch, and each run's part
    file is written as soon as the run ends, exactly as :func:`run_one` writes it: a run's
    file does not depend on the batch it ran in, and ``--resume`` keeps its granularity of
    one run.

    Args:
        job: The sweep's shared data.
        runs: Runs of one sample (:func:`sim.batch.batches` makes them).

    Returns:
        The paths of the part files written, in the order of ``runs``.

    Raises:
        RunFailedError: If the scenario refuses the runs' values (naming the first run not
            written), or a part file cannot be written.
        ValueError: If the runs are not of one sample.
    """
    from sim import batch

    if not runs:
        return []
    if any(run["sample"] != runs[0]["sample"] for run in runs):
        raise ValueError("the runs of a batch must be of one sample")
    written: list[str] = []

    def write(index: int, model: Any) -> str:
        written.append(write_run(job, runs[index], model))
        return written[-1]

    try:
        scn = run_scenario(job, runs[0])
        return batch.run_batch(scn, [run["seed"] for run in runs], job.steps, each=write)
    except ConfigError as exc:
        raise RunFailedError(runs[len(written)]["run_id"], str(exc)) from None


def write_run(job: Job, run: dict[str, Any], model: Any) -> str:
    """Write the part file of one finished run and return its path.

    The table is built in Arrow directly, one constant column per parameter: through a
    pandas frame, the ~150 constant columns of an uncertainty study cost about as much as a
    third of the run itself (docs/decisions.md §56); the monthly columns too, from the
    DataCollector's lists (through a frame they cost 3 of a merged run's ~30 ms, §63). The
    columns' names, order and types are those of the frame (pandas' strings are Arrow
    ``large_string``, its numbers' dtypes numpy's).

    Raises:
        RunFailedError: (field ``--out``) if the file cannot be written.
    """
    monthly = model.datacollector.model_vars  # what Mesa's data frame is made of
    info = run_info(model)
    n = len(next(iter(monthly.values())))
    columns: dict[str, pa.Array] = {
        "run_id": constant(run["run_id"], n),
        "sample": pa.array([run["sample"]] * n, pa.int64()),
        "seed": pa.array([run["seed"]] * n, pa.int64()),
        "month": pa.array(monthly["month"] if "month" in monthly else range(n), pa.int64()),
    }
    for name, kind in job.params:
        columns[name] = constant(column_value(kind, run["params"][name]), n)
    for name, values in monthly.items():  # the frame's columns, as Arrow makes them from it
        if name != "month":
            columns[name] = pa.array(np.asarray(values))
    path = part_path(job.out, run["run_id"])
    try:
        return str(write_part(pa.table(columns), path, run["run_id"], run.get("scenario"), info))
    except OSError as exc:  # disk full, permissions: one line in the driver
        raise RunFailedError(run["run_id"], write_error(path, exc), "--out") from None


def constant(value: Any, n: int) -> pa.Array:
    """``n`` copies of ``value``: the Arrow column a pandas frame gives (text: ``large_string``)."""
    column = pa.array([value] * n)
    return column.cast(pa.large_string()) if pa.types.is_string(column.type) else column


def run_info(model: Any) -> dict[str, Any]:
    """The numbers of a finished run that are not monthly, and the versions that ran it.

    Recorded in the run's part file (:func:`~sim.experiments.storage.part_run_info`):
    ``households`` and ``compounds`` of the community as built, ``firm_entries`` and
    ``firm_exits`` over the run, and ``versions`` (Python, ``sim`` and its libraries).
    """
    return {"households": int(model.population.n), "compounds": int(model.n_compounds),
            "firm_entries": int(model.firm_entries), "firm_exits": int(model.firm_exits),
            "versions": versions()}


TaskFunction = Callable[[Job, Sequence[dict[str, Any]]], list[str]]
"""What runs one task — a batch of runs of one sample — and returns their part files' paths
(:func:`run_batch`, or a module-level wrapper of it)."""


# --------------------------------------------------------------------------- executors

_JOB: Job | None = None
"""The job of a local worker process, set once by :func:`_init_worker`."""


_FUNC: TaskFunction | None = None
"""The function a local worker process runs each task with."""


def _init_worker(job: Job, func: TaskFunction | None = None) -> None:
    """Keep the job (:class:`~sim.children.WorkerPool` leaves Ctrl-C to the driver)."""
    global _JOB, _FUNC
    _JOB = job
    _FUNC = func


def run_task(job: Job, runs: Sequence[dict[str, Any]], func: TaskFunction | None = None
             ) -> list[str]:
    """What one task of an executor does; returns the part files' paths.

    A batch of runs of one sample, through :func:`run_batch` or ``func``.
    """
    return (run_batch if func is None else func)(job, runs)


def _run_in_worker(runs: list[dict[str, Any]]) -> list[str]:
    assert _JOB is not None, "worker not initialised"
    return run_task(_JOB, runs, _FUNC)


def default_workers() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Executor:
    """Runs a sweep's runs locally or on a Dask cluster; a context manager.

    The Dask client connects (and waits for a worker) when the executor is created, so a
    wrong address is reported before anything is written.

    Args:
        workers: Local processes (default: the CPUs available); 1 runs in this process.
        scheduler: Address of a Dask scheduler (``tcp://127.0.0.1:8786``); then the
            cluster's workers run the sweep and ``workers`` must be None.
        connect_timeout: Seconds to wait for the scheduler, and again for a first worker.
        batch: Runs per task at most (default :data:`sim.batch.BATCH_SIZE`): each task is a
            batch of seeds of one sample (:func:`sim.batch.batches`), made smaller when
            there are fewer runs than workers × ``batch`` so that every worker gets work,
            and never larger than the runs the engine merges for the sample's community
            (:func:`merge_limit`: 19 on Heping Road). It changes no run's data.

    Raises:
        ConfigError: For a bad ``workers`` or ``batch``, both options at once, or a
            scheduler that cannot be reached or has no worker.
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None, *,
                 connect_timeout: float = 20.0, batch: int | None = None) -> None:
        from sim.batch import BATCH_SIZE, batches

        batch = BATCH_SIZE if batch is None else batch
        next(batches([], batch), None)  # checks the size before anything connects
        self.batch = batch
        if scheduler is not None and workers is not None:
            raise ConfigError("--workers", "cannot be combined with --scheduler: the "
                                           "cluster's workers run the sweep")
        if workers is not None and workers < 1:
            raise ConfigError("--workers", f"must be ≥ 1 (got {workers})")
        self.scheduler = scheduler
        self.workers = workers if workers is not None else default_workers()
        self.client: Any = None
        if scheduler is not None:
            self.client = _connect(scheduler, connect_timeout)

    def describe(self) -> tuple[str, dict[str, Any]]:
        """``("scheduler", {"address": …})`` or ``("workers", {"n": …})``, for messages."""
        if self.scheduler is not None:
            return "scheduler", {"address": self.scheduler}
        return "workers", {"n": self.workers}

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect from the Dask scheduler (nothing to do locally)."""
        if self.client is not None:
            self.client.close(timeout=10)
            self.client = None

    def run(self, job: Job, runs: Sequence[dict[str, Any]], *, progress: bool = True,
            total: int | None = None, desc: str = "", func: TaskFunction | None = None) -> int:
        """Run ``runs`` and write their part files.

        Args:
            job: The sweep's shared data.
            runs: The runs to do.
            progress: Show a progress bar (runs done, time left).
            total: Runs in the whole sweep, for the bar (default ``len(runs)``); the runs not
                in ``runs`` count as already done (``--resume``).
            desc: Label of the progress bar.
            func: What runs one task, a batch of runs of one sample (default
                :func:`run_batch`); a module-level function (it is pickled to the
                workers), which must call :func:`run_batch`.

        Returns:
            The number of runs done.

        Raises:
            ConfigError: (field ``run <run_id>``) when the scenario refuses a run's values;
                (field ``--workers``) when a worker process dies.
        """
        from tqdm.auto import tqdm

        total = len(runs) if total is None else total
        bar = tqdm(total=total, initial=total - len(runs), unit="run", desc=desc or None,
                   disable=not show_progress(progress), smoothing=0.05, dynamic_ncols=True,
                   mininterval=0.5)
        done = 0

        def on_done(_path: str) -> None:
            nonlocal done
            done += 1
            bar.update(1)

        from sim.batch import batches

        def limit(run: dict[str, Any]) -> int:
            return merge_limit(job, run)

        try:
            if self.client is not None:
                slots = max(sum(self.client.nthreads().values()), 1)
                tasks = batches(runs, self._batch_size(len(runs), slots), limit=limit)
                _run_dask(self.client, job, tasks, on_done, func)
            elif self.workers == 1 or len(runs) <= 1:
                for task in batches(runs, self.batch, limit=limit):
                    for path in run_task(job, task, func):
                        on_done(path)
            else:
                workers = min(self.workers, len(runs))
                tasks = batches(runs, self._batch_size(len(runs), workers), limit=limit)
                _run_processes(job, tasks, workers, on_done, func)
        except RunFailedError as exc:
            raise ConfigError(exc.field or f"run {exc.run_id}", exc.message) from None
        finally:
            bar.close()
        return done

    def _batch_size(self, runs: int, workers: int) -> int:
        """Runs per task: at most ``batch``, and small enough that every worker has a task."""
        return max(1, min(self.batch, -(-runs // workers)))


def show_progress(progress: bool, stream: Any = None) -> bool:
    """True if a progress bar is wanted and ``stream`` (default stderr) is a terminal.

    A bar redrawn into a log file or a pipe is thousands of lines of carriage returns.
    """
    stream = sys.stderr if stream is None else stream
    try:
        return bool(progress) and stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # closed or replaced by an object without isatty
        return False


def execute(job: Job, runs: Sequence[dict[str, Any]], *, workers: int | None = None,
            scheduler: str | None = None, progress: bool = True, total: int | None = None,
            desc: str = "", batch: int | None = None) -> int:
    """Run ``runs`` with a new :class:`Executor` (see there); return the number done."""
    with Executor(workers, scheduler, batch=batch) as executor:
        return executor.run(job, runs, progress=progress, total=total, desc=desc)


def _run_processes(job: Job, tasks: Iterable[list[dict[str, Any]]], workers: int,
                   on_done: Callable[[str], None], func: TaskFunction | None = None) -> None:
    """Run batches on a local process pool, keeping a bounded number of them in flight.

    The pool is :class:`sim.children.WorkerPool`: its workers die with this process, so a
    driver killed with ``SIGKILL`` leaves no worker writing part files.
    """
    from concurrent.futures.process import BrokenProcessPool

    from sim.children import WorkerPool

    todo = iter(tasks)
    limit = workers * IN_FLIGHT_PER_WORKER
    pool = WorkerPool(workers, initializer=_init_worker, initargs=(job, func))
    inflight: set[Future[list[str]]] = set()
    try:
        while True:
            for task in itertools.islice(todo, limit - len(inflight)):
                inflight.add(pool.submit(_run_in_worker, task))
            if not inflight:
                break
            finished, inflight = wait(inflight, return_when=FIRST_COMPLETED)
            for future in finished:
                for path in future.result():
                    on_done(path)
    except BrokenProcessPool:
        raise ConfigError("--workers", "a worker process died (out of memory, or killed); "
                                       "finished runs are kept: rerun with --resume") from None
    except BaseException:  # Ctrl-C, a failed run: stop the runs in flight at once
        pool.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _connect(address: str, timeout: float) -> Any:
    """Connect a ``distributed.Client`` and wait for a first worker."""
    from distributed import Client

    _probe(address, timeout)
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConfigError("--scheduler", f"cannot connect to a Dask scheduler at {address}: "
                                         f"{exc}") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        client.close(timeout=10)
        raise ConfigError("--scheduler", f"the Dask scheduler at {address} has no worker "
                                         "(start one with 'dask worker ADDRESS')") from None
    return client


def _probe(address: str, timeout: float, greeting: float = HANDSHAKE_TIMEOUT) -> None:
    """Fail within seconds unless a Dask scheduler answers at a ``tcp://`` address.

    Nothing listening is refused at once (Dask would retry until its timeout). Something
    listening must greet as Dask does: both ends of a Dask connection send their handshake
    (a msgpack mapping with ``compression``, ``python`` and ``pickle-protocol``) as soon as
    it opens. A server that says nothing (an HTTP server waits for a request; a plain TCP
    server may never speak) or says something else is not a Dask scheduler.
    """
    scheme, sep, rest = address.rpartition("://")
    if (sep and scheme != "tcp") or ":" not in rest:
        return  # tls://, ucx://, a name without a port: leave it to distributed
    host, _, port = rest.rpartition(":")
    try:
        conn = socket.create_connection((host.strip("[]"), int(port)), timeout=min(timeout, 5))
    except ValueError:
        return
    except OSError as exc:
        raise ConfigError("--scheduler", f"cannot connect to a Dask scheduler at {address}: "
                                         f"{exc.strerror or exc}") from None
    with conn:
        heard = _greeting(conn, min(timeout, greeting))
    if b"pickle-protocol" not in heard:
        said = (f"it answered {heard[:24]!r}" if heard
                else f"it said nothing within {min(timeout, greeting):g} s")
        raise ConfigError("--scheduler", f"{address} is not a Dask scheduler ({said}); give "
                                         "the address printed by 'dask scheduler', e.g. "
                                         "tcp://127.0.0.1:8786")


def _greeting(conn: socket.socket, timeout: float) -> bytes:
    """Read what a server sends on a new connection, until Dask's handshake or ``timeout``."""
    deadline = time.monotonic() + timeout
    heard = b""
    while b"pickle-protocol" not in heard and len(heard) < 65536:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        conn.settimeout(left)
        try:
            chunk = conn.recv(4096)
        except OSError:  # timeout, reset
            break
        if not chunk:
            break
        heard += chunk
    return heard


def _run_dask(client: Any, job: Job, tasks: Iterable[list[dict[str, Any]]],
              on_done: Callable[[str], None], func: TaskFunction | None = None) -> None:
    """Run batches on a Dask cluster with ``client.submit`` and ``as_completed``."""
    from distributed import as_completed

    job_ref = client.scatter(job, broadcast=True)
    limit = max(IN_FLIGHT_PER_WORKER * sum(client.nthreads().values()), 4)
    todo = iter(tasks)

    def submit(task: list[dict[str, Any]]) -> Any:
        return client.submit(run_task, job_ref, task, func, pure=False,
                             key=f"sim-runs-{job.key}-{task[0]['run_id']}-{len(task)}")

    pending = as_completed([submit(task) for task in itertools.islice(todo, limit)],
                           loop=client.loop)
    try:
        for future in pending:
            paths = future.result()
            future.release()
            for path in paths:
                on_done(path)
            for task in itertools.islice(todo, 1):
                pending.add(submit(task))
    finally:
        for future in list(pending.futures):
            future.cancel()
