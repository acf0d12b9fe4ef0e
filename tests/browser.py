"""A real browser for tests: Debian's Chromium, driven by Playwright's Python API.

Playwright cannot download its own browsers on the course's machines (and a course
should not depend on a browser build fetched at test time), so it drives the system
Chromium (`apt-get install chromium`; `.ci/run` installs it). Use it as a context
manager, one browser per test module at most (a start costs about a second):

    from browser import chromium_page

    with chromium_page(screenshots=tmp_path) as page:
        page.goto(url)
        ...
        page.console_errors   # messages the page logged at level "error"

Everything a test serves must be on 127.0.0.1; Chromium's own background traffic
(updates, sync, safe browsing) is switched off so the closed network stays quiet.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import requirements
from tools import system_parts

# Flags as the machine documentation's probe used them: without the background
# networking ones, Chromium keeps opening connections that a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root; Chromium's own sandbox refuses root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The system Chromium; else the calling test skips with the fix (fails with CI=true)."""
    requirements.require("chromium")
    return next(found for found in map(shutil.which, system_parts.CHROMIUM_NAMES) if found)


@contextlib.contextmanager
def chromium_page(*, screenshots: Path | None = None, viewport=(1280, 900),
                  timeout_ms: int = 30_000, timezone_id: str | None = None,
                  locale: str | None = None):
    """A fresh page in a fresh headless Chromium profile; everything is closed on exit.

    Args:
        screenshots: a folder where the page is saved as ``last.png`` when the block
            ends (also on failure), so a failing test leaves a picture behind.
        viewport: the window size in CSS pixels.
        timeout_ms: Playwright's default timeout for every wait and action.
        timezone_id, locale: the browser's time zone (``"Europe/Berlin"``) and language
            (``"en-GB"``); the machine's when not given.

    Yields:
        A Playwright ``Page`` with one extra attribute, ``console_errors``: the text
        of every console message of type "error" and every uncaught page error.
    """
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(
                viewport={"width": viewport[0], "height": viewport[1]},
                **{k: v for k, v in (("timezone_id", timezone_id), ("locale", locale)) if v})
            context.set_default_timeout(timeout_ms)
            page = context.new_page()
            page.console_errors = []
            page.on("console",
                    lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
            page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
            try:
                yield page
            finally:
                if screenshots is not None:
                    Path(screenshots).mkdir(parents=True, exist_ok=True)
                    with contextlib.suppress(Exception):
                        page.screenshot(path=str(Path(screenshots) / "last.png"), full_page=True)
        finally:
            browser.close()
