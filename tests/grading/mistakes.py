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
   last test cell; at least one of its test cells must lose its points under the
   judge's rule (``tools/grading/judge.py``): it raises, or the records its hidden
   checks send differ from those the correct answer sent in step 1 (the reference
   run, here in the same kernel). The mistake itself
   must run without error (a mistake that crashes its own cell would leave the
   correct definitions in the kernel and prove nothing).
3. Restore: run the correct answer and the same cells again, then go on.

In the same pass, the VISIBLE catch rate (issue 18: what a student learns before
hand-in): in step 2, each of the answer's test cells is first run with its hidden
tests stripped (nbgrader's own ``ClearHiddenTests``, as ``generate_assignment`` does),
then in full. A mistake is caught visibly when one of the stripped test cells raises.
Running the stripped cell first is sound because it is the full cell minus the hidden
regions and the full cell then reruns from its start (a cell without hidden tests runs
once and counts for both); later visible cells see the state left by the full earlier
ones, which differs from a student's run only if hidden tests change objects that a
later test cell of the same answer reads. Only the answer's own test cells count, as
for the hidden proof (a later cell of another answer failing too is not credited).

This costs one notebook run plus a few cells per mistake, instead of one full
``nbgrader autograde`` per mistake. It is sound as long as the cells between an
answer and its tests do not mutate objects made *before* the answer in a way a
rerun cannot undo; if they do, step 3 shows it as "the correct solution fails
after restoring" and names the cell.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbgrader.preprocessors import ClearHiddenTests

from .builders import MISTAKES, REPO, grade_id, is_answer, is_test, tests_of

import sys  # noqa: E402

sys.path.insert(0, str(REPO))
from hidden_checks import MIME  # noqa: E402
from tools.grading.judge import is_real_and_tight, judge_cell  # noqa: E402


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
            problems.append(f"{m.path.name}: no autograded answer cell "
                            f"with grade_id {m.grade_id!r} "
                            f"(known: {', '.join(sorted(answers)) or 'none'})")
        if not m.source.startswith("# mistake:"):
            problems.append(f"{m.path.name}: first line must be '# mistake: <what is wrong>'")
    return problems


def records(cell) -> list[dict]:
    """What the cell's hidden checks recorded (``hidden_checks.record``), in order."""
    return [o["data"][MIME] for o in cell.get("outputs", [])
            if o.get("output_type") == "display_data" and MIME in o.get("data", {})]


def _errored(cell) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename')}: {out.get('evalue', '')}"[:200]
    return None


@dataclass
class Proof:
    """What one pass of :func:`prove_mistakes` found.

    Attributes:
        problems: why the proof fails (empty: every mistake loses points).
        visible: mistake file name -> whether the visible tests alone catch it.
    """
    problems: list[str] = field(default_factory=list)
    visible: dict[str, bool] = field(default_factory=dict)


def visible_cell(cell):
    """A copy of ``cell`` as students get it: hidden test regions removed by nbgrader."""
    cell = copy.deepcopy(cell)
    ClearHiddenTests().preprocess_cell(cell, {}, 0)
    return cell


def check_mistakes(notebook_path: Path, mistakes: list[Mistake], timeout: int = 120) -> list[str]:
    """Run the procedure of this module's docstring; return the problems found (empty: proven)."""
    return prove_mistakes(notebook_path, mistakes, timeout).problems


def prove_mistakes(notebook_path: Path, mistakes: list[Mistake], timeout: int = 120) -> Proof:
    """Run the procedure of this module's docstring once: hidden proof and visible catches."""
    nb = nbformat.read(notebook_path, as_version=4)
    by_cell: dict[str, list[Mistake]] = {}
    for m in mistakes:
        by_cell.setdefault(m.grade_id, []).append(m)
    answers = answer_cells(nb)
    # Index of the last test cell of an answer -> the answers whose mistakes are tried there.
    checkpoints: dict[int, list[int]] = {}
    proof = Proof()
    problems = proof.problems
    for gid, index in answers.items():
        tests = tests_of(nb, index)
        if not tests:
            problems.append(f"answer cell {gid} has no autograded test cell after it")
        elif gid in by_cell:
            checkpoints.setdefault(tests[-1], []).append(index)

    # nbclient stores each executed cell into ITS notebook (nb.cells[index] = cell): give
    # it a copy, so that running a stripped test cell never replaces the full one here.
    client = NotebookClient(copy.deepcopy(nb), timeout=timeout, kernel_name="python3",
                            allow_errors=True,
                            resources={"metadata": {"path": str(notebook_path.parent)}})

    def run(cell, index):
        cell = copy.deepcopy(cell)
        client.execute_cell(cell, index)
        return cell

    reference: dict[int, list[dict]] = {}  # test cell index -> the correct answers' records
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            done = run(cell, index)
            if is_test(cell):
                reference[index] = records(done)
                if err := _errored(done):
                    problems.append(f"the solution fails test cell {grade_id(cell)}: {err}")
                elif not any(is_real_and_tight(r) for r in reference[index]):
                    problems.append(f"test cell {grade_id(cell)} records no real number at a "
                                    "tight tolerance (its hidden checks could be guessed)")
            for answer_index in checkpoints.get(index, []):
                problems += _try_mistakes(nb, answer_index, index, by_cell, run, proof.visible,
                                          reference)
    return proof


def loses_points(cell, reference: list[dict]) -> bool:
    """The judge's rule: a test cell loses its points when it raises or its records differ."""
    return _errored(cell) is not None or not judge_cell(reference, records(cell)).passed


def _try_mistakes(nb, answer_index: int, last_test: int, by_cell, run, visible,
                  reference) -> list[str]:
    """Steps 2 and 3 of the module docstring for one answer cell; fills ``visible``."""
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
        caught = seen = False
        for i in span:
            stripped = visible_cell(nb.cells[i]) if i in test_ids else None
            if stripped is not None and stripped.source != nb.cells[i].source:
                seen = seen or _errored(run(stripped, i)) is not None
            full = run(nb.cells[i], i)
            failed = _errored(full) is not None
            caught = caught or (i in test_ids and loses_points(full, reference[i]))
            if stripped is not None and stripped.source == nb.cells[i].source:
                # no hidden tests in this cell: the full run is the visible one
                seen = seen or failed
        visible[m.path.name] = seen
        if not caught:
            problems.append(f"{m.path.name}: NOT caught, every test cell of "
                            f"{grade_id(answer)} passes with this mistake")
        run(answer, answer_index)  # restore the correct state
        for i in span:
            again = run(nb.cells[i], i)
            if i in test_ids and loses_points(again, reference[i]):
                err = _errored(again) or "its records differ from the first run"
                problems.append(f"the solution fails test cell {grade_id(nb.cells[i])} after "
                                f"restoring from {m.path.name} (state leaked): {err}")
    return problems


@functools.cache
def assignment_proof(assignment: str) -> Proof:
    """:func:`prove_mistakes` over every notebook of ``source/<assignment>``, once per process.

    The hidden proof and the visible catch rate are two tests of one kernel pass; both
    carry the same xdist group, so they run in the same worker and share this result.
    """
    mistakes = assignment_mistakes(assignment)
    total = Proof()
    for path in sorted((REPO / "source" / assignment).glob("*.ipynb")):
        cells = set(answer_cells(nbformat.read(path, as_version=4)))
        proof = prove_mistakes(path, [x for x in mistakes if x.grade_id in cells])
        total.problems.extend(proof.problems)
        total.visible.update(proof.visible)
    return total
