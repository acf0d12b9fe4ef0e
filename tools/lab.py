"""`make lab`: set up the student's lab, then start JupyterLab on the course.

    python -m tools.lab [--role student|instructor] [--root DIR] [-- JUPYTER_LAB_ARGS...]

Set-up, every time (cheap and idempotent):

1. the student workspace: released assignments copied into ``work/`` where missing
   (:mod:`tools.workspace`; nothing there is ever overwritten);
2. the lectures in ``course/`` are trusted in this user's Jupyter signature database,
   so their stored outputs (the SVG graph drawings) show without running anything;
   JupyterLab renders SVG only from trusted notebooks, and the lectures are the
   course's own files;
3. the role's Jupyter configuration goes first on ``JUPYTER_CONFIG_PATH``
   (``config/lab`` for everyone, ``config/lab/student`` on top for students; what
   each folder switches is documented in ``config/README.md``).

Then it replaces itself with ``jupyter lab``, run from the course root (nbgrader's
Validate button reads ``nbgrader_config.py`` from the server's working folder), opening
``course/README.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tools.course import REPO_ROOT, subprocess_env
from tools.errors import USAGE, ToolError, main_reports_errors
from tools.workspace import update_workspace

ROLES = ("student", "instructor")
START_PAGE = "course/README.md"


def config_path(root: Path, role: str) -> list[Path]:
    """The Jupyter config folders of ``role``, highest priority first."""
    if role not in ROLES:
        raise ToolError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}", USAGE)
    common = root / "config" / "lab"
    return [common / "student", common] if role == "student" else [common]


def trust_lectures(root: Path) -> list[Path]:
    """Sign every notebook of ``root/course`` as trusted; return those that were not yet.

    Uses nbformat's notary, the same as ``jupyter trust``: the signature database and
    secret live in the user's Jupyter data folder (``JUPYTER_DATA_DIR``).
    """
    import nbformat
    from nbformat.sign import NotebookNotary

    notary = NotebookNotary()
    signed = []
    for path in sorted((root / "course").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        if not notary.check_signature(nb):
            notary.sign(nb)
            signed.append(path)
    return signed


def lab_command(root: Path, jupyter_args: list[str]) -> list[str]:
    """The ``jupyter lab`` command line that serves ``root`` and opens the start page."""
    return [str(Path(sys.executable).parent / "jupyter"), "lab", f"--ServerApp.root_dir={root}",
            f"--LabApp.default_url=/lab/tree/{START_PAGE}", *jupyter_args]


def lab_environment(root: Path, role: str) -> dict[str, str]:
    """os.environ with the venv first on PATH and the role's config first on JUPYTER_CONFIG_PATH."""
    env = subprocess_env()
    ours = [str(p) for p in config_path(root, role)]
    inherited = env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep)
    theirs = [p for p in inherited if p and p not in ours]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(ours + theirs)
    return env


@main_reports_errors
def main(argv: list[str] | None = None) -> int:
    """Set up and become JupyterLab (exec): it returns only an error's exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--role", default="student",
                        help="student (default): no instructor tools; "
                             "instructor: nbgrader's full set")
    parser.add_argument("--root", type=Path, default=REPO_ROOT,
                        help="the course root (default: this repository)")
    parser.add_argument("jupyter_args", nargs=argparse.REMAINDER,
                        help="after --: passed on to jupyter lab")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    env = lab_environment(root, args.role)
    copied = update_workspace(root / "release", root / "work")
    if copied:
        new = sorted({p.relative_to(root / "work").parts[0] for p in copied})
        print(f"work/: copied {len(copied)} file(s) from release/ ({', '.join(new)})", flush=True)
    trust_lectures(root)
    extra = args.jupyter_args[1:] if args.jupyter_args[:1] == ["--"] else args.jupyter_args
    command = lab_command(root, extra)
    os.chdir(root)
    os.execve(command[0], command, env)


if __name__ == "__main__":
    sys.exit(main())
