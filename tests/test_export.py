"""make export (tools/export.py): the LMS import files and the students listed instead of dropped.

The columns are checked against what each system documents (the docstring of
tools/export.py cites the pages): Canvas's gradebook import, Moodle's CSV grade import.
The gradebook is built with nbgrader's own API: no notebook runs here.
"""

from __future__ import annotations

import csv
import io

import pytest

from tests.grading.builders import FIXTURE, new_course
from tools import export

A = FIXTURE


def make_gradebook(course, scores: dict[str, float | None], late_penalty: dict | None = None):
    """A gradebook with the fixture assignment (3 points) and ``scores`` per student
    (None: a student of the course who submitted nothing)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(A)
        gb.add_notebook("squares", A)
        gb.add_grade_cell("test_square", "squares", A, max_score=2, cell_type="code")
        gb.add_grade_cell("test_halve", "squares", A, max_score=1, cell_type="code")
        for sid, score in scores.items():
            gb.add_student(sid, first_name=sid.title(), last_name="Doe",
                           email=f"{sid}@course.example")
            if score is None:
                continue
            sub = gb.add_submission(A, sid)
            grades = {g.name: g for nb in sub.notebooks for g in nb.grades}
            grades["test_square"].auto_score = min(score, 2)
            grades["test_halve"].auto_score = max(0, score - 2)
            if late_penalty and sid in late_penalty:
                sub.notebooks[0].late_submission_penalty = late_penalty[sid]
            gb.db.commit()


def read(path):
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


ROSTER = (
    "student,name,canvas_id,sis_user_id,sis_login_id,section,email,username,idnumber\n"
    'alice,"Liddell, Alice",101,S1,aliddell,A,Alice@uni.example,aliddell,S1\n'
    'bob,"Builder, Bob",102,S2,bbuilder,B,bob@uni.example,bbuilder,S2\n'
    'carol,"King, Carol",103,S3,cking,A,carol@uni.example,cking,S3\n'
    "dave,,,,,,,,\n"
)


@pytest.fixture
def course(tmp_path):
    course = new_course(tmp_path / "course", fixture=True)
    make_gradebook(course, {"alice": 3, "bob": 1.5, "carol": None, "mallory": 2})
    (course / "roster.csv").write_text(ROSTER)
    return course


def test_canvas_columns_points_row_and_missing_students(course, capsys):
    out = course / "canvas.csv"
    status = export.main([A, "--format", "canvas", "--course-dir", str(course), "--out", str(out),
                          "--lms-assignment-id", "4711"])
    rows = read(out)
    # Canvas's gradebook columns, then "<assignment name> (<Canvas id>)"
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{A} (4711)"]
    assert rows[1][0].strip() == "Points Possible" and rows[1][5] == "3"
    body = {r[0]: r for r in rows[2:]}
    assert body["Liddell, Alice"] == ["Liddell, Alice", "101", "S1", "aliddell", "A", "3"]
    assert body["Builder, Bob"][5] == "1.5"
    assert body["King, Carol"][5] == ""  # no submission: empty, and listed
    assert "Doe, Mallory" not in body  # not on the roster: not in the file, listed
    printed = capsys.readouterr().out
    assert "graded but not on the roster (1): mallory" in printed
    assert "no submission" in printed and "carol" in printed
    assert "no LMS id on the roster" in printed and "dave" in printed
    assert status == 1  # someone graded is not in the file


def test_moodle_columns_and_missing_as_zero(course, capsys):
    (course / "roster.csv").write_text(ROSTER.replace("mallory", "x") + "mallory,M,,,,,m@x,m,\n")
    status = export.main([A, "--format", "moodle", "--course-dir", str(course),
                          "--missing-as-zero"])
    rows = read(course / "autograded" / f"{A}-moodle.csv")
    # an identifier column per user field Moodle maps on, then the grade column
    assert rows[0] == ["Full name", "Email address", "Username", "ID number", A]
    body = {r[2]: r for r in rows[1:]}
    assert body["aliddell"] == ["Liddell, Alice", "Alice@uni.example", "aliddell", "S1", "3"]
    assert body["cking"][4] == "0"  # --missing-as-zero
    assert body["m"][4] == "2"
    assert status == 0
    assert "NOT EXPORTED" not in capsys.readouterr().out


def test_without_roster_course_ids_stand_in_with_a_warning(course, capsys):
    (course / "roster.csv").unlink()
    assert export.main([A, "--format", "canvas", "--course-dir", str(course)]) == 0
    rows = read(course / "autograded" / f"{A}-canvas.csv")
    logins = {r[3]: r[5] for r in rows[2:]}
    assert logins == {"alice": "3", "bob": "1.5", "carol": "", "mallory": "2"}
    printed = capsys.readouterr().out
    assert "WARNING: no roster: the course ids stand in" in printed
    assert "no submission" in printed and "carol" in printed


def test_late_penalty_is_subtracted_as_nbgrader_does(tmp_path):
    course = new_course(tmp_path / "c", fixture=True)
    make_gradebook(course, {"alice": 3}, late_penalty={"alice": 1})
    export.main([A, "--format", "moodle", "--course-dir", str(course)])
    rows = read(course / "autograded" / f"{A}-moodle.csv")
    assert rows[1][4] == "2"


def test_roster_without_student_column_is_refused(course, capsys):
    (course / "roster.csv").write_text("name,email\nA,a@x\n")
    assert export.main([A, "--format", "canvas", "--course-dir", str(course)]) == 1
    assert "no 'student' column" in capsys.readouterr().err


def test_hostile_names_stay_inside_their_cell():
    grades = [export.Grade('eve",=cmd|x\n', "", "", 1.0)]
    rows = export.build("canvas", A, grades, 3, None).rows
    back = list(csv.reader(io.StringIO(export.to_csv(rows))))
    assert back[2][3] == 'eve",=cmd|x\n' and len(back) == 3
