"""Build temporary courses, students and submissions for the grading tests.

Nothing here writes into the repository: every course lives in a temporary folder.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
MISTAKES = REPO / "tests" / "mistakes"


# ---------------------------------------------------------------- nbgrader cells
def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_prediction(cell) -> bool:
    """A prediction (issue 27): an ungraded solution cell ``predict_*`` whose value an
    experiment prints beside its result. It earns no points and has no tests."""
    meta = nbgrader_meta(cell)
    ungraded_solution = meta.get("solution", False) and not meta.get("grade", False)
    return (cell.cell_type == "code" and ungraded_solution
            and meta.get("grade_id", "").startswith("predict_"))


def is_answer(cell) -> bool:
    """An autograded answer: a code cell with a solution that is not itself manually graded
    (and not a prediction, which carries no points)."""
    meta = nbgrader_meta(cell)
    ungraded_solution = meta.get("solution", False) and not meta.get("grade", False)
    return cell.cell_type == "code" and ungraded_solution and not is_prediction(cell)


def is_test(cell) -> bool:
    """An autograded test cell: graded, locked code without a solution."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution", False)


def grade_id(cell) -> str:
    return nbgrader_meta(cell)["grade_id"]


def tests_of(nb, answer_index: int) -> list[int]:
    """Indices of the test cells that check the answer cell at ``answer_index``.

    The rule (documented for authors in tools/README.md): the autograded test cells
    after the answer cell and before the next answer cell; if there are none
    (answers grouped before their tests), the first autograded test cell after it.
    """
    cells = nb.cells
    following = []
    for i in range(answer_index + 1, len(cells)):
        if is_answer(cells[i]):
            break
        if is_test(cells[i]):
            following.append(i)
    if following:
        return following
    later = [i for i in range(answer_index + 1, len(cells)) if is_test(cells[i])]
    return later[:1]


# ---------------------------------------------------------------- a tiny assignment
FIXTURE = "fixture_assignment"
FIXTURE_NOTEBOOK = "squares"


def _cell(kind: str, source: str, *, gid: str | None = None, solution=False, grade=False,
          points=0, locked=False):
    if kind == "code":
        cell = nbformat.v4.new_code_cell(source)
    else:
        cell = nbformat.v4.new_markdown_cell(source)
    if gid:
        meta = {"grade": grade, "grade_id": gid, "locked": locked, "schema_version": 3,
                "solution": solution, "task": False}
        if grade:
            meta["points"] = points
        cell.metadata["nbgrader"] = meta
    return cell


def fixture_notebook():
    """A two-question source notebook with solutions, visible and hidden tests (3 points)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [
        _cell("markdown", "# Squares\nA tiny assignment used only by the grading tests."),
        _cell("code", "import math"),
        _cell("code", "def square(x):\n    ### BEGIN SOLUTION\n    return x * x\n"
                      "    ### END SOLUTION",
              gid="square", solution=True),
        _cell("code", "assert square(3) == 9\n### BEGIN HIDDEN TESTS\n"
                      "from hidden_checks import record\n"
                      "record('square of a negative number', square(-2.5))\n"
                      "### END HIDDEN TESTS", gid="test_square", grade=True, points=2, locked=True),
        _cell("code", "def halve(x):\n    ### BEGIN SOLUTION\n    return x / 2\n"
                      "    ### END SOLUTION",
              gid="halve", solution=True),
        _cell("code", "assert halve(4) == 2\n### BEGIN HIDDEN TESTS\n"
                      "from hidden_checks import record\n"
                      "record('half of an odd number', halve(3))\n"
                      "### END HIDDEN TESTS", gid="test_halve", grade=True, points=1, locked=True),
    ]
    for i, cell in enumerate(nb.cells):  # fixed ids: two calls give the same notebook
        cell.id = f"cell-{i}"
    return nb


FIXTURE_MISTAKES = {
    "square__abs_keeps_sign.py": "# mistake: uses abs(x) * x, right for positive x only\n"
                                 "def square(x):\n    return abs(x) * x\n",
    "halve__integer_division.py": "# mistake: floor division, right for even numbers only\n"
                                  "def halve(x):\n    return x // 2\n",
}


# ---------------------------------------------------------------- courses
def new_course(root: Path, assignments: list[str] = (), *, fixture: bool = False) -> Path:
    """A course in ``root``: the repo's nbgrader_config.py and tools/, ``source/`` of
    ``assignments`` (and the fixture notebook if asked). No release/, no gradebook."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(REPO / "tools", root / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    for a in assignments:
        shutil.copytree(REPO / "source" / a, root / "source" / a,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    if fixture:
        (root / "source" / FIXTURE).mkdir(parents=True)
        nbformat.write(fixture_notebook(), root / "source" / FIXTURE / f"{FIXTURE_NOTEBOOK}.ipynb")
    return root


def notebooks(folder: Path) -> dict[str, Path]:
    """Notebook name (no extension) -> path, for the notebooks directly in ``folder``."""
    return {p.stem: p for p in sorted(folder.glob("*.ipynb"))}


# ---------------------------------------------------------------- students
def perfect(released, source):
    """The released notebook with every solution cell replaced by the source's solution."""
    nb = copy.deepcopy(released)
    solutions = {grade_id(c): c.source for c in source.cells if nbgrader_meta(c).get("solution")}
    for cell in nb.cells:
        if nbgrader_meta(cell).get("solution"):
            cell.source = solutions[grade_id(cell)]
    return nb


def first_answer(nb):
    return next(c for c in nb.cells if is_answer(c))


def first_code(nb):
    return next(c for c in nb.cells if c.cell_type == "code")


def with_first_answer_prefixed(nb, code: str):
    """A copy of ``nb`` with ``code`` run at the top of its first answer cell: what a
    student can do without touching any other cell (attacks and tricks start this way)."""
    nb = copy.deepcopy(nb)
    cell = first_answer(nb)
    cell.source = code + "\n" + cell.source
    return nb


def with_infinite_loop(released):
    """First answer cell never returns, burning CPU (only a timeout can stop it)."""
    nb = copy.deepcopy(released)
    first_answer(nb).source = "while True:\n    pass"
    return nb


def with_tests_replaced_by_pass(released):
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        if is_test(cell):
            cell.source = "pass"
    return nb


def with_tests_deleted(released):
    nb = copy.deepcopy(released)
    nb.cells = [c for c in nb.cells if not is_test(c)]
    return nb


def raising_at_import(released):
    nb = copy.deepcopy(released)
    cell = first_code(nb)
    cell.source = "import numpy_does_not_exist_here\n" + cell.source
    return nb


def printing_megabytes(released, megabytes: int = 3):
    """Prints one huge line and many short lines from the first answer cell."""
    nb = copy.deepcopy(released)
    cell = first_answer(nb)
    cell.source = (f"print('x' * {megabytes} * 1024 * 1024)\n"
                   f"for i in range(200_000):\n    print(i)\n" + cell.source)
    return nb


NOT_JSON = '{"cells": [ this is not JSON'


def submit(course: Path, student: str, assignment: str, notebook_name: str, nb_or_text) -> Path:
    """Place one notebook (a NotebookNode or raw text) in submitted/<student>/<assignment>/."""
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{notebook_name}.ipynb"
    if isinstance(nb_or_text, str):
        path.write_text(nb_or_text)
    else:
        nbformat.write(nb_or_text, path)
    return path


# ---------------------------------------------------------------- reading results
def gradebook_scores(course: Path, assignment: str) -> dict[str, dict[str, tuple]]:
    """student -> {grade_id: (auto_score, max_score)} for the autograded test cells."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions(assignment):
            cells = {}
            for nb in sub.notebooks:
                for g in nb.grades:
                    if g.cell_type == "code" and not g.needs_manual_grade:
                        cells[g.name] = (g.auto_score, g.max_score)
            out[sub.student.id] = cells
    return out


def read_json(path: Path):
    return json.loads(Path(path).read_text())
