"""The student workspace: each released assignment copied once into ``work/``, never overwritten.

    python -m tools.workspace          bring every assignment of release/ into work/

Students fill in their own copies in ``work/<assignment>/`` (git-ignored), so
``release/`` stays exactly as the instructor published it and a ``git pull`` of a
course update never meets a student's edits. The rules:

* a file of ``release/<A>/`` that is missing from ``work/<A>/`` is copied there
  (a new assignment after a pull arrives whole; a file the student deleted comes back);
* a file that exists in ``work/`` is never touched, whatever ``release/`` holds now;
* nothing is ever deleted from ``work/``.

A fresh copy of one assignment: rename (or delete) ``work/<A>/`` and run this again.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from tools.course import REPO_ROOT
from tools.errors import ToolError, main_reports_errors

# Never copied: editor and Python droppings that may sit in a developer's release/.
SKIP_PARTS = {".ipynb_checkpoints", "__pycache__"}


def released_assignments(release: Path) -> list[Path]:
    """The folders of ``release`` that hold at least one notebook, sorted by name."""
    if not release.is_dir():
        return []
    return sorted(d for d in release.iterdir()
                  if d.is_dir() and not d.name.startswith(".") and any(d.glob("*.ipynb")))


def update_workspace(release: Path, work: Path) -> list[Path]:
    """Copy every file of ``release/<A>/`` that ``work/<A>/`` lacks; return the files copied.

    Args:
        release: the released assignments, one folder each (read only).
        work: the student workspace; created if missing.

    Returns:
        The paths created in ``work``, in copy order. Existing files are never
        overwritten, so a student's edits survive any number of runs.

    Raises:
        ToolError: when ``release`` holds no assignment, or a path in ``work`` that
            should be a folder is a file (or the reverse): nothing is copied then.
    """
    assignments = released_assignments(release)
    if not assignments:
        raise ToolError(f"no released assignment in {release} "
                        "(expected folders of notebooks)")
    if work.exists() and not work.is_dir():
        raise ToolError(f"the workspace {work} is a file; rename it and run again")
    plan = []
    for folder in assignments:
        for src in sorted(folder.rglob("*")):
            rel = src.relative_to(release)
            if SKIP_PARTS.intersection(rel.parts) or not src.is_file():
                continue
            dest = work / rel
            clash = _clash(work, dest)
            if clash:
                raise ToolError(f"cannot copy release/{rel} to the workspace: {clash}; "
                                f"rename it and run again (nothing was copied)")
            if not dest.exists():
                plan.append((src, dest))
    for src, dest in plan:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
    return [dest for _, dest in plan]


def _clash(work: Path, dest: Path) -> str | None:
    """Why ``dest`` cannot be created inside ``work``.

    A folder where a file goes, or the reverse.
    """
    if dest.is_dir():
        return f"{dest} is a folder"
    for parent in dest.parents:
        if parent == work:
            break
        if parent.exists() and not parent.is_dir():
            return f"{parent} is a file"
    return None


@main_reports_errors
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPO_ROOT,
                        help="the course root, holding release/ (default: this repository)")
    parser.add_argument("--work", type=Path, default=None,
                        help="the workspace (default: ROOT/work)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    work = (args.work or root / "work").resolve()
    copied = update_workspace(root / "release", work)
    new = sorted({p.relative_to(work).parts[0] for p in copied})
    if new:
        print(f"workspace {work}: copied {len(copied)} file(s) of {', '.join(new)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
