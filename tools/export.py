"""Grades of one assignment into the LMS: the CSV that Canvas's or Moodle's gradebook import reads.

    python -m tools.export ASSIGNMENT --format canvas|moodle [--roster roster.csv]
                           [--out PATH] [--lms-assignment-id ID] [--missing-as-zero]

The scores come from nbgrader's gradebook (``gradebook.db``, through nbgrader's API),
as ``autograded/grades.csv`` has them: the score after nbgrader's late penalty, never
below 0. The file goes to ``autograded/<assignment>-<format>.csv`` (out of git: student
data) unless ``--out`` says otherwise.

**The roster** (``roster.csv`` in the course root by default; out of git) maps the
course's ids (the hub's user names, nbgrader's student ids) to the LMS's. A CSV with a
header; only ``student`` is required, the other columns are used where a format needs
them (names are case-insensitive):

    student,name,canvas_id,sis_user_id,sis_login_id,section,email,username,idnumber
    alice,"Liddell, Alice",10231,S0042,aliddell,Section A,alice@example.edu,aliddell,S0042

Without a roster the course ids stand in for the LMS's (Canvas: as the SIS Login ID;
Moodle: as the username), with a warning: right only when the LMS logins are the hub's
user names.

**Nobody is dropped silently.** Every student is either in the file or listed, and the
lists are printed:
  * graded but not on the roster: not in the file (the LMS would refuse an unknown
    student); the exit status is then 1;
  * on the roster (or in the gradebook) without a submission: in the file with an empty
    grade (both imports leave an empty cell unchanged), or 0 with ``--missing-as-zero``;
  * on the roster without the id the format matches on: in the file, listed.

**Canvas** (Gradebook → Import; "How do I import grades in the Gradebook?", Canvas
Instructor Guide, and e.g. Ohio State's guide "Import CSV File for Carmen Grades",
https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades):
the columns of Canvas's own gradebook export, ``Student, ID, SIS User ID, SIS Login ID,
Section``, then one column per assignment named ``<name> (<Canvas assignment id>)``; a
second row ``Points Possible`` gives the assignment's maximum. Canvas matches a student
by ID, SIS User ID or SIS Login ID. A column without ``(<id>)`` makes Canvas create a
new assignment of that name on import; ``--lms-assignment-id`` names the existing one.

**Moodle** (Grade administration → Import → CSV file; MoodleDocs "Grade import",
https://docs.moodle.org/311/en/Grade_import): any CSV with a header; on import the
teacher maps one identifier column ("Map from") to a user field ("Map to": ``userid``,
``username``, ``useridnumber`` or ``useremail``) and the grade column to a grade item.
The file has ``Full name`` (for people), ``Email address``, ``Username`` and ``ID
number`` (the three user fields Moodle maps on) and one grade column named after the
assignment. Moodle notes that e-mail addresses match case-sensitively: they are
written as the roster has them.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tools.errors import ToolError, main_reports_errors
from tools.course import REPO_ROOT, check_assignments, nbgrader_api, prepare_environment

FORMATS = ("canvas", "moodle")
ROSTER_COLUMNS = ("student", "name", "canvas_id", "sis_user_id", "sis_login_id", "section",
                  "email", "username", "idnumber")
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "    Points Possible"  # as Canvas's own export writes it
MOODLE_COLUMNS = ["Full name", "Email address", "Username", "ID number"]


@dataclass
class Grade:
    """One student's result for the assignment, from the gradebook."""

    student: str
    name: str = ""
    email: str = ""
    score: float | None = None  # None: no submission


@dataclass
class Export:
    """What was written, and who is listed instead of (or besides) being written."""

    rows: list[list[str]]
    not_on_roster: list[str] = field(default_factory=list)  # graded, not in the file
    no_submission: list[str] = field(default_factory=list)  # in the file, grade empty or 0
    no_lms_id: list[str] = field(default_factory=list)  # in the file, nothing to match on
    warnings: list[str] = field(default_factory=list)


def read_roster(path: Path) -> dict[str, dict[str, str]]:
    """course id -> {column: value} (every ROSTER_COLUMNS key present, '' when absent)."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if "student" not in header:
            raise ToolError(f"{path} has no 'student' column (the course ids); "
                             f"columns it may have: {', '.join(ROSTER_COLUMNS)}")
        roster: dict[str, dict[str, str]] = {}
        for line, raw in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            sid = row.get("student", "")
            if not sid:
                continue
            if sid in roster:
                raise ToolError(f"{path} line {line}: student {sid!r} is listed twice")
            roster[sid] = {c: row.get(c, "") for c in ROSTER_COLUMNS}
    return roster


def gradebook_grades(api, assignment: str) -> tuple[list[Grade], float]:
    """Every student of the gradebook with their score for ``assignment`` (None without a
    submission), and the assignment's maximum. Score = raw score - late penalty, >= 0,
    as nbgrader's own CSV export computes it."""
    grades = []
    with api.gradebook as gb:
        record = gb.find_assignment(assignment)
        max_score = float(record.max_score)
        submitted = {s.student.id: s for s in gb.assignment_submissions(assignment)}
        for student in gb.students:
            sub = submitted.get(student.id)
            score = None
            if sub is not None:
                penalty = sub.late_submission_penalty or 0.0
                score = max(0.0, float(sub.score) - float(penalty))
            name = ", ".join(p for p in (student.last_name, student.first_name) if p)
            grades.append(Grade(student.id, name, student.email or "", score))
    return grades, max_score


def _fmt(score: float | None, missing_as_zero: bool) -> str:
    if score is None:
        return "0" if missing_as_zero else ""
    return f"{score:g}"


def build(fmt: str, assignment: str, grades: list[Grade], max_score: float,
          roster: dict[str, dict[str, str]] | None, lms_assignment_id: str = "",
          missing_as_zero: bool = False) -> Export:
    """The rows of the import file (header first) and the lists of students not (fully) in it."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    by_id = {g.student: g for g in grades}
    out = Export(rows=[])
    if roster is None:
        out.warnings.append(
            "no roster: the course ids stand in for the LMS ids "
            + ("(as SIS Login ID)" if fmt == "canvas" else "(as Username)")
            + "; right only if the LMS logins are the hub's user names")
        people = {g.student: {"student": g.student, "name": g.name or g.student,
                              "email": g.email,
                              "sis_login_id" if fmt == "canvas" else "username": g.student}
                  for g in grades}
    else:
        people = roster
        out.not_on_roster = sorted(g.student for g in grades
                                   if g.score is not None and g.student not in roster)
    column = f"{assignment} ({lms_assignment_id})" if lms_assignment_id else assignment
    if fmt == "canvas":
        out.rows.append(CANVAS_COLUMNS + [column])
        out.rows.append([CANVAS_POINTS_ROW, "", "", "", ""] + [f"{max_score:g}"])
        keys = ("canvas_id", "sis_user_id", "sis_login_id")
    else:
        out.rows.append(MOODLE_COLUMNS + [column])
        keys = ("email", "username", "idnumber")
    for sid in sorted(people):
        person = people[sid]
        grade = by_id.get(sid)
        score = grade.score if grade else None
        if score is None:
            out.no_submission.append(sid)
        if not any(person.get(k) for k in keys):
            out.no_lms_id.append(sid)
        name = person.get("name") or (grade.name if grade else "") or sid
        if fmt == "canvas":
            out.rows.append([name, person.get("canvas_id", ""), person.get("sis_user_id", ""),
                             person.get("sis_login_id", ""), person.get("section", ""),
                             _fmt(score, missing_as_zero)])
        else:
            email = person.get("email") or (grade.email if grade else "")
            out.rows.append([name, email, person.get("username", ""),
                             person.get("idnumber", ""), _fmt(score, missing_as_zero)])
    return out


def to_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)  # RFC 4180 line ends
    return buffer.getvalue()


def report(export: Export, path: Path, missing_as_zero: bool) -> str:
    lines = [f"WARNING: {w}" for w in export.warnings]
    written = len(export.rows) - (2 if export.rows and export.rows[1][0] == CANVAS_POINTS_ROW
                                  else 1)
    lines.append(f"wrote {written} student(s) to {path}")
    if export.not_on_roster:
        lines.append(f"NOT EXPORTED, graded but not on the roster ({len(export.not_on_roster)}): "
                     + ", ".join(export.not_on_roster))
    if export.no_submission:
        grade = "0" if missing_as_zero else "an empty grade (the import leaves it unchanged)"
        lines.append(f"no submission, exported with {grade} ({len(export.no_submission)}): "
                     + ", ".join(export.no_submission))
    if export.no_lms_id:
        lines.append(f"no LMS id on the roster, the import cannot match them "
                     f"({len(export.no_lms_id)}): " + ", ".join(export.no_lms_id))
    return "\n".join(lines)


@main_reports_errors
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.export",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", help="assignment id, a folder of source/")
    parser.add_argument("--format", required=True, choices=FORMATS)
    parser.add_argument("--roster", default=None,
                        help="CSV mapping course ids to LMS ids (default: roster.csv in the "
                             "course root, if there is one)")
    parser.add_argument("--out", default=None,
                        help="where to write (default: autograded/<assignment>-<format>.csv)")
    parser.add_argument("--lms-assignment-id", default="",
                        help="the LMS's id of the assignment (Canvas: the number in its URL)")
    parser.add_argument("--missing-as-zero", action="store_true",
                        help="write 0 for a student without a submission (default: empty)")
    parser.add_argument("--course-dir", default=str(REPO_ROOT),
                        help="course root (default: this repository)")
    args = parser.parse_args(argv)
    roster_path = Path(args.roster).resolve() if args.roster else None  # before chdir
    out = Path(args.out).resolve() if args.out else None
    root = prepare_environment(args.course_dir)
    assignment = check_assignments(root, [args.assignment])[0]
    if roster_path is None and (root / "roster.csv").is_file():
        roster_path = root / "roster.csv"
    if roster_path is not None and not roster_path.is_file():
        raise ToolError(f"no roster at {roster_path}")
    roster = read_roster(roster_path) if roster_path else None
    api = nbgrader_api()
    try:
        grades, max_score = gradebook_grades(api, assignment)
    except Exception as exc:  # MissingEntry: never graded  # noqa: BLE001
        raise ToolError(f"the gradebook has no grades for {assignment} "
                         f"(run make grade A={assignment} first): {exc}") from exc
    export = build(args.format, assignment, grades, max_score, roster,
                   args.lms_assignment_id, args.missing_as_zero)
    out = out or root / "autograded" / f"{assignment}-{args.format}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(to_csv(export.rows), encoding="utf-8")
    tmp.replace(out)
    print(report(export, out, args.missing_as_zero))
    return 1 if export.not_on_roster else 0


if __name__ == "__main__":
    sys.exit(main())
