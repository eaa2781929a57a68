"""``sim app``: serve the interactive page (:mod:`sim.app`) on 127.0.0.1.

The page is a Solara app; this command starts Solara's server for it in a child process,
bound to the loopback address only (a classroom projector needs no open port), in
production mode and without telemetry, so that it works with no network at all. The
command stays light: Solara is imported by the child, not by every ``sim`` command.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

from sim.children import die_with_parent

HOST = "127.0.0.1"
"""The only address the page is served on."""

DEFAULT_PORT = 8765
"""Port used when ``--port`` is not given (Solara's own default)."""

DESCRIPTION = """\
Serve the interactive classroom page on http://127.0.0.1:PORT: choose a community and a
governance design, move the sliders (face, acquaintance, fees, the government's renovation
budget, noise, activists), press Reset, then Step or ▶ to watch the compound month by month.
Open the address in a browser on this machine; Ctrl-C stops the server. Works offline.

启动课堂交互页面（仅本机 127.0.0.1）：选择社区和治理模式，调整滑块后按 Reset（重置），
再按 Step（单步）或 ▶（播放）逐月观察。按 Ctrl-C 停止。无需联网。"""

EPILOG = """\
examples / 示例:
  sim app                      # Chinese page on http://127.0.0.1:8765
  sim app --lang en --port 9000
"""

SERVER_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no calls home
    "SOLARA_SESSION_HTTPS_ONLY": "False",  # plain http on loopback
    "PYTHONWARNINGS": "ignore:Cookies with samesite",  # harmless on 127.0.0.1
}
"""Environment of the server process, besides the page's language."""


def check_port(port: int) -> None:
    """Refuse a port outside 0–65535 or one already taken on 127.0.0.1.

    Raises:
        UsageError: Naming ``port`` and what is allowed.
    """
    from sim.cli_base import UsageError

    if not 0 <= port <= 65535:
        raise UsageError("port", f"must be between 1 and 65535, or 0 for any free port "
                                 f"(got {port})")
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise UsageError("port", f"{port} is in use or not allowed on {HOST}; "
                                         "choose another with --port") from None
            raise


def free_port() -> int:
    """Return a port that is free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def server_command(port: int) -> list[str]:
    """Return the command line that serves the page on ``port``."""
    return [sys.executable, "-m", "solara", "run", "sim.app", "--host", HOST,
            "--port", str(port), "--production", "--no-open", "--log-level", "warning"]


def app_command(args: argparse.Namespace) -> int:
    """Serve the page until Ctrl-C or a stop signal; return the exit status.

    The server child never outlives this process: Ctrl-C, ``SIGTERM`` and ``SIGHUP`` stop
    it (terminate, wait, kill) before this process exits, and the child asks the kernel for
    ``SIGTERM`` when its parent dies (:func:`sim.children.die_with_parent`), which covers
    ``SIGKILL``. So the port is free for the next ``sim app`` however this one ended.

    Returns:
        The server's exit status; 0 after Ctrl-C; 128 + the signal number after
        ``SIGTERM`` or ``SIGHUP`` (reported on one line).
    """
    check_port(args.port)
    port = args.port or free_port()
    env = {**os.environ, **SERVER_ENV, "SIM_APP_LANG": args.lang}
    url = f"http://{HOST}:{port}"
    if args.lang == "zh":
        print(f"小区治理仿真课堂页面：{url}  （在浏览器中打开；按 Ctrl-C 停止）", flush=True)
    else:
        print(f"Classroom page: {url}  (open it in a browser; Ctrl-C stops)", flush=True)
    parent = os.getpid()
    server: subprocess.Popen[bytes] | None = None
    try:
        with _stop_signals_raise():
            # the child dies with this process even if it is killed with SIGKILL
            server = subprocess.Popen(server_command(port), env=env,
                                      preexec_fn=lambda: die_with_parent(parent))
            return server.wait()
    except KeyboardInterrupt:
        stop_server(server)
        return 0
    except StopSignalError as stopped:
        stop_server(server)
        name = signal.Signals(stopped.signum).name
        print(f"sim: stopped by {name}; the page at {url} is closed / 页面已关闭",
              file=sys.stderr, flush=True)
        return 128 + stopped.signum


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Signals that stop ``sim app`` like Ctrl-C does: a scheduler's or a closed terminal's."""


class StopSignalError(Exception):
    """Raised in ``sim app`` by one of :data:`STOP_SIGNALS`.

    Attributes:
        signum: The signal received.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum: int, _frame: object) -> None:
    """Signal handler: turn a stop signal into :class:`StopSignalError`."""
    raise StopSignalError(signum)


@contextlib.contextmanager
def _stop_signals_raise() -> Iterator[None]:
    """Have :data:`STOP_SIGNALS` raise :class:`StopSignalError` for the ``with`` block.

    Without this, ``SIGTERM`` ends the parent at once and leaves its child serving the port;
    with it, the parent stops the child first (``SIGKILL``, which cannot be caught, is
    covered by the child's ``PR_SET_PDEATHSIG``).
    """
    old = {sig: signal.signal(sig, _raise_stopped) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def stop_server(server: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    """Stop the server child: ``SIGTERM``, wait up to ``timeout`` seconds, then ``SIGKILL``."""
    if server is None:
        return
    with contextlib.suppress(ProcessLookupError):
        server.terminate()
    try:
        server.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def add_command(subparsers: Any) -> None:
    """Add ``sim app``."""
    from sim.cli_base import HelpFormatter

    parser = subparsers.add_parser(
        "app", help="serve the interactive classroom page / 课堂交互页面",
        description=DESCRIPTION, epilog=EPILOG, formatter_class=HelpFormatter,
        allow_abbrev=False)
    parser.add_argument("--port", metavar="N", type=int, default=DEFAULT_PORT,
                        help=f"port on 127.0.0.1; 0 picks a free one (default: {DEFAULT_PORT}). "
                             "端口")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="language the page opens in; the page has a switch too "
                             "(default: zh). 页面语言")
    parser.set_defaults(handler=app_command)


@contextlib.contextmanager
def serve_in_background(lang: str = "zh", port: int = 0,
                        timeout: float = 90.0) -> Iterator[str]:
    """Serve the page from a child ``sim app`` process; yield its address once it answers.

    Used by the browser test and the screenshot script. The server is stopped (its whole
    process group) when the block ends.

    Args:
        lang: Language the page opens in.
        port: Port on 127.0.0.1; 0 picks a free one.
        timeout: Seconds to wait for the page to answer.

    Yields:
        The page's address, e.g. ``http://127.0.0.1:8765/``.

    Raises:
        RuntimeError: If the server exits or does not answer within ``timeout``.
    """
    port = port or free_port()
    url = f"http://{HOST}:{port}/"
    server = subprocess.Popen([sys.executable, "-m", "sim", "app", "--port", str(port),
                               "--lang", lang], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if server.poll() is not None:
                output = server.stdout.read().decode(errors="replace") if server.stdout else ""
                raise RuntimeError(f"sim app exited with {server.returncode}: {output[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"sim app did not answer on {url} within {timeout:.0f} s")
            time.sleep(0.3)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        if server.stdout:
            server.stdout.close()
