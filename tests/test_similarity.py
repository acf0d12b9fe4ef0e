"""make similarity (tools/similarity.py): copied work found, for a person to judge.

The proof of issue 31: in a generated class of 01 (tests/grading/similar_class.py: 28
honest students built from the solution and tests/mistakes/ answers, rewritten the way
people differ, and two planted copies, one with every variable renamed, one with its
functions in reverse order) both copies rank at the top, at or above the stated
threshold (tools.similarity's default, 0.85), and no honest pair reaches it.
The time for 300 students is measured by ``python -m bench.similarity``, not here.
"""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from tests.grading import similar_class as sc
from tests.grading.builders import REPO, is_answer, new_course, submit
from tools import similarity

THRESHOLD = 0.85


@pytest.fixture(scope="module")
def ranked(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("sim") / "course", [sc.ASSIGNMENT])
    shutil.copytree(REPO / "release" / sc.ASSIGNMENT, course / "release" / sc.ASSIGNMENT)
    planted = sc.write_class(course, 28)
    grades_before = list((course / "submitted").rglob("*"))
    assert similarity.main([sc.ASSIGNMENT, "--course-dir", str(course), "--jobs", "1"]) == 0
    with (course / "autograded" / "similarity.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    return course, planted, rows, grades_before


def test_default_threshold_is_the_stated_one():
    assert f"default={THRESHOLD}" in (REPO / "tools" / "similarity.py").read_text()


def test_both_planted_copies_rank_at_the_top_and_no_honest_pair_reaches_the_threshold(ranked):
    _, planted, rows, _ = ranked
    pairs = [({r["student_a"], r["student_b"]}, float(r["score"])) for r in rows]
    top_two = [p for p, _ in pairs[:2]]
    assert {"renamer", "s003"} in top_two and {"reorderer", "s007"} in top_two
    assert all(score >= THRESHOLD for _, score in pairs[:2])
    honest = [score for p, score in pairs if not p & set(planted)]
    assert len(honest) > 300  # 28 students: 378 pairs, nearly all with some overlap
    assert max(honest) < THRESHOLD, max(honest)


def test_report_shows_pairs_side_by_side_and_changes_nothing(ranked):
    course, _, _, before = ranked
    page = (course / "autograded" / "similarity.html").read_text()
    assert page.index("renamer") < page.index("s012") if "s012" in page else True
    assert page.count("<mark>") > 10 and "class='side'" in page
    assert "<script" not in page.lower()
    assert list((course / "submitted").rglob("*")) == before
    assert not (course / "gradebook.db").exists()


def test_given_code_and_renaming_count_for_nothing():
    given = 'def f(a, b):\n    """doc"""\n    # YOUR CODE HERE\n    raise NotImplementedError()'
    student = 'def f(x, y):\n    """doc"""\n    return x + y'
    assert similarity.strip_given(student, given) == "    return x + y"
    a = "def g(p):\n    total = p * 2 + 1\n    for i in range(3):\n        total += i * p\n" \
        "    return total * total if total > 0 else -total\n"
    b = a.replace("total", "s").replace("p", "q").replace("i ", "k ").replace("g(", "h(")
    assert similarity.compare_all([a, b], None)[0][2:] == (1.0, 1.0)


def test_hostile_names_and_code_are_escaped_and_links_not_followed(tmp_path):
    course = new_course(tmp_path / "course", [sc.ASSIGNMENT])
    shutil.copytree(REPO / "release" / sc.ASSIGNMENT, course / "release" / sc.ASSIGNMENT)
    nb = sc.honest(1)
    evil = next(c for c in nb.cells if is_answer(c))
    evil.source += "\n# </pre><script>alert(1)</script>\nx = '<img src=x onerror=alert(1)>'\n"
    submit(course, "<b>eve<b>", sc.ASSIGNMENT, sc.NOTEBOOK, nb)
    submit(course, "mallory", sc.ASSIGNMENT, sc.NOTEBOOK, nb)
    secret = tmp_path / "secret.ipynb"
    secret.write_text(json.dumps({"cells": []}))
    linked = course / "submitted" / "linker" / sc.ASSIGNMENT
    linked.mkdir(parents=True)
    (linked / f"{sc.NOTEBOOK}.ipynb").symlink_to(secret)
    assert similarity.main([sc.ASSIGNMENT, "--course-dir", str(course), "--show", "5"]) == 0
    page = (course / "autograded" / "similarity.html").read_text()
    assert "<script" not in page and "<img" not in page and "<b>eve" not in page
    assert "&lt;b&gt;eve&lt;b&gt;" in page and "&lt;script&gt;" in page
    assert "linker" in page  # listed as not compared: its notebook is a link
