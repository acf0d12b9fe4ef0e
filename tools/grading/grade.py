"""Grade one assignment in one command: autograde, feedback HTML, grades CSV, summary.

    python -m tools.grading ASSIGNMENT [--student ID ...] [--force] [--csv PATH] [--jobs N]
                          [--course-dir DIR] [--Execute.timeout=SECONDS ...]

For every ``submitted/<student>/ASSIGNMENT/`` it runs nbgrader's own autograder
(``NbGraderAPI.autograde``, what formgrader uses) for each student separately, so
one broken submission never stops the others. ``--jobs N`` grades N students at
once, in N worker processes (default: one per core); the results are the
same as with ``--jobs 1``, and the gradebook's short write sessions take turns
(``tools/grading/gradebook_lock.py`` says why SQLite's own timeout is not enough). Then
it writes feedback HTML to ``feedback/`` for every graded student, exports the
whole gradebook to a CSV (default ``autograded/grades.csv``, out of git; written
once, atomically, after every student is done) and prints, from that same
export, one line per student: score, maximum and status. Statuses:

  graded                 autograded normally
  graded (...)           autograded, with what happened: a cell timed out, a
                         locked test cell was edited or deleted (nbgrader put the
                         instructor's copy back), output was truncated, a setup
                         cell (before the first answer) raised, e.g. a bad import,
                         a sandbox limit was hit (memory, processes, file size,
                         disk, the notebook's time budget) or the kernel died;
                         ``REVIEW: ...`` when a tamper check hit (tools/grading/tamper.py,
                         every finding in ``autograded/review.csv``)
  skipped                already autograded and not resubmitted since (use --force)
  FAILED: reason         nbgrader could not grade it (e.g. not valid JSON); the
                         gradebook keeps whatever grade it had before

Exit status: 0 when every submission was graded, 1 when any FAILED (printed only
after all others were graded, feedback written and the CSV exported), 2 on usage
errors or when the sandbox cannot work here (tools/grading/sandbox.py; ``--unsandboxed``
grades anyway, with a warning above the table). Grades are never lost: without
--force nbgrader skips submissions it has already graded, a failed regrade leaves
earlier grades in place, and a copy of the gradebook is saved to
``autograded/gradebook-backup.db`` before anything runs.
Arguments of the form ``--Class.trait=value`` are passed to nbgrader as config.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import functools
import multiprocessing
import os
import re
import sqlite3
import stat
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tools.errors import USAGE, ToolError, main_reports_errors
from tools.course import REPO_ROOT, check_assignments, nbgrader_api, prepare_environment
from tools.grading import deadlines, intake, metadata, reference, sandbox, tamper
from tools.grading.feedback import secure_folder
from tools.release_feedback import describe as describe_written
from tools.release_feedback import ungraded_written_answers
from tools.grading.gradebook_lock import serialize_gradebook_sessions

TIMEOUT_ENAME = "CellTimeoutError"


@dataclass
class Outcome:
    """What happened to one student's submission."""

    student: str
    failed: str = ""  # the reason, when nbgrader could not grade it
    skipped: bool = False
    notes: list[str] = field(default_factory=list)
    findings: list[tamper.Finding] = field(default_factory=list)  # reasons to REVIEW
    score: float | None = None
    max_score: float | None = None

    @property
    def status(self) -> str:
        if self.failed:
            return f"FAILED: {self.failed}"
        if self.skipped:
            return "skipped (already graded; --force regrades)"
        notes = self.notes + review_notes(self.findings)
        return "graded" + (f" ({'; '.join(notes)})" if notes else "")


def review_notes(findings: list[tamper.Finding], shown: int = 2) -> list[str]:
    """The first findings as ``REVIEW: ...`` notes; the rest are counted (all are in review.csv)."""
    notes = [f.note() for f in findings[:shown]]
    if len(findings) > shown:
        notes.append(f"REVIEW: {len(findings) - shown} more in autograded/review.csv")
    return notes


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m tools.grading", description=__doc__.split("\n\n")[0],
        epilog="Any --Class.trait=value argument is passed on to nbgrader as config.")
    parser.add_argument("assignment", help="assignment id, a folder of source/")
    parser.add_argument("--student", action="append", default=[],
                        help="grade only this student (repeatable); default: every submission")
    parser.add_argument("--force", action="store_true",
                        help="regrade submissions that were already autograded")
    parser.add_argument("--csv", default=None,
                        help="where to export the grades CSV (default: autograded/grades.csv)")
    parser.add_argument("--unsandboxed", action="store_true",
                        help="run student code WITHOUT the sandbox (as you, with your files and "
                             "network); only where the sandbox cannot work")
    parser.add_argument("--course-dir", default=str(REPO_ROOT),
                        help="course root (default: this repository)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="students graded at once, each in its own process "
                             "(default: one per core)")
    args, rest = parser.parse_known_args(argv)
    bad = [a for a in rest if not re.fullmatch(r"--[A-Za-z_]\w*\.\w+=.*", a)]
    if bad:
        parser.error(f"unrecognized arguments: {' '.join(bad)} "
                     "(nbgrader config must be --Class.trait=value)")
    args.nbgrader_config = rest
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs must be a whole number >= 1 (got {args.jobs})")
    return args


def available_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than exist)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def submitted_students(root: Path, assignment: str) -> list[str]:
    return sorted(p.parent.name for p in (root / "submitted").glob(f"*/{assignment}") if p.is_dir())


def backup_gradebook(root: Path) -> Path | None:
    """Copy gradebook.db (consistently, via SQLite's backup API) before grading changes it."""
    db = root / "gradebook.db"
    if not db.exists():
        return None
    target = root / "autograded" / "gradebook-backup.db"
    target.parent.mkdir(exist_ok=True)
    with sqlite3.connect(db) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


GRADING_OUTPUTS = ("gradebook.db", "gradebook.db.lock", "autograded", "feedback")


def hand_back(root: Path) -> None:
    """When root grades a course that belongs to someone else, give back what grading wrote.

    The sandbox needs root (to run each notebook as a uid of its own), but on a shared
    server the course root belongs to the instructor (e.g. the course hub's
    ``/srv/dpcourse/course``), whose formgrader must go on writing the gradebook and
    releasing feedback. So the gradebook and everything under ``autograded/`` and
    ``feedback/`` get the course root's owner and group. When the course root is
    group-writable (the hub's, 2770: its instructors' group grades together, e.g. a
    teaching assistant beside the instructor), they are made group-writable too,
    folders setgid, so every member can go on. Nothing happens when the grader is not
    root or owns the course root. Symbolic links are neither followed nor changed.
    """
    info = root.stat()
    if os.geteuid() != 0 or info.st_uid == 0:
        return
    shared = bool(info.st_mode & stat.S_IWGRP)
    for name in GRADING_OUTPUTS:
        top = root / name
        if not top.exists() or top.is_symlink():
            continue
        paths = [top] + (list(top.rglob("*")) if top.is_dir() else [])
        for path in paths:
            if path.is_symlink():
                continue
            os.chown(path, info.st_uid, info.st_gid, follow_symlinks=False)
            if shared:
                mode = stat.S_IMODE(path.lstat().st_mode)
                extra = (stat.S_ISGID | stat.S_IRWXG) if path.is_dir() else (
                    stat.S_IRGRP | stat.S_IWGRP)
                os.chmod(path, mode | extra)


def planted_links(root: Path) -> list[Path]:
    """Symbolic links where grading as root would write into someone else's course.

    On the hub the grading service (root) grades a course root that its instructors
    can write; a link planted in ``autograded/`` or ``feedback/`` (or as the gradebook
    or its journal) would point root's writes anywhere. Empty when the grader is not
    root or owns the course root. It is checked before grading starts; it does not stop
    an instructor who plants one while grading runs (tools/README.md).
    """
    info = root.stat()
    if os.geteuid() != 0 or info.st_uid == 0:
        return []
    found = []
    for name in (*GRADING_OUTPUTS, "gradebook.db-journal", "gradebook.db-wal", intake.FOLDER):
        top = root / name
        if top.is_symlink():
            found.append(top)
        elif top.is_dir():
            found += sorted(p for p in top.rglob("*") if p.is_symlink())
    return found


def sync_gradebook(api, assignment: str) -> None:
    """Record the source notebooks' cells, points and checksums in the gradebook.

    autograde needs them (to restore locked cells and to know the points), and a
    fresh clone has no gradebook. nbgrader stores them when it generates the student
    version; we generate into a throw-away folder so ``release/`` is left alone.
    """
    with tempfile.TemporaryDirectory() as tmp:
        saved = api.coursedir.release_directory
        api.coursedir.release_directory = tmp
        try:
            result = api.generate_assignment(assignment, force=True, create=True)
        finally:
            api.coursedir.release_directory = saved
    if not result["success"]:
        raise ToolError(f"nbgrader could not read source/{assignment}:\n"
                        f"{result.get('error', '')}")


def last_error_line(text: str) -> str:
    """The exception line of a traceback (``NotJSONError: ...``), shortened for a table."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    exception_lines = [ln for ln in lines if re.match(r"^[\w.]+(Error|Exception|Exit)\b", ln)
                       or re.match(r"^(?:[a-z_]\w*\.)+[A-Z]\w*: ", ln)]  # pkg.InvalidNotebook: ...
    # nbgrader's own wrapper ("... see the above traceback ...") says nothing: the cause
    # is the exception before it
    real = [ln for ln in exception_lines
            if "NbGraderException" not in ln and "above traceback" not in ln]
    exception_lines = real or exception_lines
    line = (exception_lines or lines or ["unknown error"])[-1]
    return line if len(line) <= 160 else line[:157] + "..."


@functools.lru_cache(maxsize=32)
def _read_instructor_notebook(path: Path, mtime: float):
    """A released or source notebook, read once per run (``mtime`` keys a changed file)."""
    return nbformat.read(path, as_version=4)


def instructor_notebook(path: Path):
    """The notebook at ``path`` (release/ or source/), or None when there is none."""
    return _read_instructor_notebook(path, path.stat().st_mtime) if path.exists() else None


def _locked_sources(nb) -> dict[str, str]:
    out = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("locked") and not meta.get("solution") and "grade_id" in meta:
            out[meta["grade_id"]] = cell.source
    return out


def locked_cell_edits(submitted: Path, released, source=None) -> list[str]:
    """grade_ids of locked cells whose submitted source is neither the released nor the
    instructor's source version (a student may submit the source notebook as is).

    ``released`` and ``source`` are notebooks (read once per run by the caller)."""
    try:
        sub = nbformat.read(submitted, as_version=4)
    except Exception:  # unreadable: nbgrader reports it  # noqa: BLE001
        return []
    sub_locked, src_locked = _locked_sources(sub), _locked_sources(source or released)
    return [gid for gid, text in _locked_sources(released).items()
            if gid in sub_locked and sub_locked[gid] not in (text, src_locked.get(gid))]


def setup_errors(nb) -> list[str]:
    """Errors raised before the first answer cell (imports, data loading): not the student's
    unfinished work, so worth a look (e.g. an import the student added that does not exist)."""
    found = []
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            break
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue  # an error the author shows on purpose (nbval's tag)
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error" and out.get("ename") != TIMEOUT_ENAME:
                found.append(f"setup cell #{index} raised {out.get('ename')}")
    return found


def timed_out_cells(nb) -> list[str]:
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and any(o.get("ename") == TIMEOUT_ENAME
                                            for o in cell.get("outputs", [])):
            found.append(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", f"#{index}"))
    return found


def describe(root: Path, assignment: str, outcome: Outcome, name: str, nb, limits=None,
             submitted_dir: Path | None = None) -> None:
    """Add to ``outcome.notes`` what happened to one graded notebook ``nb`` (read once).

    ``submitted_dir``: the folder autograde read (the intake), never a student's own."""
    outcome.notes += [f"{name}: {e}" for e in setup_errors(nb)]
    outcome.notes += sandbox.limit_notes(nb, limits, name)
    for gid in timed_out_cells(nb):
        outcome.notes.append(f"{name}: cell {gid} timed out")
    cuts = metadata.truncations(nb)
    if cuts:
        more = f" and {len(cuts) - 2} more" if len(cuts) > 2 else ""
        outcome.notes.append(f"{name}: output truncated ({'; '.join(cuts[:2])}{more})")
    released = instructor_notebook(root / "release" / assignment / f"{name}.ipynb")
    if released is not None:
        source = instructor_notebook(root / "source" / assignment / f"{name}.ipynb")
        submitted = (submitted_dir or root / "submitted" / outcome.student / assignment
                     ) / f"{name}.ipynb"
        for gid in locked_cell_edits(submitted, released, source):
            outcome.notes.append(f"{name}: locked cell {gid} was edited (restored)")


def describe_log(outcome: Outcome, log: str) -> None:
    """Add to ``outcome.notes`` what nbgrader's log says it repaired or missed."""
    for gid in re.findall(r"Missing grade cell (\S+) encountered", log):
        outcome.notes.append(f"test cell {gid} was deleted (restored)")
    for name in re.findall(r"No submitted file: (\S+)", log):
        outcome.notes.append(f"missing notebook {Path(name).name} (scored 0)")


def export_csv(api, path: Path, assignment: str, outcomes: list[Outcome]) -> None:
    """Export the whole gradebook (nbgrader's CSV plugin) to ``path`` atomically, and take
    each outcome's score and maximum from the exported rows, so that the summary table
    shows exactly what the CSV says.

    The export goes to a temporary file beside ``path`` that replaces it only when
    complete: a reader never sees a half-written CSV, and a crash leaves the old one.
    """
    from nbgrader.plugins import CsvExportPlugin

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with api.gradebook as gb:
            CsvExportPlugin(parent=api, to=str(tmp)).export(gb)
        with tmp.open(newline="") as fh:
            rows = {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == assignment}
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    for o in outcomes:
        row = rows.get(o.student)
        never_graded = o.failed and (row or {}).get("timestamp") in (None, "", "None")
        if row and not never_graded:  # a failed regrade shows the grade the CSV still holds
            o.score, o.max_score = float(row["score"]), float(row["max_score"])


def summary_table(outcomes: list[Outcome]) -> str:
    def fmt(x):
        return "-" if x is None else f"{x:g}"
    rows = [("student", "score", "max", "status")] + [
        (o.student, fmt(o.score), fmt(o.max_score), o.status) for o in outcomes]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}"
                     for r in rows)


def grade_student(api, root: Path, assignment: str, student: str, force: bool) -> Outcome:
    """Everything done for one student: autograde, what happened (sandbox limits hit,
    tamper findings), feedback HTML.

    The unit of work of both the serial and the parallel run (so a run with --jobs N
    gives the same results as --jobs 1); it reads and writes only this student's
    folders and, in short sessions, the gradebook. Each graded notebook is read once.
    """
    outcome = Outcome(student)
    # --- intake hook (tools/grading/intake.py): nbgrader reads a clean copy of the
    # submission (regular files the assignment expects, notebooks repaired), never
    # submitted/ itself, so nothing running as root follows a student's link.
    taken = intake.take(root, assignment, student, api.config)
    try:
        outcome.notes += taken.notes
        if taken.failed:
            outcome.failed = taken.failed
            return outcome
        _grade_taken(api, root, assignment, student, force, outcome, taken)
    finally:
        intake.release(root, student)
    return outcome


def _grade_taken(api, root: Path, assignment: str, student: str, force: bool, outcome: Outcome,
                 taken: intake.Taken) -> None:
    # --- deadlines hook (deadlines.py): due date and extension in nbgrader's own fields
    dates = deadlines.read(root)
    if dates.due.get(assignment):
        with api.gradebook as gb:
            gb.update_or_create_student(student)
            deadlines.apply(gb, dates, assignment, student)
    saved = api.coursedir.submitted_directory
    api.coursedir.submitted_directory = intake.FOLDER
    try:
        result = api.autograde(assignment, student, force=force, create=True)
    finally:
        api.coursedir.submitted_directory = saved
    log = result.get("log", "")
    if not result["success"]:
        outcome.failed = last_error_line(result.get("error", "") + "\n" + log)
    elif "Skipping existing assignment" in log:
        outcome.skipped = True
    else:
        limits = sandbox.Sandbox(config=api.config)
        for path in sorted((root / "autograded" / student / assignment).glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            describe(root, assignment, outcome, path.stem, nb, limits, taken.folder)
            outcome.findings += tamper.review_notebook(root, assignment, path.stem, nb,
                                                      api.config)
        describe_log(outcome, log)
        if dates.due.get(assignment):
            with api.gradebook as gb:
                outcome.notes += [n for n in [deadlines.late_note(gb, assignment, student)] if n]
        outcome.findings += taken.findings  # importable and left-out files
        feedback = api.generate_feedback(assignment, student, force=True)
        if not feedback["success"]:
            outcome.notes.append("no feedback: " + last_error_line(feedback.get("error", "")))
        else:  # --- page hook (feedback.py): runs and fetches nothing from a student
            outcome.notes += secure_folder(root / "feedback" / student / assignment)


_worker: dict = {}


def log_warnings(path: Path) -> None:
    """Python warnings of this process (nbgrader's SQLAlchemy warnings) go to ``path``,
    with the kernels' banners (``Sandbox.log_file``), not above the summary table."""
    import warnings

    def show(message, category, filename, lineno, file=None, line=None):
        with open(path, "a") as fh:
            fh.write(warnings.formatwarning(message, category, filename, lineno, line))

    warnings.showwarning = show


def _start_worker(root: str, overrides: list[str]) -> None:
    """Initializer of a worker process: its own nbgrader, loaded once for all its students."""
    course = prepare_environment(root)
    log_warnings(course / "autograded" / "grading.log")
    serialize_gradebook_sessions(course / "gradebook.db")
    _worker.update(root=course, api=nbgrader_api(overrides))


def _grade_in_worker(assignment: str, student: str, force: bool) -> Outcome:
    return grade_student(_worker["api"], _worker["root"], assignment, student, force)


class Progress:
    """Prints students done / total, elapsed time and an estimate of the time left."""

    def __init__(self, total: int, jobs: int):
        self.total, self.done, self.start = total, 0, time.monotonic()
        print(f"grading {total} submission(s), {jobs} at a time", file=sys.stderr, flush=True)

    def finished(self, outcome: Outcome) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.start
        left = elapsed / self.done * (self.total - self.done)
        print(f"[{self.done}/{self.total}] {outcome.student}: {outcome.status}  "
              f"({elapsed:.0f} s elapsed, about {left:.0f} s left)", file=sys.stderr, flush=True)


def grade_students(root: Path, assignment: str, students: list[str], force: bool,
                   overrides: list[str], jobs: int, api) -> list[Outcome]:
    """Grade ``students`` ``jobs`` at a time; outcomes in the order of ``students``.

    With one job everything runs in this process. With more, ``jobs`` worker processes
    (spawned, not forked: a fork would share this process's open gradebook
    connection) each load nbgrader once and grade one student after another, as the
    serial run does; students graded at the same time are always in different
    processes, and each student's code runs in a kernel of its own either way. If a
    worker dies (nbgrader itself, not a kernel), the pool stops and every student not
    yet graded is reported FAILED; the next run grades them.
    """
    serialize_gradebook_sessions(root / "gradebook.db")
    progress = Progress(len(students), jobs)
    if jobs <= 1:
        outcomes = []
        for student in students:
            outcomes.append(grade_student(api, root, assignment, student, force))
            progress.finished(outcomes[-1])
        return outcomes
    results: dict[str, Outcome] = {}
    with concurrent.futures.ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker, initargs=(str(root), list(overrides))) as pool:
        futures = {pool.submit(_grade_in_worker, assignment, s, force): s for s in students}
        for future in concurrent.futures.as_completed(futures):
            student = futures[future]
            try:
                results[student] = future.result()
            except Exception as exc:  # the worker died or raised: this student only  # noqa: BLE001
                results[student] = Outcome(student, failed=f"grading process failed: {exc!r}"[:160])
            progress.finished(results[student])
    return [results[s] for s in students]


def on_hub_without_root() -> bool:
    """An instructor's terminal on the course hub: not root, the grading service is there."""
    return os.geteuid() != 0 and bool(os.environ.get("DP_GRADING_URL"))


def grade_through_service(args) -> int:
    """Send this command to the hub's grading service (tools/grading/request.py)."""
    from tools.grading.request import grade_remotely

    if args.unsandboxed or args.csv or args.nbgrader_config:
        print("error: on the hub, grading runs in the grading service, which takes only "
              "--student, --force and --jobs (ask an administrator for anything else).",
              file=sys.stderr)
        return 2
    return grade_remotely(args.assignment, args.student, args.force, args.jobs)


def grade(args) -> int:
    if on_hub_without_root() and Path(args.course_dir).resolve() == REPO_ROOT:
        return grade_through_service(args)
    root = prepare_environment(args.course_dir)
    assignment = check_assignments(root, [args.assignment])[0]
    students = args.student or submitted_students(root, assignment)
    if not students:
        print(f"No submissions in submitted/*/{assignment}/ (run tools.collect first).")
        return 0
    if args.unsandboxed:
        args.nbgrader_config.append("--Sandbox.enabled=False")
    else:
        reason = sandbox.unavailable_reason()
        if reason:
            raise ToolError(f"cannot grade in a sandbox: {reason}.\n"
                            "Student code must not run unconfined (it could read the solutions, "
                            "rewrite the gradebook, ...). To grade anyway, trusting every "
                            "submission: add --unsandboxed (make grade GRADE_ARGS=--unsandboxed).",
                            USAGE)
    links = planted_links(root)
    if links:
        raise ToolError("graded nobody: symbolic links where grading (as root) writes, in a "
                        "course root others can write: "
                        + ", ".join(str(p) for p in links[:10])
                        + ". Remove them, then run this command again.", USAGE)
    backup_gradebook(root)
    # --- quiet hook: kernel banners and library warnings go to a log, named under the table
    log_path = root / "autograded" / "grading.log"
    log_path.parent.mkdir(exist_ok=True)
    log_path.write_text("")
    log_warnings(log_path)
    args.nbgrader_config.append(f"--Sandbox.log_file={log_path}")
    api = nbgrader_api(args.nbgrader_config)
    limits = sandbox.Sandbox(config=api.config)
    sync_gradebook(api, assignment)
    try:
        folder = reference.ensure_reference(
            root, assignment, api.config, log=lambda m: print(m, file=sys.stderr, flush=True))
    except (reference.ReferenceError, RuntimeError, OSError) as error:
        raise ToolError(f"graded nobody. The reference run of source/{assignment} (the "
                        f"instructor's solution, run as the students' notebooks are) cannot "
                        f"judge anyone:\n{error}\nFix the source notebook or the grading "
                        "environment, then run this command again.", USAGE) from error
    # the judge of every process (workers too) compares with these records
    args.nbgrader_config.append(f"--SaveJudgedGrades.reference_dir={folder}")
    api.config.SaveJudgedGrades.reference_dir = str(folder)

    jobs = min(args.jobs or available_cores(), len(students))
    outcomes = grade_students(root, assignment, students, args.force, args.nbgrader_config,
                              jobs, api)

    csv_path = Path(args.csv).resolve() if args.csv else root / "autograded" / "grades.csv"
    export_csv(api, csv_path, assignment, outcomes)
    reviewed = {o.student: o.findings for o in outcomes if not o.failed and not o.skipped}
    tamper.write_review_csv(root / "autograded" / "review.csv", assignment, reviewed)

    hand_back(root)

    failed = [o for o in outcomes if o.failed]
    if args.unsandboxed:
        print("WARNING: graded WITHOUT the sandbox (--unsandboxed): student code ran as you, with "
              "your files, environment and network; these grades are only as trustworthy as "
              "every submission.")
    else:
        print(limits.describe())
    print(summary_table(outcomes))
    print(f"\n{len(outcomes) - len(failed)} of {len(outcomes)} submissions graded; "
          f"feedback in {root / 'feedback'}; grades exported to {csv_path}.")
    print(f"Kernel messages and warnings: {log_path}")
    review = [student for student, findings in reviewed.items() if findings]
    if review:
        print(f"{len(review)} to REVIEW: {', '.join(review)} "
              f"(reasons in {root / 'autograded' / 'review.csv'}; "
              "their scores are recorded as graded).")
    print(describe_written(ungraded_written_answers(api.coursedir.db_url, assignment),
                           assignment))
    if failed:
        print(f"{len(failed)} FAILED: {', '.join(o.student for o in failed)} "
              "(fix or replace their submission, then run this command again).")
        return 1
    return 0


@main_reports_errors
def main(argv=None) -> int:
    return grade(parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
