"""Headless Chromium for the browser test and the page's screenshots.

The system's Chromium (Debian package ``chromium``) is driven by Playwright, which never
downloads a browser of its own here. The flags keep Chromium from reaching for the network
(background services, component updates, sync) so that a page served on 127.0.0.1 is all
it talks to, and let it run as root in a container.
"""

from __future__ import annotations

import re
import shutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium",
                       "chromium-browser")
"""Where the system Chromium is looked for, in order."""

CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync")
"""Flags for a quiet, offline, headless Chromium."""


def find_chromium() -> str | None:
    """Return the path of the system Chromium, or None if it is not installed."""
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def launch_chromium(playwright: Playwright) -> Browser:
    """Start the system Chromium headless under Playwright.

    Raises:
        RuntimeError: If no system Chromium is installed (on Debian: apt-get install chromium).
    """
    path = find_chromium()
    if path is None:
        raise RuntimeError("no system Chromium found; on Debian: apt-get install chromium "
                           "fonts-wqy-microhei")
    return playwright.chromium.launch(executable_path=path, args=list(CHROMIUM_ARGS))


def model_time(page: Page) -> float:
    """Return the model time shown by SolaraViz's Information card ("Time: 3.0")."""
    text = page.get_by_text(re.compile(r"^Time: ")).first.inner_text()
    return float(text.split(":")[1])
