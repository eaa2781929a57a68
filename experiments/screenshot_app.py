"""Screenshots of the classroom page (``sim app``) for the docs, taken in headless Chromium.

Serves the page on a free port of 127.0.0.1, opens it in the system Chromium, switches to
nanan_131 on Heping Road with the default sliders, presses Reset, plays 30 months and
pauses, then saves the page as <out>/app_<lang>.png. Needs Debian's chromium and a CJK
font (apt-get install chromium fonts-wqy-microhei). About 20 s per language.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from sim.app import preset_label
from sim.appserver import serve_in_background
from sim.browser import launch_chromium, model_time

ROOT = Path(__file__).resolve().parent.parent
MONTHS = 30


def shoot(lang: str, out: Path) -> Path:
    """Drive the page to month :data:`MONTHS` of nanan_131 and save a screenshot."""
    path = out / f"app_{lang}.png"
    with serve_in_background(lang=lang) as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1500, "height": 1150})
        page.goto(url)
        page.get_by_role("button", name="Reset").wait_for(timeout=60_000)
        design = page.locator(".v-select", has_text="治理模式" if lang == "zh" else "Design")
        design.click()
        page.get_by_role("option", name=preset_label("design", "nanan_131", lang)).click()
        page.get_by_role("button", name="Reset").click()
        page.get_by_role("button", name="▶").click()
        deadline = time.monotonic() + 120
        while model_time(page) < MONTHS and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        page.get_by_role("button", name="❚❚").click()
        page.wait_for_timeout(2000)
        page.screenshot(path=str(path))
        browser.close()
    return path


def main(argv: list[str] | None = None) -> None:
    """Take the screenshots asked for."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=("zh", "en", "both"), default="both",
                        help="language of the page (default: both)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "figures",
                        help="folder for app_<lang>.png (default: docs/figures)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for lang in ("zh", "en") if args.lang == "both" else (args.lang,):
        started = time.perf_counter()
        print(f"{shoot(lang, args.out)} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
