"""Deadlines the server keeps: due dates, per-student extensions, arrival times no student writes.

**One file**, ``deadlines.csv`` in the course root (columns ``assignment, student, due,
note``): a row without a student gives the assignment's due date; a row with one gives
that student's own due date (an extension). Times are ISO 8601 with a UTC offset
(``2025-11-03T23:59:00+01:00``) or UTC when they have none::

    assignment,student,due,note
    01_scalar_autodiff,,2025-11-03T23:59:00+01:00,
    01_scalar_autodiff,alice,2025-11-06T23:59:00+01:00,illness (certificate 2025-11-01)

``make grade`` writes them into nbgrader's own fields before autograding each student
(the assignment's ``duedate``, the submission's ``extension``), so nbgrader's late
penalty (``AssignLatePenalties`` with ``c.LateSubmissionPlugin.penalty_method``; the
course's default policy is no penalty, the lateness shown) and formgrader see the same
dates; and names every late submission in its summary table (``LATE by 2 h 5 min``).

**The submission time is the time the files arrived on the server**, never the
student's ``timestamp.txt`` (the student's own process writes it, and could write any
time). On the hub a submission is written into the exchange's ``inbound/`` by the
student's process, so every time the student can set (file names, ``timestamp.txt``,
``mtime`` by ``os.utime``) is forgeable; the inode change time (``ctime``) is not: the
kernel sets it to the current time whenever a file is created or changed, and no
unprivileged call sets it back. ``make collect`` (``tools/collect.py``) therefore records
as the submission time the latest ``ctime`` of the submission's folder and files in
``inbound/`` (changing anything later only makes it later), writes that into the
collected ``timestamp.txt`` that nbgrader's autograde reads, and keeps the student's
claim beside it as ``timestamp.student.txt`` for the instructor to compare.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from tools.errors import ToolError

FILE = "deadlines.csv"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # what nbgrader writes and reads
CLAIMED = "timestamp.student.txt"


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time; UTC when it has no offset. Returned in UTC."""
    value = dt.datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


@dataclass
class Deadlines:
    due: dict[str, dt.datetime]  # assignment -> due date (UTC)
    extended: dict[tuple[str, str], dt.datetime]  # (assignment, student) -> own due date

    def for_student(self, assignment: str, student: str) -> dt.datetime | None:
        return self.extended.get((assignment, student), self.due.get(assignment))


def read(root: Path) -> Deadlines:
    """``deadlines.csv`` of the course (empty when there is none)."""
    path = root / FILE
    out = Deadlines({}, {})
    if not path.is_file():
        return out
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            if not row.get("assignment"):
                continue
            try:
                when = parse_time(row.get("due", ""))
            except ValueError as exc:
                raise ToolError(f"{path} line {line}: due {row.get('due')!r} is not "
                                 f"an ISO 8601 time ({exc})") from exc
            if row.get("student"):
                out.extended[(row["assignment"], row["student"])] = when
            else:
                out.due[row["assignment"]] = when
    for (assignment, student) in out.extended:
        if assignment not in out.due:
            raise ToolError(f"{path}: an extension for {student} on {assignment}, "
                             "which has no due date (a row without a student)")
    return out


def gradebook_due_dates(root: Path) -> dict[str, dt.datetime]:
    """assignment -> the due date in nbgrader's gradebook (set in formgrader or by
    ``nbgrader db assignment add --duedate``), UTC; read-only, no gradebook no dates.
    A ``gradebook.db`` that is a symbolic link is not followed (the course root is the
    instructors' to write; the grading service reads it as root)."""
    db = root / "gradebook.db"
    if db.is_symlink() or not db.is_file():
        return {}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as con:
        rows = con.execute("SELECT name, duedate FROM assignment WHERE duedate IS NOT NULL")
        # nbgrader stores naive UTC times ("2026-12-05 23:59:00.000000")
        return {name: parse_time(str(when)) for name, when in rows}


def student_view(root: Path, student: str) -> dict[str, dict[str, str | None]]:
    """What ``student`` may see of the deadlines, per assignment: ``due``, the date the
    class's grading uses (``deadlines.csv``'s row for the assignment when it has one,
    since ``make grade`` writes that into the gradebook, else the gradebook's own), and
    ``extended``, this student's own later date from ``deadlines.csv`` (None without
    one); ISO 8601 in UTC. Nobody else's extension is in it.

    Raises:
        ToolError: ``deadlines.csv`` cannot be read (see :func:`read`).
    """
    if (root / FILE).is_symlink():
        raise ToolError(f"{root / FILE} is a symbolic link; not followed")
    dates = read(root)
    due = {**gradebook_due_dates(root), **dates.due}
    view = {}
    for assignment, when in sorted(due.items()):
        own = dates.extended.get((assignment, student))
        view[assignment] = {"due": when.isoformat(),
                            "extended": own.isoformat() if own and own > when else None}
    return view


def _naive_utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None)  # how nbgrader stores times


def apply(gb, deadlines: Deadlines, assignment: str, student: str | None = None) -> None:
    """Write the due date (and ``student``'s extension) into nbgrader's gradebook fields.

    An assignment without a row in the file is left alone (a due date set in formgrader
    stays)."""
    due = deadlines.due.get(assignment)
    if due is None:
        return
    gb.update_or_create_assignment(assignment, duedate=_naive_utc(due))
    if student is None:
        return
    own = deadlines.extended.get((assignment, student))
    sub = gb.update_or_create_submission(assignment, student)
    sub.extension = (own - due) if own and own > due else None
    gb.db.commit()


def late_note(gb, assignment: str, student: str) -> str:
    """``LATE by ...`` (or ``on time with an extension``) from nbgrader's own lateness."""
    try:
        sub = gb.find_submission(assignment, student)
    except Exception:  # MissingEntry  # noqa: BLE001
        return ""
    if sub.assignment.duedate is None or sub.timestamp is None:
        return ""
    late = sub.total_seconds_late
    if late > 0:
        minutes = int(late // 60)
        text = f"{minutes // 1440} d {minutes // 60 % 24} h" if minutes >= 1440 else \
            f"{minutes // 60} h {minutes % 60} min"
        return f"LATE by {text}" + (" (after the extension)" if sub.extension else "")
    return "on time with an extension" if sub.extension else ""


def arrival_time(folder: Path) -> dt.datetime:
    """The latest inode change time of ``folder`` and everything in it (lstat: no link is
    followed): when the submission last arrived or changed on this server."""
    latest = os.lstat(folder).st_ctime
    for here, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            try:
                latest = max(latest, os.lstat(os.path.join(here, name)).st_ctime)
            except OSError:
                continue
    return dt.datetime.fromtimestamp(latest, dt.UTC)


def record_arrival(inbound_submission: Path, collected: Path) -> dt.datetime:
    """Make the collected ``timestamp.txt`` say when the submission arrived (module
    docstring); the student's own claim is kept as ``timestamp.student.txt``."""
    arrived = arrival_time(inbound_submission)
    stamp = collected / "timestamp.txt"
    claimed = collected / CLAIMED
    for path in (stamp, claimed):
        if path.is_symlink() or (path.exists() and not stat.S_ISREG(path.lstat().st_mode)):
            path.unlink()
    if stamp.exists():
        stamp.replace(claimed)
    stamp.write_text(arrived.strftime(TIMESTAMP_FORMAT))
    return arrived
