"""Plausible wrong students: ``tests/mistakes/<assignment>/<grade_id>__<slug>.py``.

Each file is the complete replacement source of the answer cell ``<grade_id>``
(first line ``# mistake: <what is wrong>``). ``check_mistakes`` proves that each
one loses points, cheaply, in ONE kernel:

1. Run the source notebook (solutions and hidden tests) cell by cell, as autograde
   would. Every autograded test cell must pass (the perfect student).
2. Right after the last test cell of an answer cell (the tests of an answer cell are
   the autograded test cells after it and before the next answer cell; if there are
   none, the first autograded test cell after it), for each mistake of that cell:
   run the mistake in place of the answer, then every cell from the answer to its
   last test cell; at least one of its test cells must raise. The mistake itself
   must run without error (a mistake that crashes its own cell would leave the
   correct definitions in the kernel and prove nothing).
3. Restore: run the correct answer and the same cells again, then go on.

This costs one notebook run plus a few cells per mistake, instead of one full
``nbgrader autograde`` per mistake. It is sound as long as the cells between an
answer and its tests do not mutate objects made *before* the answer in a way a
rerun cannot undo; if they do, step 3 shows it as "the correct solution fails
after restoring" and names the cell.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .builders import MISTAKES, grade_id, is_answer, is_test, tests_of


@dataclass(frozen=True)
class Mistake:
    grade_id: str
    slug: str
    path: Path

    @property
    def source(self) -> str:
        return self.path.read_text()


def mistake_files(folder: Path) -> list[Mistake]:
    """Every ``<grade_id>__<slug>.py`` in ``folder``; a badly named file raises ValueError."""
    found = []
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        gid, sep, slug = path.stem.partition("__")
        if not sep or not gid or not slug:
            raise ValueError(f"{path}: name must be <grade_id>__<slug>.py")
        found.append(Mistake(gid, slug, path))
    return found


def assignment_mistakes(assignment: str) -> list[Mistake]:
    return mistake_files(MISTAKES / assignment)


def answer_cells(nb) -> dict[str, int]:
    """grade_id -> index of each autograded answer code cell."""
    return {grade_id(c): i for i, c in enumerate(nb.cells) if is_answer(c)}


def coverage_problems(notebooks: dict[str, object], mistakes: list[Mistake],
                      assignment: str = "<assignment>") -> list[str]:
    """Answer cells without a mistake file, mistake files naming no answer cell, bad headers.

    ``notebooks`` maps notebook name -> source notebook of one assignment.
    """
    answers = {}
    for name, nb in notebooks.items():
        for gid in answer_cells(nb):
            answers[gid] = name
    named = {m.grade_id for m in mistakes}
    problems = [f"answer cell {gid} ({name}.ipynb) has no mistake file "
                f"tests/mistakes/{assignment}/{gid}__<slug>.py"
                for gid, name in sorted(answers.items()) if gid not in named]
    for m in mistakes:
        if m.grade_id not in answers:
            problems.append(f"{m.path.name}: no autograded answer cell with grade_id {m.grade_id!r} "
                            f"(known: {', '.join(sorted(answers)) or 'none'})")
        if not m.source.startswith("# mistake:"):
            problems.append(f"{m.path.name}: first line must be '# mistake: <what is wrong>'")
    return problems


def _errored(cell) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename')}: {out.get('evalue', '')}"[:200]
    return None


def check_mistakes(notebook_path: Path, mistakes: list[Mistake], timeout: int = 120) -> list[str]:
    """Run the procedure of this module's docstring; return the problems found (empty: proven)."""
    nb = nbformat.read(notebook_path, as_version=4)
    by_cell: dict[str, list[Mistake]] = {}
    for m in mistakes:
        by_cell.setdefault(m.grade_id, []).append(m)
    answers = answer_cells(nb)
    # Index of the last test cell of an answer -> the answers whose mistakes are tried there.
    checkpoints: dict[int, list[int]] = {}
    problems = []
    for gid, index in answers.items():
        tests = tests_of(nb, index)
        if not tests:
            problems.append(f"answer cell {gid} has no autograded test cell after it")
        elif gid in by_cell:
            checkpoints.setdefault(tests[-1], []).append(index)

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(notebook_path.parent)}})

    def run(cell, index):
        cell = copy.deepcopy(cell)
        client.execute_cell(cell, index)
        return cell

    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            done = run(cell, index)
            if is_test(cell) and (err := _errored(done)):
                problems.append(f"the solution fails test cell {grade_id(cell)}: {err}")
            for answer_index in checkpoints.get(index, []):
                problems += _try_mistakes(nb, answer_index, index, by_cell, run)
    return problems


def _try_mistakes(nb, answer_index: int, last_test: int, by_cell, run) -> list[str]:
    """Steps 2 and 3 of the module docstring for one answer cell."""
    problems = []
    answer = nb.cells[answer_index]
    span = [i for i in range(answer_index + 1, last_test + 1) if nb.cells[i].cell_type == "code"]
    test_ids = set(tests_of(nb, answer_index))
    for m in by_cell[grade_id(answer)]:
        wrong = copy.deepcopy(answer)
        wrong.source = m.source
        if err := _errored(run(wrong, answer_index)):
            problems.append(f"{m.path.name}: the mistake itself raises ({err}); "
                            "make it define something wrong, not crash")
        caught = False
        for i in span:
            ran = run(nb.cells[i], i)
            caught = caught or (i in test_ids and _errored(ran) is not None)
        if not caught:
            problems.append(f"{m.path.name}: NOT caught, every test cell of "
                            f"{grade_id(answer)} passes with this mistake")
        run(answer, answer_index)  # restore the correct state
        for i in span:
            again = run(nb.cells[i], i)
            if i in test_ids and (err := _errored(again)):
                problems.append(f"the solution fails test cell {grade_id(nb.cells[i])} after "
                                f"restoring from {m.path.name} (state leaked): {err}")
    return problems
