"""What a test needs from the machine beyond Python packages: skip with the fix, or fail in CI.

Some tests need system parts that ``pip`` cannot install (tools/system_parts.py:
the grading sandbox, Chromium, Node.js for JupyterHub's proxy). Where one is
missing, those tests say so in one line each and are skipped, and the run ends
with a short block naming what to install (``make doctor`` says the same): a
missing part is not a broken project. With ``CI=true`` in the environment they
fail instead, since CI must prove everything.

Two ways to use it, both the same helper:

    @pytest.mark.needs("sandbox")     # checked before the test's fixtures run
    def test_...

    requirements.require("chromium")  # inside a test or fixture
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools import system_parts  # noqa: E402

# The first words of each skip reason: how the closing summary finds them.
PREFIX = "needs "


def in_ci() -> bool:
    """True when CI=true (or 1/yes): missing parts are failures there."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@functools.cache
def missing(part: str) -> str | None:
    """Why ``part`` is not usable on this machine, or None (checked once per process)."""
    if part == "sandbox":
        from tools.grading.sandbox import unavailable_reason
        return unavailable_reason()
    if part == "chromium":
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return "playwright is not installed (pip install -e '.[test]')"
        return system_parts.chromium_missing()
    if part == "node":
        return system_parts.node_missing()
    raise ValueError(f"unknown system part {part!r}; known: {sorted(system_parts.PARTS)}")


def require(part: str) -> None:
    """Return if ``part`` is usable; else skip the calling test (fail it when CI=true)."""
    reason = missing(part)
    if reason is None:
        return
    message = f"{PREFIX}{part}: {reason}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: a missing system part fails; to install: "
                    f"{system_parts.PARTS[part][2]})", pytrace=False)
    pytest.skip(message)


def summary_lines(skip_reasons: list[str]) -> list[str]:
    """The closing block for the reasons of the run's skips: per missing part, how many
    tests it skipped and how to install it. Empty when nothing was skipped for a part."""
    counts = {}
    for reason in skip_reasons:
        for part in system_parts.PARTS:
            if reason.startswith(f"{PREFIX}{part}:"):
                counts[part] = counts.get(part, 0) + 1
    if not counts:
        return []
    lines = ["Skipped because a system part is missing (not a failure of the project; "
             "CI=true makes these failures):"]
    for part, count in counts.items():
        lines.append(f"  {count:4d} test(s): install {system_parts.install_hint(part)}")
    lines.append("  `make doctor` checks every part; the lines above name only what this run "
                 "missed.")
    return lines
