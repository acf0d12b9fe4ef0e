"""The system parts some of the course needs beyond Python packages, and how to install each.

One table for the two places that tell a user what is missing: ``make doctor``
(tools/doctor.py) and the test run's closing block (tests/requirements.py). A part
that is missing makes the tests that need it skip, with this install line; with
``CI=true`` they fail instead, so CI still proves everything. Standard library
only: ``make doctor`` runs it without ``.venv``.
"""

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HUB_PROXY = REPO / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")

# part: (what it is, what it is for, how to get it)
PARTS = {
    "sandbox": ("the grading sandbox (bubblewrap, root, user namespaces)",
                "make grade and the grading tests",
                "sudo apt-get install bubblewrap, and run as root on a machine or container "
                "that allows user namespaces"),
    "chromium": ("Chromium", "the browser tests (site, lab, feedback pages)",
                 "sudo apt-get install chromium"),
    "node": ("Node.js 20+ with npm (JupyterHub's proxy)", "make hub and the hub's test",
             "sudo apt-get install nodejs npm; make test then installs the proxy "
             "(cd hub && npm ci)"),
}


def install_hint(part):
    """One line: what the part is, what needs it, and how to install it."""
    what, needed_by, how = PARTS[part]
    return f"{what}, for {needed_by}: {how}"


def chromium_missing():
    """Why no Chromium can be started for the tests, or None."""
    if not any(shutil.which(name) for name in CHROMIUM_NAMES):
        return "no Chromium on PATH (" + "/".join(CHROMIUM_NAMES) + ")"
    return None


def node_missing():
    """Why JupyterHub's proxy cannot run here, or None."""
    if shutil.which("node") is None:
        return "Node.js (`node`) is not on PATH"
    if not HUB_PROXY.exists():
        return (f"the proxy is not installed ({HUB_PROXY.relative_to(REPO)}; "
                f"npm {'is' if shutil.which('npm') else 'is not'} on PATH)")
    return None
