"""Generate the student version (``release/``) from ``source/``, or check it is up to date.

    python -m tools.release [ASSIGNMENT ...]           regenerate release/<ASSIGNMENT>/
    python -m tools.release --check [ASSIGNMENT ...]   exit 1 if release/ is out of date

No ASSIGNMENT means every assignment in ``source/``. Generation is nbgrader's
``generate_assignment`` (solutions and hidden tests removed, test cells locked,
checksums recorded in the gradebook). ``--check`` generates into a temporary copy
of the course and compares every file with the committed ``release/``: notebooks as
parsed JSON (nothing ignored), other files byte for byte; CI runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from tools.course import REPO_ROOT, check_assignments, nbgrader_api, prepare_environment
from tools.errors import main_reports_errors


def generate(root: Path, assignments: list[str]) -> list[str]:
    """Run generate_assignment for each assignment in the course at ``root``; return errors."""
    prepare_environment(root)
    api = nbgrader_api()
    errors = []
    for a in assignments:
        result = api.generate_assignment(a, force=True, create=True)
        if not result["success"]:
            errors.append(f"{a}: generate_assignment failed:\n{result.get('error', '')}")
    return errors


def _files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*"))
            if p.is_file() and ".ipynb_checkpoints" not in p.parts and "__pycache__" not in p.parts}


def _notebook_difference(expected: dict, actual: dict) -> str:
    """A short description of where two notebook JSON documents first differ."""
    exp_cells, act_cells = expected.get("cells", []), actual.get("cells", [])
    if len(exp_cells) != len(act_cells):
        return f"{len(act_cells)} cells committed, {len(exp_cells)} generated"
    for i, (e, a) in enumerate(zip(exp_cells, act_cells)):
        if e != a:
            gid = e.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            keys = sorted(k for k in set(e) | set(a) if e.get(k) != a.get(k))
            return f"cell {i}{f' ({gid})' if gid else ''} differs in {', '.join(keys)}"
    keys = sorted(k for k in set(expected) | set(actual) if expected.get(k) != actual.get(k))
    return f"notebook differs in {', '.join(keys)}"


def compare(generated: Path, committed: Path) -> list[str]:
    """Differences between a freshly generated release folder and the committed one."""
    gen, com = _files(generated), _files(committed)
    problems = [f"missing from {committed}: {name}" for name in gen if name not in com]
    problems += [f"not produced by generation (stale?): {committed / name}"
                 for name in com if name not in gen]
    for name in sorted(set(gen) & set(com)):
        if name.endswith(".ipynb"):
            expected, actual = json.loads(gen[name].read_text()), json.loads(com[name].read_text())
            if expected != actual:
                problems.append(f"{committed / name}: {_notebook_difference(expected, actual)}")
        elif gen[name].read_bytes() != com[name].read_bytes():
            problems.append(f"{committed / name}: content differs")
    return problems


def check(root: Path, assignments: list[str]) -> list[str]:
    """Generate ``assignments`` into a temporary course and compare with ``root/release``."""
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="release-check-") as tmp:
        course = Path(tmp)
        shutil.copy(root / "nbgrader_config.py", course)
        shutil.copytree(root / "tools", course / "tools",
                        ignore=shutil.ignore_patterns("__pycache__"))
        for a in assignments:
            shutil.copytree(root / "source" / a, course / "source" / a,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        try:
            problems = generate(course, assignments)
        finally:
            os.chdir(cwd)  # generate() entered the temporary course, which is about to go
        for a in assignments:
            problems += compare(course / "release" / a, root / "release" / a)
    return problems


@main_reports_errors
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.release",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all in source/)")
    parser.add_argument("--check", action="store_true", help="compare instead of writing release/")
    parser.add_argument("--course-dir", default=str(REPO_ROOT),
                        help="course root (default: this repository)")
    args = parser.parse_args(argv)
    root = prepare_environment(args.course_dir)
    assignments = check_assignments(root, args.assignments)
    if args.check:
        problems = check(root, assignments)
        for p in problems:
            print(p)
        if problems:
            print("\nrelease/ is out of date: run `make release` (python -m tools.release) "
                  "and commit it.")
            return 1
        print(f"release/ is up to date for {', '.join(assignments) or 'no assignments'}.")
        return 0
    errors = generate(root, assignments)
    for e in errors:
        print(e, file=sys.stderr)
    if not errors:
        print(f"Generated release/ for {', '.join(assignments) or 'no assignments'}.")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
