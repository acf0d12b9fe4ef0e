"""Grade a class of healthy and hostile students with the real instructor command.

``grade_class`` builds a temporary course for one assignment, submits the students
below, runs ``python -m tools.grading`` (nbgrader autograde + feedback + CSV) ONCE
for all of them, and returns what an instructor would see plus the gradebook.
``class_problems`` lists everything that is not as it must be.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import builders as b

sys.path.insert(0, str(b.REPO))
from tools.course import subprocess_env  # noqa: E402

MAX_AUTOGRADED_BYTES = 1_000_000  # a printed 3 MB string must not survive grading

HEALTHY = ("perfect", "untouched")


@dataclass
class ClassRun:
    course: Path
    assignment: str
    returncode: int
    stdout: str
    stderr: str
    scores: dict  # student -> {test grade_id: (auto_score, max_score)}
    full: bool  # see submit_class

    def status(self, student: str) -> str:
        for line in self.stdout.splitlines():
            if line.split(" ", 1)[0] == student:
                return line
        return f"<no summary line for {student}>"

    def csv_rows(self) -> dict[str, dict]:
        path = self.course / "autograded" / "grades.csv"
        with path.open() as fh:
            return {r["student_id"]: r for r in csv.DictReader(fh)
                    if r["assignment"] == self.assignment}


def submit_class(course: Path, assignment: str, full: bool) -> list[str]:
    """Submit every student of the class for every notebook of ``assignment``.

    ``full`` (the fixture assignment): also a student whose first answer loops forever
    burning CPU, and the deleted-tests student starts from the perfect notebook (so
    re-added tests must give full marks). Otherwise (real assignments, where a perfect
    run costs up to 30 s) the deleted-tests student starts from the untouched notebook.
    """
    students = {}
    for name, release_path in b.notebooks(course / "release" / assignment).items():
        released = nbformat.read(release_path, as_version=4)
        source = nbformat.read(course / "source" / assignment / f"{name}.ipynb", as_version=4)
        perfect = b.perfect(released, source)
        students = {
            "perfect": perfect,
            "untouched": released,
            "not_json": b.NOT_JSON,
            "edited_tests": b.with_tests_replaced_by_pass(released),
            "deleted_tests": b.with_tests_deleted(perfect if full else released),
            "import_error": b.raising_at_import(released),
            "prints_megabytes": b.printing_megabytes(released),
        }
        if full:
            students["loops_forever"] = b.with_infinite_loop(released)
        for student, nb in students.items():
            b.submit(course, student, assignment, name, nb)
    return list(students)


def run_grade(course: Path, assignment: str, *args: str,
              timeout: float = 1200) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tools.grading", assignment, "--course-dir", str(course), *args],
        cwd=course, env=subprocess_env({"MPLBACKEND": "Agg"}), capture_output=True, text=True,
        timeout=timeout)


def grade_class(course: Path, assignment: str, *, full: bool, cell_timeout: int | None = None,
                release_from: Path | None = None) -> ClassRun:
    """Release (copy the committed release/ or generate it), submit the class, grade it.

    ``cell_timeout`` None: the course's own nbgrader_config.py (120 s per cell).
    """
    if release_from is not None:
        shutil.copytree(release_from / assignment, course / "release" / assignment)
    else:
        gen = subprocess.run([sys.executable, "-m", "tools.release", assignment,
                              "--course-dir", str(course)],
                             cwd=course, env=subprocess_env(), capture_output=True, text=True)
        assert gen.returncode == 0, gen.stdout + gen.stderr
    submit_class(course, assignment, full)
    args = [f"--Execute.timeout={cell_timeout}"] if cell_timeout else []
    proc = run_grade(course, assignment, *args)
    return ClassRun(course, assignment, proc.returncode, proc.stdout, proc.stderr,
                    b.gradebook_scores(course, assignment), full)


def class_problems(run: ClassRun) -> list[str]:
    """Everything that is not exactly as the issue requires, as readable sentences."""
    p = []
    scores = run.scores

    def cells(student):
        return scores.get(student, {})

    def expect_all(student, want: str):
        got = cells(student)
        if not got:
            p.append(f"{student}: no grades recorded at all ({run.status(student)})")
        for gid, (score, maximum) in got.items():
            target = maximum if want == "full" else 0.0
            if score != target:
                p.append(f"{student}: {gid} scored {score} of {maximum}, expected {target}")

    if run.returncode != 1:
        p.append(f"tools.grading exited {run.returncode}, expected 1 (one broken submission)")
    if "1 FAILED: not_json" not in run.stdout:
        p.append("summary does not name not_json as the one failure")
    if "FAILED" not in run.status("not_json") or "JSON" not in run.status("not_json"):
        p.append(f"not_json not reported with a reason: {run.status('not_json')}")
    graded = ["perfect", "untouched", "edited_tests", "deleted_tests", "import_error",
              "prints_megabytes"]
    graded += ["loops_forever"] if run.full else []
    for student in graded:
        if "graded" not in run.status(student) or "FAILED" in run.status(student):
            p.append(f"{student} was not graded: {run.status(student)}")

    expect_all("perfect", "full")
    for student in HEALTHY:  # nothing to report about a correct or an untouched notebook
        if "(" in run.status(student):
            p.append(f"{student} student has warnings: {run.status(student)}")
    for student in graded[1:]:
        if student != "deleted_tests":
            expect_all(student, "zero")
    expect_all("deleted_tests", "full" if run.full else "zero")
    if set(cells("deleted_tests")) != set(cells("perfect")):
        p.append("deleted_tests: graded cells differ from perfect's: "
                 f"{sorted(cells('deleted_tests'))} vs {sorted(cells('perfect'))}")

    expected_notes = [("edited_tests", "was edited (restored)"),
                      ("deleted_tests", "was deleted (restored)"),
                      ("prints_megabytes", "output truncated"),
                      ("import_error", "raised ModuleNotFoundError")]
    expected_notes += [("loops_forever", "timed out")] if run.full else []
    for student, words in expected_notes:
        if words not in run.status(student):
            p.append(f"{student}: status does not say '{words}': {run.status(student)}")

    for path in (run.course / "autograded" / "prints_megabytes" / run.assignment).glob("*.ipynb"):
        if path.stat().st_size > MAX_AUTOGRADED_BYTES:
            p.append(f"{path.name} of prints_megabytes is {path.stat().st_size} bytes "
                     "after grading")

    feedback = run.course / "feedback"
    for student in scores:
        has = any((feedback / student / run.assignment).glob("*.html"))
        if has != (student != "not_json"):
            p.append(f"{student}: feedback HTML {'present' if has else 'missing'}")
    rows = run.csv_rows()
    for student, cells_ in scores.items():
        total = sum(s or 0 for s, _ in cells_.values())
        if student not in rows or float(rows[student]["score"]) != total:
            p.append(f"{student}: CSV score {rows.get(student, {}).get('score')} "
                     f"!= gradebook {total}")
    return p
