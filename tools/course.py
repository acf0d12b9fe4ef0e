"""What every tool needs: the course root, a working nbgrader environment, the assignments.

nbgrader reads ``nbgrader_config.py`` only from the folder it runs in, and calls
``alembic`` by name, so every tool changes into the course root and puts this
Python's ``bin/`` first on PATH before touching nbgrader.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tools.errors import USAGE, ToolError

REPO_ROOT = Path(__file__).resolve().parents[1]


def prepare_environment(course_dir: Path | str = REPO_ROOT) -> Path:
    """Enter ``course_dir`` and put this interpreter's ``bin/`` first on PATH; return the root."""
    root = Path(course_dir).resolve()
    if not (root / "nbgrader_config.py").is_file():
        raise ToolError(f"{root} is not a course root (no nbgrader_config.py there)")
    os.chdir(root)
    os.environ["PATH"] = subprocess_env()["PATH"]
    return root


def subprocess_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of os.environ whose PATH starts with this interpreter's ``bin/`` (for ``alembic``)."""
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    parts = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != bindir]
    env["PATH"] = os.pathsep.join([bindir, *parts])
    env.update(extra or {})
    return env


def source_assignments(root: Path) -> list[str]:
    """Assignment ids: the folders of ``source/`` that hold at least one notebook, sorted."""
    source = root / "source"
    if not source.is_dir():
        return []
    return sorted(
        d.name for d in source.iterdir()
        if d.is_dir() and not d.name.startswith(".") and any(d.glob("*.ipynb"))
    )


def check_assignments(root: Path, requested: list[str]) -> list[str]:
    """``requested`` (or every assignment when empty), failing clearly on unknown ids."""
    known = source_assignments(root)
    unknown = [a for a in requested if a not in known]
    if unknown:
        raise ToolError(f"no assignment {', '.join(unknown)} in {root / 'source'}; "
                        f"known: {', '.join(known) or 'none'}", USAGE)
    return requested or known


# Set by the course hub's grading service (hub/dp_grading_service.py), which runs as root:
# a root-owned folder on JUPYTER_CONFIG_PATH holds the nbgrader_config.py to use, and the
# course root's own (writable by every instructor) is not executed.
TRUSTED_CONFIG_ENV = "DP_TRUSTED_NBGRADER_CONFIG"


def load_nbgrader_config(overrides: list[str] = ()):
    """The configuration nbgrader itself would use here: config files, then ``--Class.trait=value``.

    Must be called after :func:`prepare_environment` (nbgrader reads the config of the cwd;
    with ``$DP_TRUSTED_NBGRADER_CONFIG`` set, that folder's instead, and not the cwd's).
    nbgrader only logs an error for a broken ``nbgrader_config.py`` and then carries on
    WITHOUT it (no timeout, no restored cells); here a broken config stops the tool.
    """
    from nbgrader.apps.baseapp import NbGrader
    from traitlets.config.loader import PyFileConfigLoader

    folder = os.environ.get(TRUSTED_CONFIG_ENV) or os.getcwd()
    try:
        PyFileConfigLoader("nbgrader_config.py", path=folder).load_config()
    except Exception as exc:  # noqa: BLE001 -- any error in the file
        raise ToolError(f"{folder}/nbgrader_config.py does not load: {exc!r}") from exc

    app = NbGrader()
    if os.environ.get(TRUSTED_CONFIG_ENV):
        app.load_cwd_config = False  # the trusted folder is on JUPYTER_CONFIG_PATH instead
    app.initialize(list(overrides))
    return app.config


def nbgrader_api(overrides: list[str] = ()):
    """An ``NbGraderAPI`` (nbgrader's own Python API, used by formgrader) for the current course."""
    from nbgrader.apps import NbGraderAPI

    return NbGraderAPI(config=load_nbgrader_config(overrides))
