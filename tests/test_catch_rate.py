"""Visible tests that teach (issue 18): how many plausible wrong answers they catch.

The catch rate per assignment is measured in the mistake proof's kernel pass
(tests/grading/mistakes.py: each test cell is run once with its hidden tests stripped,
as a student runs it before hand-in, then in full) and must equal, and reach the goal
of, the table in tools/README.md (rules: tests/grading/catch_rate.py). The goals are
data: the table's ``goal`` column, ``-`` where not enforced yet.

Cost: the per-assignment test shares the proof's single kernel pass with
``test_each_mistake_loses_its_cells_points`` (same xdist group, cached result); the
stripped test cells add a few cells per mistake. The other tests read a table only.
"""

from __future__ import annotations

import sys

import pytest

from grading import builders as b
from grading import catch_rate as cr
from grading import mistakes as m

sys.path.insert(0, str(b.REPO))
from tools.course import source_assignments  # noqa: E402

ASSIGNMENTS = source_assignments(b.REPO)


@pytest.mark.grading
@pytest.mark.parametrize("assignment", [
    pytest.param(a, marks=pytest.mark.xdist_group(f"grading-mistakes-{a}")) for a in ASSIGNMENTS])
def test_visible_tests_catch_the_goal_and_the_table_says_so(assignment):
    proof = m.assignment_proof(assignment)
    assert proof.visible, (
        f"{assignment}: no mistake was tried (see test_each_mistake_loses_its_cells_points)")
    problems = cr.assignment_problems(assignment, proof.visible, cr.readme_table())
    assert not problems, "\n".join(problems)


@pytest.mark.xdist_group("grading-static")
def test_visible_catch_table_is_complete_consistent_and_meets_the_overall_goal():
    problems = cr.table_problems(cr.readme_table(), ASSIGNMENTS)
    assert not problems, "\n".join(problems)


@pytest.mark.xdist_group("grading-static")
def test_catch_rate_rules_fail_where_they_should():
    text = f"""intro
{cr.BEGIN}
{cr.HEADER}
| a1 | 3 | 4 | 75% | 60% |
| a2 | 1 | 4 | 25% | - |
| all | 4 | 8 | 50% | - |
{cr.END}
"""
    table = cr.read_table(text)
    assert table["a1"] == cr.Row(3, 4, 75, 60) and table["a2"].goal is None
    assert cr.table_problems(table, ["a1", "a2"]) == []

    seen = {"x1.py": True, "x2.py": True, "x3.py": True, "x4.py": False}
    assert cr.assignment_problems("a1", seen, table) == []
    # one catch fewer: the row is stale AND the goal (60%) is missed; the miss is named
    worse = dict(seen, **{"x3.py": False})
    problems = cr.assignment_problems("a1", worse, table)
    assert any("measured: | a1 | 2 | 4 | 50% | 60% |" in p for p in problems), problems
    assert any("below the goal of 60%" in p for p in problems), problems
    assert any("missed by the visible tests: x3.py, x4.py" in p for p in problems), problems
    # a goal of '-' is not enforced, but the row must still be true
    assert cr.assignment_problems("a2", {"y1.py": True, "y2.py": False, "y3.py": False,
                                         "y4.py": False}, table) == []
    assert cr.assignment_problems("new", seen, table)[0].startswith("new: the visible catch table")

    # the overall goal, the sum, missing and stale rows, a wrong percentage
    bad = cr.read_table(text.replace("| all | 4 | 8 | 50% | - |", "| all | 4 | 8 | 50% | 75% |"))
    problems = cr.table_problems(bad, ["a1", "a2"])
    assert any("all: visible tests catch 4/8 = 50%" in p for p in problems)
    bad = cr.read_table(text.replace("| all | 4 | 8 |", "| all | 5 | 8 |").replace("50%", "63%"))
    assert any("must be the sum" in p for p in cr.table_problems(bad, ["a1", "a2"]))
    problems = cr.table_problems(table, ["a1", "a3"])
    assert any("a3: no row" in p for p in problems) and any("a2: row in" in p for p in problems)
    bad = cr.read_table(text.replace("| 75% | 60% |", "| 80% | 60% |"))
    assert any("a1: the row is inconsistent" in p for p in cr.table_problems(bad, ["a1", "a2"]))
    for broken in (text.replace(cr.END, ""), text.replace("| 75% |", "| 75 |")):
        with pytest.raises(ValueError, match="visible catch table"):
            cr.read_table(broken)
    assert cr.percent(2, 3) == 67 and cr.percent(1, 8) == 13 and cr.percent(0, 0) == 0
