"""Deadlines the server keeps (tools/grading/deadlines.py, issue 31).

A submission that arrives after the due date with a forged early timestamp.txt (and a
forged early folder name and file times) is recorded late: collect's exchange copy
step (the real hook in tools/collect.py) records the inode change time, which no
student can set back; an extension in deadlines.csv makes it on time. Lateness is
nbgrader's own (the assignment's duedate, the submission's extension).
"""

from __future__ import annotations

import datetime as dt
import os
import types

import pytest

from tests.grading.builders import FIXTURE, new_course
from tools.errors import ToolError  # noqa: E402
from tools.collect import safe_exchange_collect
from tools.grading import deadlines

A = FIXTURE
FORGED = "2020-01-01 00:00:00.000000 UTC"


def submit_forged(inbound, student):
    """A submission in the exchange's inbound/ claiming, everywhere a student can write,
    to have been made in 2020."""
    folder = inbound / f"{student}+{A}+{FORGED}+abc123"
    folder.mkdir(parents=True)
    (folder / "squares.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, '
                                          '"nbformat_minor": 5}')
    (folder / "timestamp.txt").write_text(FORGED)
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp()
    for path in [*folder.iterdir(), folder]:
        os.utime(path, (old, old))  # a student may set mtime (not ctime)
    return folder


def collect(src, dest):
    """tools/collect.py's exchange copy step, as nbgrader's collect calls it."""
    fake = types.SimpleNamespace(
        coursedir=types.SimpleNamespace(ignore=[], max_file_size=100000),
        log=types.SimpleNamespace(warning=print, info=print))
    safe_exchange_collect().do_copy(fake, str(src), str(dest))


def lateness(course, dates, student):
    """What make grade records: the dates applied, then the submission timestamped by
    nbgrader from the collected timestamp.txt, as autograde does."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    folder = course / "submitted" / student / A
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_student(student)
        deadlines.apply(gb, dates, A, student)
        stamp = CourseDirectory().get_existing_timestamp(str(folder))
        gb.update_or_create_submission(A, student, timestamp=stamp)
        return gb.find_submission(A, student).total_seconds_late, \
            deadlines.late_note(gb, A, student)


@pytest.fixture
def course(tmp_path):
    course = new_course(tmp_path / "course", fixture=True)
    for student in ("alice", "bob"):
        src = submit_forged(tmp_path / "exchange" / "inbound", student)
        collect(src, course / "submitted" / student / A)
    return course


def write_deadlines(course, *rows):
    (course / deadlines.FILE).write_text("assignment,student,due,note\n" + "".join(rows))


def test_forged_early_timestamp_is_recorded_late_and_an_extension_makes_it_on_time(course):
    an_hour_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    in_a_day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    write_deadlines(course, f"{A},,{an_hour_ago},\n", f"{A},alice,{in_a_day},illness\n")
    collected = course / "submitted" / "bob" / A
    assert (collected / deadlines.CLAIMED).read_text() == FORGED  # the claim, kept aside
    assert (collected / "timestamp.txt").read_text() != FORGED
    dates = deadlines.read(course)
    late, note = lateness(course, dates, "bob")
    assert late > 3000 and note.startswith(("LATE by 1 h 0 min", "LATE by 0 h 59 min"))
    late, note = lateness(course, dates, "alice")
    assert late <= 0 and note == "on time with an extension"


def test_ctime_cannot_be_set_back_by_the_owner(tmp_path):
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
    folder = submit_forged(tmp_path / "inbound", "eve")
    assert deadlines.arrival_time(folder) >= before


def test_an_assignment_without_a_row_keeps_its_formgrader_due_date(course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(A, duedate=dt.datetime(2030, 1, 1))
        deadlines.apply(gb, deadlines.read(course), A, "bob")
        assert gb.find_assignment(A).duedate == dt.datetime(2030, 1, 1)


def test_an_extension_without_a_due_date_is_refused(course):
    write_deadlines(course, f"{A},alice,2030-01-01T00:00:00,\n")
    with pytest.raises(ToolError, match="has no due date"):
        deadlines.read(course)
