"""Feedback at submit time: one submission graded as for the class, its score told to the student.

On the course hub, a student's submit (``hub/dp_hub_exchange.py``) asks the grading
service (``hub/dp_grading_service.py``, root) for feedback on it. The service then

1. checks who asks (the owner of the JupyterHub token, never a name in the request)
   and what for (:func:`check_request`: an assignment name and nothing else),
2. counts the student's requests for that assignment in the last hour
   (:class:`RateLimit`; ``SubmitFeedback.max_per_hour``, default 3): the grader must
   not become an oracle a student queries until the hidden checks pass,
3. copies the submission *as the exchange recorded it* (``inbound/``, the latest by
   arrival time; :func:`latest_submission`) into a scratch course of its own
   (:func:`prepare_scratch`: root's folder, its own ``gradebook.db``), and grades it
   there with ``python -m tools.grading`` exactly as the class is graded (sandbox,
   judge, the same reference run of ``source/``),
4. writes the report (:func:`report`, :func:`as_markdown`) into the student's home,
   ``~/submit-feedback/<assignment>.md``, as the student.

The instructor's course root (gradebook, ``submitted/``, ``autograded/``,
``feedback/``) is never written: the instructor's final grading is unchanged.

What the report shows (``nbgrader_config.py``, class :class:`SubmitFeedback`): the
autograded score, and for each graded test cell its points and whether it passed;
the judge's checks (``hidden_checks.record``) only as counts per cell
("4 of 5 hidden checks passed"), never their names, code or values, until the
instructor sets ``SubmitFeedback.show_hidden_details = True`` (full feedback
released). A cell passes when the kernel ran it without error and every check
matched the reference (``tools/grading/judge.py``); its points are the gradebook's.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from traitlets import Bool, Int
from traitlets.config import Configurable

# Unix user names and nbgrader assignment ids of this course: no path separators, no
# "+" (nbgrader's separator in inbound/ folder names), no leading dot or dash.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}")
REQUEST_KEYS = {"assignment"}
WINDOW = dt.timedelta(hours=1)
REPORTS = "submit-feedback"  # the folder in each student's home


class SubmitFeedback(Configurable):
    """Settings of feedback at submit time (hub only; ``nbgrader_config.py``)."""

    enabled = Bool(True, help="Grade each submission on the hub when it is submitted and "
                              "tell the student their autograded score.").tag(config=True)
    max_per_hour = Int(3, min=0, help="Feedback requests per student and assignment in "
                                      "any hour; the next is refused, saying when one is "
                                      "allowed again.").tag(config=True)
    show_test_cells = Bool(True, help="List each graded test cell with its points and "
                                      "whether it passed (else the total only).").tag(config=True)
    show_hidden_details = Bool(False, help="Name each failed hidden check (the reference's "
                                           "words). Off until the instructor releases full "
                                           "feedback: only counts are shown.").tag(config=True)


class Refused(ValueError):
    """A request that is not allowed; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def check_name(kind: str, value) -> str:
    """``value`` when it is a safe name (:data:`NAME`), else :class:`Refused` saying why."""
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise Refused(f"{kind} must be 1-100 letters, digits or _ . @ - (not starting with "
                      f"one of . _ @ -), got {str(value)[:60]!r}")
    return value


def check_request(body, student: str, assignments: set[str]) -> str:
    """The assignment a feedback request asks for, or :class:`Refused`.

    ``body`` is the decoded JSON, e.g. ``{"assignment": "01_scalar_autodiff"}``; the
    student is never taken from it (``student`` is the token's owner)."""
    check_name("your user name", student)
    if not isinstance(body, dict) or set(body) != REQUEST_KEYS:
        raise Refused('a JSON object {"assignment": "<assignment id>"} and nothing else '
                      "(feedback is only ever on your own submission)")
    assignment = check_name("assignment", body["assignment"])
    if assignment not in assignments:
        raise Refused(f"no assignment {assignment!r} in this course; known: "
                      f"{sorted(assignments)}", 404)
    return assignment


# ------------------------------------------------------------------ rate limit
def next_allowed(times: list[dt.datetime], now: dt.datetime, per_hour: int,
                 window: dt.timedelta = WINDOW) -> dt.datetime | None:
    """When the next request may come, or None when one may come ``now``.

    ``times`` are the accepted requests. A request is allowed when fewer than
    ``per_hour`` of them lie in ``(now - window, now]``; otherwise the next is allowed
    once the oldest of the last ``per_hour`` leaves the window."""
    recent = sorted(t for t in times if now - window < t <= now)
    if len(recent) < per_hour:
        return None
    if per_hour == 0:
        return now + window  # feedback switched off: never within the window
    return recent[-per_hour] + window


class RateLimit:
    """Accepted requests per (student, assignment), kept in a JSON file (root's), so a
    restart of the service does not reset them."""

    def __init__(self, path: Path, per_hour: int):
        self.path, self.per_hour = Path(path), per_hour

    def _load(self) -> dict[str, list[str]]:
        try:
            data = json.loads(self.path.read_text())
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def take(self, student: str, assignment: str, now: dt.datetime | None = None) -> None:
        """Count one request now, or :class:`Refused` (429) saying when the next is allowed."""
        now = now or dt.datetime.now(dt.UTC)
        data = self._load()
        key = f"{student}/{assignment}"
        times = [dt.datetime.fromisoformat(t) for t in data.get(key, [])]
        later = next_allowed(times, now, self.per_hour)
        if later is not None:
            wait = max(1, int((later - now).total_seconds() // 60) + 1)
            raise Refused(f"feedback on {assignment} was asked for {self.per_hour} times in "
                          f"the last hour (the course's limit); the next is allowed at "
                          f"{later:%H:%M} UTC (in about {wait} min). Your submission itself "
                          "was recorded.", 429)
        data[key] = [t.isoformat() for t in times if now - WINDOW < t] + [now.isoformat()]
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.path)


# ------------------------------------------------------------------ the submission
def latest_submission(inbound: Path, student: str, assignment: str,
                      owner: int | None = None) -> Path | None:
    """The student's latest submission of ``assignment`` in the exchange's ``inbound/``
    (``<student>+<assignment>+<time>[+<random>]`` folders, not links), latest by the
    time it arrived on the server (``deadlines.arrival_time``), or None.

    ``owner``: the student's uid. ``inbound/`` is writable by every student, so anyone
    can make a folder with a classmate's name; the student's own submit makes it as them."""
    from tools.grading.deadlines import arrival_time

    check_name("student", student)
    check_name("assignment", assignment)
    prefix = f"{student}+{assignment}+"
    found = [p for p in inbound.iterdir()
             if p.name.startswith(prefix) and "/" not in p.name and not p.is_symlink()
             and p.is_dir() and (owner is None or p.lstat().st_uid == owner)]
    return max(found, key=arrival_time, default=None)


def prepare_scratch(scratch: Path, course: Path, grader: Path, submission: Path,
                    student: str, assignment: str) -> None:
    """The scratch course ``scratch`` (root's) ready to grade ``student``'s ``submission``:
    root's ``nbgrader_config.py``, the course's ``source/`` and ``release/`` of the
    assignment, the submission in ``submitted/``; all copied without following a link."""
    from tools.grading.intake import copy_regular_tree

    scratch.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copy(grader / "nbgrader_config.py", scratch / "nbgrader_config.py")
    for folder in ("source", "release"):
        target = scratch / folder / assignment
        shutil.rmtree(target, ignore_errors=True)
        if (course / folder / assignment).is_dir():
            copy_regular_tree(course / folder / assignment, target,
                              ignore=[".ipynb_checkpoints", "__pycache__"])
    target = scratch / "submitted" / student / assignment
    shutil.rmtree(target, ignore_errors=True)
    copy_regular_tree(submission, target)


# ------------------------------------------------------------------ the report
@dataclass
class CellReport:
    grade_id: str
    score: float
    max_score: float
    passed: bool
    checks: int
    matched: int
    failed: list[str] = field(default_factory=list)


def report(scratch: Path, student: str, assignment: str) -> dict:
    """Autograded score and test cells of ``student``'s graded submission in the scratch
    course (written answers wait for a person and are not counted): points from its
    gradebook, pass and check counts from the judge's verdict in the
    autograded notebook."""
    import nbformat
    from nbgrader.api import Gradebook

    from tools.grading import metadata

    cells: dict[str, list[CellReport]] = {}
    with Gradebook(f"sqlite:///{scratch / 'gradebook.db'}") as gb:
        submission = gb.find_submission(assignment, student)
        for nb_sub in submission.notebooks:
            path = scratch / "autograded" / student / assignment / f"{nb_sub.name}.ipynb"
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                    continue
                grade = gb.find_grade(meta["grade_id"], nb_sub.name, assignment, student)
                verdict = metadata.verdict(cell) or {}
                cells.setdefault(nb_sub.name, []).append(CellReport(
                    meta["grade_id"], float(grade.score or 0), float(grade.max_score),
                    bool(grade.score) and grade.score >= grade.max_score,
                    int(verdict.get("checks", 0)), int(verdict.get("matched", 0)),
                    [str(f) for f in verdict.get("failed", [])] + [
                        str(p) for p in verdict.get("problems", [])]))
    every = [c for notebook in cells.values() for c in notebook]
    return {"student": student, "assignment": assignment,
            "score": sum(c.score for c in every), "max_score": sum(c.max_score for c in every),
            "cells": {k: [c.__dict__ for c in v] for k, v in cells.items()}}


def as_markdown(data: dict, settings: SubmitFeedback, submitted_at: dt.datetime,
                due: dt.datetime | None = None) -> str:
    """What the student reads, within :class:`SubmitFeedback`'s settings. ``due``: the
    student's own due date (``deadlines.csv``, with their extension), compared with the
    time the submission arrived on the server."""
    when = submitted_at.astimezone(dt.UTC)
    lines = [f"# Feedback on your submission of {data['assignment']}",
             "",
             f"Arrived {when:%Y-%m-%d %H:%M:%S} UTC, graded automatically as the "
             "class will be. Written answers are graded by the instructors later; the "
             "instructors' final grading may differ.",
             ""]
    if due is not None:
        late = (when - due).total_seconds()
        lines += [f"Your due date: {due.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC; this "
                  "submission is " + (f"LATE by {int(late // 60)} min" if late > 0 else
                                      "on time"), ""]
    lines += [
             f"**Autograded score: {data['score']:g} / {data['max_score']:g}**",
             ""]
    if settings.show_test_cells:
        for notebook, cells in data["cells"].items():
            lines += [f"## {notebook}.ipynb", "", "| test cell | points | result |",
                      "|---|---|---|"]
            for c in cells:
                result = "passed" if c["passed"] else "not passed"
                if c["checks"]:
                    result += f"; {c['matched']} of {c['checks']} hidden checks passed"
                if settings.show_hidden_details and c["failed"]:
                    result += " (" + "; ".join(c["failed"]) + ")"
                lines.append(f"| {c['grade_id']} | {c['score']:g} / {c['max_score']:g} | "
                             f"{result} |")
            lines.append("")
    lines.append(f"_Feedback on each assignment at most {settings.max_per_hour} times an "
                 "hour; each submit asks for it._")
    return "\n".join(lines) + "\n"


def notice(assignment: str, text: str, previous: str = "") -> str:
    """A short message above the previous report (a refusal, or "being graded")."""
    return f"> **{assignment}: {text}**\n\n" + previous


WRITER = """\
import os, sys
folder, name = sys.argv[1], sys.argv[2]
os.makedirs(folder, exist_ok=True)
tmp = os.path.join(folder, "." + name + ".tmp")
with open(tmp, "w", encoding="utf-8") as fh:
    fh.write(sys.stdin.read())
os.replace(tmp, os.path.join(folder, name))
"""


def write_report(home: Path, assignment: str, text: str, user: str | None = None,
                 python: str = "python3") -> Path:
    """``~/submit-feedback/<assignment>.md`` = ``text``. With ``user`` (the service,
    root), written by a process running as that user: nothing the student put in
    their home (a link) can redirect root's write."""
    import subprocess

    check_name("assignment", assignment)
    folder = Path(home) / REPORTS
    cmd = [python, "-c", WRITER, str(folder), f"{assignment}.md"]
    kwargs = {}
    if user is not None:
        import pwd

        entry = pwd.getpwnam(user)
        kwargs = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [],
                  "env": {"HOME": entry.pw_dir, "LANG": "C.UTF-8"}, "cwd": entry.pw_dir}
    subprocess.run(cmd, input=text, text=True, check=True, timeout=60, **kwargs)
    return folder / f"{assignment}.md"
