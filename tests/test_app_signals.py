"""``sim app`` frees its port however it is stopped (issue 9, item 8).

The page is served by a Solara child of ``sim app``. A job scheduler's ``SIGTERM``, a closed
terminal's ``SIGHUP`` or the OOM killer's ``SIGKILL`` reaches only the parent; the child must
not keep serving the port, or the next ``sim app`` on it is refused.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim.appserver import HOST, free_port


def _children(pid: int) -> list[int]:
    """Pids of the direct children of ``pid`` (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
        return True


def _serve(port: int, err: Path) -> subprocess.Popen[bytes]:
    """Start ``sim app --port port`` in a session of its own; return once the page answers.

    Its output goes to a file, not a pipe: an orphaned server would hold a pipe open.
    """
    with err.open("wb") as stderr:
        parent = subprocess.Popen([sys.executable, "-m", "sim", "app", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=stderr,
                                  start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert parent.poll() is None, err.read_text()
        with contextlib.suppress(OSError), urllib.request.urlopen(
                f"http://{HOST}:{port}/", timeout=5) as response:
            if response.status == 200:
                return parent
        time.sleep(0.3)
    parent.kill()
    raise AssertionError(f"sim app did not answer on port {port}")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL, signal.SIGHUP],
                         ids=["SIGTERM", "SIGKILL", "SIGHUP"])
def test_a_stopped_sim_app_frees_its_port(sig: signal.Signals, tmp_path: Path):
    port = free_port()
    parent = _serve(port, tmp_path / "stderr")
    children = _children(parent.pid)
    assert children, "sim app serves the page from a child process"
    try:
        os.kill(parent.pid, sig)  # the parent only, as a scheduler or the OOM killer would
        parent.wait(timeout=20)
        deadline = time.monotonic() + 5
        while not _port_free(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _port_free(port), f"port {port} still served after {sig.name} to sim app"
        if sig != signal.SIGKILL:
            # stopped by a signal it can handle: one line saying so, no traceback
            text = (tmp_path / "stderr").read_text()
            assert parent.returncode == 128 + sig, (parent.returncode, text)
            assert text.count("\n") == 1 and "Traceback" not in text, text
            assert text.startswith("sim: ") and sig.name in text, text
    finally:
        for pid in (parent.pid, *children):  # only the processes this test started
            with contextlib.suppress(OSError):
                if b"sim" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            parent.wait(timeout=5)
