"""Due dates in the students' Assignments tab (issue 31), the server's part, without a hub.

The chain: the instructors' gradebook (nbgrader's own ``duedate``, written here with
nbgrader's own API, the independent writer) and ``deadlines.csv`` -> the grading
service's ``GET /deadlines`` (the real handler, behind a stand-in for the hub's token
check) -> the student's server's list (``dp_hub_exchange.ExchangeList`` on a real
filesystem exchange) -> each record's ``due_date`` and ``extended_due_date``, which the
course's JupyterLab extension shows (tests/test_hub.py sees them in Chromium).
A student gets their own extension and never a classmate's; a token without the
students' scope is refused; a broken or linked ``deadlines.csv`` tells the student
nothing of its contents.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import shutil
import sys
import threading
import types
from pathlib import Path

import pytest

from tools.errors import ToolError
from tools.grading import deadlines

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hub"))
import dp_grading_service as service  # noqa: E402
import dp_hub_exchange  # noqa: E402

COURSE = "dp-course"
UTC = dt.UTC
GRADEBOOK_DUE = dt.datetime(2030, 3, 1, 12, 0)  # naive UTC, as nbgrader stores it
CSV_DUE = "2030-04-01T23:59:00+02:00"
ALICE_DUE = "2030-04-05T23:59:00+02:00"


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory) -> Path:
    """Made once (nbgrader's migrations take seconds), copied for each test."""
    from nbgrader.api import Gradebook

    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    with Gradebook(f"sqlite:///{path}") as gb:
        gb.add_assignment("a1", duedate=GRADEBOOK_DUE)
        gb.add_assignment("a2", duedate=GRADEBOOK_DUE)
        gb.add_assignment("a3")  # no due date
        gb.add_student("alice")
        gb.add_submission("a2", "alice")  # what make grade's autograde has made by then
    return path


@pytest.fixture
def course(tmp_path, gradebook):
    """A course root: ``a1`` due in the gradebook only; ``a2`` due in the gradebook and in
    deadlines.csv (which wins: make grade writes it into the gradebook), alice extended,
    bob with an "extension" earlier than the due date (no extension)."""
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(gradebook, root / "gradebook.db")
    (root / deadlines.FILE).write_text(
        "assignment,student,due,note\n"
        f"a2,,{CSV_DUE},\n"
        f"a2,alice,{ALICE_DUE},illness\n"
        "a2,bob,2030-01-01T00:00:00,\n")
    return root


def utc(text: str) -> str:
    return dt.datetime.fromisoformat(text).astimezone(UTC).isoformat()


def test_each_student_sees_the_due_date_grading_uses_and_only_their_own_extension(course):
    alice = deadlines.student_view(course, "alice")
    assert alice == {
        "a1": {"due": GRADEBOOK_DUE.replace(tzinfo=UTC).isoformat(), "extended": None},
        "a2": {"due": utc(CSV_DUE), "extended": utc(ALICE_DUE)},
    }
    # bob's row is earlier than the due date: the grading gives him no extension either
    assert deadlines.student_view(course, "bob")["a2"] == {"due": utc(CSV_DUE), "extended": None}
    assert "illness" not in repr(alice) and utc(ALICE_DUE) not in repr(
        deadlines.student_view(course, "carol"))


def test_the_due_date_shown_is_the_one_make_grade_applies(course):
    """The oracle for "the date grading uses": deadlines.apply writes it into nbgrader's
    gradebook, and nbgrader reads it back."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        deadlines.apply(gb, deadlines.read(course), "a2", "alice")
    view = deadlines.student_view(course, "alice")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        stored = gb.find_assignment("a2").duedate.replace(tzinfo=UTC)
        extension = gb.find_submission("a2", "alice").extension
    assert view["a2"]["due"] == stored.isoformat()
    assert view["a2"]["extended"] == (stored + extension).isoformat()


def test_a_linked_deadlines_file_or_gradebook_is_not_followed(course, tmp_path):
    secret = tmp_path / "root-only.csv"
    secret.write_text((course / deadlines.FILE).read_text())
    (course / deadlines.FILE).unlink()
    (course / deadlines.FILE).symlink_to(secret)
    with pytest.raises(ToolError, match="symbolic link"):
        deadlines.student_view(course, "alice")
    (course / deadlines.FILE).unlink()
    db = course / "gradebook.db"
    db.rename(tmp_path / "elsewhere.db")
    db.symlink_to(tmp_path / "elsewhere.db")
    assert deadlines.student_view(course, "alice") == {}


class Tokens:
    """The hub's token check (HubAuth) stood in for: token -> the user model the hub
    would give, with that user's scopes."""

    def __init__(self, users: dict[str, tuple[str, list[str]]]):
        self.users = users

    def get_user(self, handler):
        token = handler.request.headers.get("Authorization", "").removeprefix("token ")
        if token in self.users:
            name, scopes = self.users[token]
            return {"name": name, "scopes": scopes}
        return None

    def check_scopes(self, required, model):
        return set(required) & set(model["scopes"])


@pytest.fixture
def grading_service(course):
    """The service's real ``/deadlines`` handler on 127.0.0.1, in a thread of its own;
    yields its URL (what ``$DP_GRADING_URL`` is on the hub)."""
    from tornado import httpserver, testing, web

    auth = Tokens({"alice-token": ("alice", [service.FEEDBACK_SCOPE]),
                   "bob-token": ("bob", [service.FEEDBACK_SCOPE]),
                   "instructor-token": ("ins", [service.SCOPE])})
    jobs = types.SimpleNamespace(course=types.SimpleNamespace(root=course, course_id=COURSE))
    app = web.Application([(r"/services/grading/deadlines/?", service.DeadlinesHandler,
                            {"hub_auth": auth, "jobs": jobs})])
    sock, port = testing.bind_unused_port()
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def run():
        asyncio.set_event_loop(loop)
        httpserver.HTTPServer(app).add_sockets([sock])
        loop.call_soon(started.set)
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield f"http://127.0.0.1:{port}/services/grading/"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        sock.close()


def released_exchange(tmp_path) -> Path:
    """A filesystem exchange with a1, a2 and a3 released (one notebook each)."""
    root = tmp_path / "exchange"
    for a in ("a1", "a2", "a3"):
        folder = root / COURSE / "outbound" / a
        folder.mkdir(parents=True)
        (folder / "n.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, '
                                        '"nbformat_minor": 5}')
    return root


def student_list(exchange: Path, home: Path) -> list[dict]:
    """What the student's server lists (the Assignments tab's endpoint calls this)."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    config = Config()
    config.Exchange.root = str(exchange)
    config.Exchange.assignment_dir = str(home)
    config.CourseDirectory.course_id = COURSE
    lister = dp_hub_exchange.ExchangeList(coursedir=CourseDirectory(config=config),
                                          authenticator=Authenticator(config=config),
                                          config=config)
    return lister.start()


def test_the_students_list_carries_their_own_due_dates_from_the_service(
        course, grading_service, tmp_path, monkeypatch):
    exchange, home = released_exchange(tmp_path), tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("DP_GRADING_URL", grading_service)
    dates = {}
    for student in ("alice", "bob"):
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", f"{student}-token")
        dates[student] = {r["assignment_id"]: (r["due_date"], r["extended_due_date"])
                          for r in student_list(exchange, home)}
    view = deadlines.student_view(course, "alice")
    assert dates["alice"] == {"a1": (view["a1"]["due"], None),
                              "a2": (utc(CSV_DUE), utc(ALICE_DUE)), "a3": (None, None)}
    assert dates["bob"]["a2"] == (utc(CSV_DUE), None)


def test_without_the_students_scope_or_the_service_the_list_is_nbgraders(
        course, grading_service, tmp_path, monkeypatch, caplog):
    import requests

    r = requests.get(grading_service + "deadlines", timeout=10,
                     headers={"Authorization": "token instructor-token"})
    assert r.status_code == 403 and service.FEEDBACK_SCOPE in r.json()["error"]
    assert requests.get(grading_service + "deadlines", timeout=10).status_code == 403
    exchange, home = released_exchange(tmp_path), tmp_path / "home"
    home.mkdir()
    plain = [r for r in student_list(exchange, home)]  # off the hub: no URL, no token
    assert plain and not any("due_date" in r for r in plain)
    monkeypatch.setenv("DP_GRADING_URL", grading_service)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "instructor-token")
    with caplog.at_level(logging.WARNING):
        refused = student_list(exchange, home)
    assert refused == plain and "no due dates" in caplog.text


def test_a_broken_deadlines_file_tells_the_student_nothing_of_it(course, grading_service):
    import requests

    (course / deadlines.FILE).write_text("assignment,student,due,note\na2,,secret-words,\n")
    r = requests.get(grading_service + "deadlines", timeout=10,
                     headers={"Authorization": "token alice-token"})
    assert r.status_code == 503 and "secret" not in r.text, r.text
