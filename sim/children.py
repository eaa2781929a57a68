"""Child processes that die with their parent and leave Ctrl-C to it.

``sim sweep``, ``sim compare`` and ``sim app`` start child processes (a pool
of workers, the Solara server). Two things must hold whatever happens to the
parent:

- **No orphans.** If the parent is killed (``SIGKILL`` from the OOM killer,
  ``SIGTERM`` from a job scheduler), its children must not keep running,
  writing part files or serving a port. On Linux each child asks the kernel
  for a signal when its parent dies (``prctl(PR_SET_PDEATHSIG)``), and checks
  that the parent is still the one that started it, which closes the race of
  a parent that died before the request.
- **One line on Ctrl-C.** The terminal sends ``SIGINT`` to the whole process
  group; a worker that gets it while importing prints a traceback of its own.
  :class:`WorkerPool` blocks ``SIGINT`` while it starts workers (a blocked
  signal stays blocked across ``exec``), and :func:`init_worker` ignores it
  in the worker before unblocking, so only the parent reacts.

The rule is written once here and used by every place that starts a child.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int | None = None, sig: int = signal.SIGTERM) -> None:
    """Have the kernel send ``sig`` to this process when its parent dies (Linux only).

    Call it in the child. Elsewhere than Linux it does nothing: there the
    children of a killed parent may outlive it.

    Args:
        parent_pid: The pid of the parent that started this process; if the
            parent is already gone (this process was re-parented), exit at once.
        sig: The signal to receive.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


def init_worker(parent_pid: int, initializer: Callable[..., None] | None = None,
                initargs: tuple[Any, ...] = ()) -> None:
    """Initialise a pool worker: die with the parent, ignore Ctrl-C, then ``initializer``."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if initializer is not None:
        initializer(*initargs)


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """Block ``SIGINT`` in this thread for the ``with`` block (children inherit the mask).

    A Ctrl-C pressed meanwhile is delivered when the block ends, so the parent
    still stops; only the children started inside never see it.
    """
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class WorkerPool(ProcessPoolExecutor):
    """A ``spawn`` process pool whose workers die with this process and ignore Ctrl-C.

    Workers are started lazily by :meth:`submit`, so every submit blocks
    ``SIGINT`` while it may start one.

    Args:
        max_workers: Worker processes.
        initializer: Called once in each worker after the set-up above.
        initargs: Arguments of ``initializer``.
    """

    def __init__(self, max_workers: int, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        super().__init__(max_workers=max_workers, mp_context=multiprocessing.get_context("spawn"),
                         initializer=init_worker, initargs=(os.getpid(), initializer, initargs))

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Submit ``fn(*args, **kwargs)``, starting a worker with ``SIGINT`` blocked."""
        with sigint_blocked():
            return super().submit(fn, *args, **kwargs)

    def terminate(self) -> None:
        """Stop at once: cancel what has not started and kill the workers."""
        processes = list((getattr(self, "_processes", None) or {}).values())
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.kill()
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(timeout=5)
