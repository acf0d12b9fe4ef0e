"""Hand grading a class can afford (issue 27), computed from the nbgrader metadata of source/.

The model (tools/README.md, "Hand grading"): a manually graded answer costs a grader
half a minute to open and read, plus half a minute per point, each point being one
part (bullet) of its mark scheme, at most three. The whole course must cost at most
15 minutes per student, and no assignment may have more than 15% of its points graded
by hand. Predictions (``predict_*``) carry no points.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "source").glob("*/*.ipynb"))

MINUTES_PER_ANSWER = 0.5
MINUTES_PER_POINT = 0.5
MAX_MINUTES_PER_STUDENT = 15.0
MAX_MANUAL_SHARE = 0.15
MAX_POINTS_PER_ANSWER = 3


def manual_and_auto(path: Path):
    """(manual answers [(grade_id, points, solution)], autograded points) of one notebook."""
    manual, auto = [], 0.0
    for cell in nbformat.read(path, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade") and not meta.get("task"):
            continue
        points = float(meta.get("points", 0))
        if meta.get("task") or meta.get("solution"):      # graded by a person
            manual.append((meta["grade_id"], points, cell.source))
        else:
            auto += points
    return manual, auto


def minutes(manual) -> float:
    return sum(MINUTES_PER_ANSWER + MINUTES_PER_POINT * points for _, points, _ in manual)


def table() -> list[tuple[str, float, int, float, float, float]]:
    rows = []
    for path in NOTEBOOKS:
        manual, auto = manual_and_auto(path)
        m = sum(p for _, p, _ in manual)
        rows.append((path.parent.name, m, len(manual), auto, m / (m + auto), minutes(manual)))
    return rows


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_manual_share_and_answer_size(path):
    manual, auto = manual_and_auto(path)
    m = sum(p for _, p, _ in manual)
    assert m / (m + auto) <= MAX_MANUAL_SHARE, (
        f"{path.parent.name}: {m:g} of {m + auto:g} points are graded by hand "
        f"({m / (m + auto):.0%}, at most {MAX_MANUAL_SHARE:.0%}): turn a checkable answer "
        f"into an autograded check")
    for grade_id, points, solution in manual:
        assert 0 < points <= MAX_POINTS_PER_ANSWER, (
            f"{grade_id}: {points:g} points (1 to {MAX_POINTS_PER_ANSWER})")
        parts = re.findall(r"^(?:\d+\.|[*-]) ", solution, flags=re.M)
        assert len(parts) <= MAX_POINTS_PER_ANSWER, (
            f"{grade_id}: the model answer has {len(parts)} parts; "
            f"a mark scheme has at most {MAX_POINTS_PER_ANSWER}")
        assert mark_scheme_points(solution) == points, (
            f"{grade_id}: the solution must open with a mark scheme for its {points:g} "
            f"point(s), '**Mark scheme ({points:g} point...):**', found "
            f"{mark_scheme_points(solution)}")


def mark_scheme_points(solution: str) -> float | None:
    """The points named by the solution's ``**Mark scheme (N point(s)`` line, None without one."""
    found = re.findall(r"^\*\*Mark scheme \((\d+) points?\b", solution, flags=re.M)
    return float(found[0]) if len(found) == 1 else None


def test_mark_scheme_rule_fails_where_it_should():
    assert mark_scheme_points("### BEGIN SOLUTION\n**Mark scheme (3 points, per part):** x") == 3
    assert mark_scheme_points("**Mark scheme (1 point):** x") == 1
    assert mark_scheme_points("1. a model answer without a scheme") is None
    assert mark_scheme_points("**Mark scheme (1 point):** a\n**Mark scheme (2 points):** b") is None


def test_minutes_per_student():
    rows = table()
    total = sum(row[5] for row in rows)
    report = "\n".join(f"{name:26s} manual {m:4g} pts in {n} answer(s), autograded {a:4g}, "
                       f"share {s:4.0%}, {t:4.1f} min" for name, m, n, a, s, t in rows)
    assert total <= MAX_MINUTES_PER_STUDENT, (
        f"hand grading takes {total:.1f} minutes per student "
        f"(at most {MAX_MINUTES_PER_STUDENT:g}):\n{report}")
    print(f"\n{report}\ntotal: {total:.1f} minutes per student")
