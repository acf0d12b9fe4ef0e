"""Publish a student copy of the course: everything a student needs, no solution.

    python -m tools.student_export DEST        (make student-export DEST=...)

The copy holds the committed versions (``git ls-files``, so no ``.venv``, no ``work/``,
no gradebook or submissions) of exactly these paths:

    README.md  Makefile  pyproject.toml  environment.yml  .gitignore
    nbgrader_config.py  config/  tools/ (without tools/grading/)  dp/  hidden_checks/
    course/  release/

and nothing else: not ``tools/grading/`` (the grading chain: students never grade, and
``nbgrader_config.py`` names it by strings, so the copy's config loads without it), not
``source/`` (solutions and hidden tests), not ``tests/`` (its ``mistakes/`` are wrong
answers next to the cells they answer, and its grading proofs need ``source/``), not
``autograded/``, ``bench/`` or ``.ci/``. Students run ``make lab`` and ``make validate``
there; ``make test``/``release``/``grade`` need the instructor's repository. ``DEST``
must not exist yet or be empty: the copy is built
next to it and moved into place only when complete.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from tools.course import REPO_ROOT
from tools.errors import ToolError, main_reports_errors

PUBLISHED = ("README.md", "Makefile", "pyproject.toml", "environment.yml", ".gitignore",
             "nbgrader_config.py", "config", "tools", "dp", "hidden_checks", "course", "release")
# hidden_checks/ ships because pyproject.toml installs it with dp: it is the recorder hidden
# tests call, and holds no test, input or expected value.
LEFT_OUT = ("tools/grading",)


def published_files(repo: Path) -> list[str]:
    """The committed files under :data:`PUBLISHED`, as paths relative to ``repo``, sorted.

    Raises:
        ToolError: when ``repo`` is not a git checkout (the export takes what is
            committed, never a developer's scratch files).
    """
    try:
        out = subprocess.run(["git", "-C", str(repo), "ls-files", "-z", "--", *PUBLISHED,
                              *(f":(exclude){p}" for p in LEFT_OUT)],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or error
        raise ToolError(f"{repo} is not a git checkout ({str(detail).strip()}); "
                        f"the student export copies committed files only") from error
    return sorted(p for p in out.split("\0") if p and (repo / p).is_file())


def export(dest: Path, repo: Path = REPO_ROOT) -> list[str]:
    """Write the student copy of ``repo`` to ``dest``; return the files written.

    Raises:
        ToolError: ``dest`` exists and is not an empty folder, or lies inside ``repo``.
    """
    dest, repo = dest.resolve(), repo.resolve()
    if dest == repo or dest.is_relative_to(repo):
        raise ToolError(f"DEST {dest} is inside the course repository; "
                        "choose a folder outside it")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ToolError(f"DEST {dest} already exists and is not an empty folder; "
                        f"choose a new one (nothing was written)")
    files = published_files(repo)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        for rel in files:
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo / rel, staging / rel)
        if dest.exists():
            dest.rmdir()
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return files


@main_reports_errors
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path, help="a new (or empty) folder for the student copy")
    args = parser.parse_args(argv)
    files = export(args.dest)
    folders = ", ".join(sorted({f.split("/")[0] for f in files if "/" in f}))
    print(f"student copy in {args.dest.resolve()}: {len(files)} files "
          f"({folders} and the top-level files)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
