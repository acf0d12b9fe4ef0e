"""Feedback at submit time, without a hub: the limit per hour, what a request may say, which
submission is taken, and what the report shows (tools/grading/submit_feedback.py).

The hub test (tests/test_hub.py) proves the whole path on real users: submit, report,
the 4th request refused, the scores equal to the class's grading.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import time
from pathlib import Path

import pytest

from tools.grading import submit_feedback as sf

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
A = "01_scalar_autodiff"


def brute_force_allowed(times, now, per_hour):
    """The rule said the long way: minute by minute from now, the first minute at which
    fewer than ``per_hour`` accepted requests lie in the hour before it."""
    for minute in range(0, 24 * 60):
        at = now + dt.timedelta(minutes=minute)
        if sum(at - dt.timedelta(hours=1) < t <= at for t in times if t <= now) < per_hour:
            return None if minute == 0 else at
    raise AssertionError("never")


def test_next_allowed_agrees_with_the_rule_checked_minute_by_minute():
    rng = random.Random(0)
    for _ in range(300):
        per_hour = rng.randint(1, 4)
        times = sorted(T0 - dt.timedelta(minutes=rng.randint(0, 150))
                       for _ in range(rng.randint(0, 6)))
        got = sf.next_allowed(times, T0, per_hour)
        want = brute_force_allowed(times, T0, per_hour)
        if want is None:
            assert got is None, (times, per_hour)
        else:  # the exact instant lies in the minute before the first allowed minute
            assert got is not None and want - dt.timedelta(minutes=1) < got <= want, (
                times, per_hour, got, want)


def test_the_fourth_request_in_an_hour_is_refused_saying_when_the_next_is_allowed(tmp_path):
    limit = sf.RateLimit(tmp_path / "requests.json", per_hour=3)
    for minutes in (0, 10, 20):
        limit.take("alice", A, T0 + dt.timedelta(minutes=minutes))
    with pytest.raises(sf.Refused) as refused:
        limit.take("alice", A, T0 + dt.timedelta(minutes=30))
    assert refused.value.status == 429
    assert "next is allowed at 13:00 UTC" in str(refused.value), refused.value
    # refused requests do not count; others and other assignments are not limited
    limit.take("bob", A, T0 + dt.timedelta(minutes=30))
    limit.take("alice", "02_matrix_autodiff", T0 + dt.timedelta(minutes=30))
    # a new instance (the service restarted) reads the same file
    again = sf.RateLimit(tmp_path / "requests.json", per_hour=3)
    with pytest.raises(sf.Refused):
        again.take("alice", A, T0 + dt.timedelta(minutes=59))
    again.take("alice", A, T0 + dt.timedelta(minutes=60, seconds=1))  # the first left the hour


def test_a_limit_of_zero_refuses_every_request(tmp_path):
    with pytest.raises(sf.Refused, match="0 times"):
        sf.RateLimit(tmp_path / "r.json", per_hour=0).take("alice", A, T0)


@pytest.mark.parametrize("body, words", [
    ({"assignment": A, "student": "bob"}, "nothing else"),  # never someone else's
    ({}, "nothing else"),
    ([A], "nothing else"),
    ({"assignment": "../../etc/passwd"}, "letters, digits"),
    ({"assignment": f"{A}+bob"}, "letters, digits"),
    ({"assignment": ".hidden"}, "letters, digits"),
    ({"assignment": "a" * 101}, "letters, digits"),
    ({"assignment": 1}, "letters, digits"),
    ({"assignment": "99_unknown"}, "no assignment '99_unknown'"),
])
def test_a_request_says_an_assignment_and_nothing_else(body, words):
    with pytest.raises(sf.Refused, match=words):
        sf.check_request(body, "alice", {A})
    assert sf.check_request({"assignment": A}, "alice", {A}) == A


def test_the_student_is_the_tokens_owner_and_must_be_a_plain_name():
    with pytest.raises(sf.Refused, match="user name"):
        sf.check_request({"assignment": A}, "../root", {A})


def test_the_latest_submission_is_the_students_own_by_arrival_not_by_its_name(tmp_path):
    inbound = tmp_path / "inbound"
    inbound.mkdir()
    # names sort the other way round from arrival: the name is the student's to choose
    for name in (f"alice+{A}+2030-01-01 00:00:00 UTC", f"alice+{A}+2020-01-01 00:00:00 UTC"):
        (inbound / name).mkdir()
        (inbound / name / "n.ipynb").write_text(name)
        time.sleep(0.05)  # inode times tick in jiffies: one apart
    (inbound / f"alice1+{A}+2040-01-01 00:00:00 UTC").mkdir()  # another student
    (inbound / f"alice+{A}+2050").symlink_to(tmp_path)  # a link is never taken
    got = sf.latest_submission(inbound, "alice", A)
    assert got.name == f"alice+{A}+2020-01-01 00:00:00 UTC"
    # anyone may make a folder with alice's name in inbound/: only hers are taken
    assert sf.latest_submission(inbound, "alice", A, owner=os.getuid()) == got
    assert sf.latest_submission(inbound, "alice", A, owner=os.getuid() + 1) is None
    assert sf.latest_submission(inbound, "bob", A) is None
    with pytest.raises(sf.Refused):
        sf.latest_submission(inbound, "*", A)


def cell(gid, score, most, checks, matched, failed=()):
    return {"grade_id": gid, "score": score, "max_score": most, "passed": score >= most,
            "checks": checks, "matched": matched, "failed": list(failed)}


REPORT = {"student": "alice", "assignment": A, "score": 3.0, "max_score": 8.0,
          "cells": {"nb": [cell("test_a", 3, 3, 4, 4),
                           cell("test_b", 0, 5, 5, 4, ["grad of w at the secret point: "
                                                       "your value differs"])]}}


def test_the_report_counts_hidden_checks_and_names_none_until_allowed():
    when = T0
    text = sf.as_markdown(REPORT, sf.SubmitFeedback(), when)
    assert "**Autograded score: 3 / 8**" in text
    assert "| test_a | 3 / 3 | passed; 4 of 4 hidden checks passed |" in text
    assert "| test_b | 0 / 5 | not passed; 4 of 5 hidden checks passed |" in text
    assert "secret point" not in text and "differs" not in text
    full = sf.as_markdown(REPORT, sf.SubmitFeedback(show_hidden_details=True), when)
    assert "secret point" in full
    total = sf.as_markdown(REPORT, sf.SubmitFeedback(show_test_cells=False), when)
    assert "3 / 8" in total and "test_a" not in total
    assert "due date" not in text


def test_the_report_tells_the_due_date_and_whether_the_arrival_was_late():
    due = T0 + dt.timedelta(hours=1)
    on_time = sf.as_markdown(REPORT, sf.SubmitFeedback(), T0, due)
    assert "Your due date: 2026-03-01 13:00 UTC; this submission is on time" in on_time
    late = sf.as_markdown(REPORT, sf.SubmitFeedback(), due + dt.timedelta(minutes=90), due)
    assert "is LATE by 90 min" in late


def test_the_settings_are_read_from_the_courses_nbgrader_config():
    from traitlets.config.loader import PyFileConfigLoader

    from tools.course import REPO_ROOT

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT)).load_config()
    settings = sf.SubmitFeedback(config=config)
    assert (settings.max_per_hour, settings.show_hidden_details) == (3, False)
    assert config.SubmitFeedback.max_per_hour == 3  # set there, not only the default


def test_the_report_is_written_into_the_home_without_following_a_planted_name(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    path = sf.write_report(home, A, "# report\n")
    assert path.read_text() == "# report\n"
    assert not list(path.parent.glob(".*.tmp"))
    with pytest.raises(sf.Refused):
        sf.write_report(home, "../../x", "no")
    assert sorted(os.listdir(home)) == [sf.REPORTS]
    assert list(itertools.islice(path.parent.iterdir(), 2)) == [path]


def test_a_feedback_job_that_breaks_in_the_service_tells_the_student(tmp_path, monkeypatch):
    """Whatever goes wrong on the grader's side (here: the disk), the student's report
    stops saying "being graded" and says what happened to their submission."""
    import asyncio
    import sys
    import types

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hub"))
    import dp_grading_service as service

    written = []
    monkeypatch.setattr(sf, "write_report", lambda home, assignment, text, user, python:
                        written.append((assignment, text, user)))
    monkeypatch.setattr(service.pwd, "getpwnam",
                        lambda name: types.SimpleNamespace(pw_dir=str(tmp_path), pw_uid=4242))
    jobs = service.Jobs(types.SimpleNamespace(env_bin=tmp_path))

    async def broken(job):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jobs, "run", broken)
    job = jobs.add("alice", {"assignment": "01_x", "students": ["alice"], "force": True,
                             "jobs": 1}, kind="feedback")

    async def serve_until_done():
        server = asyncio.create_task(jobs.run_forever())
        while job["finished"] is None:
            await asyncio.sleep(0.01)
        server.cancel()

    asyncio.run(asyncio.wait_for(serve_until_done(), 10))
    assert job["state"] == "failed" and "No space left" in job["output"]
    assert [(a, u) for a, _, u in written] == [("01_x", "alice")], written
    assert "failed" in written[0][1] and "safe" in written[0][1], written[0][1]
