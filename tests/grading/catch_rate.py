"""The visible catch rate (issue 18): the table in tools/README.md, its goals, its checks.

How many of ``tests/mistakes/<assignment>/`` the VISIBLE tests catch (hidden tests
stripped, as a student runs the notebook before hand-in) is measured by the mistake
proof (:func:`grading.mistakes.prove_mistakes`, same kernel pass). The numbers live in
ONE place, a table in ``tools/README.md`` between ``<!-- visible-catch -->`` and
``<!-- /visible-catch -->``::

    | assignment | caught by visible tests | mistakes | rate | goal |
    |---|---:|---:|---:|---:|
    | 01_scalar_autodiff | 14 | 17 | 82% | 60% |
    | all | 90 | 132 | 68% | 75% |

Rules (each a check below):

* each assignment's row equals what is measured (caught, mistakes, rate rounded to a
  whole percent): the table is a proven fact, like ``release/``;
* an assignment whose goal is a percentage must reach it: caught / mistakes >= goal;
  a goal of ``-`` is not enforced (yet): the lead turns goals on by editing the table;
* the ``all`` row is the sum of the assignments' rows, and reaches its own goal;
* every assignment in ``source/`` has a row, and no row names a missing assignment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .builders import REPO

README = REPO / "tools" / "README.md"
BEGIN, END = "<!-- visible-catch -->", "<!-- /visible-catch -->"
OVERALL = "all"
HEADER = ("| assignment | caught by visible tests | mistakes | rate | goal |\n"
          "|---|---:|---:|---:|---:|")
_ROW = re.compile(r"^\|\s*(?P<name>[\w.-]+)\s*\|\s*(?P<caught>\d+)\s*\|\s*(?P<total>\d+)\s*\|"
                  r"\s*(?P<rate>\d+)%\s*\|\s*(?P<goal>\d+%|-)\s*\|\s*$")


@dataclass(frozen=True)
class Row:
    """One line of the table.

    Attributes:
        caught: mistakes the visible tests catch.
        total: mistake files of the assignment.
        rate: the percentage as written in the table.
        goal: the minimum percentage enforced, or None when the goal is ``-`` (off).
    """
    caught: int
    total: int
    rate: int
    goal: int | None


def percent(caught: int, total: int) -> int:
    """caught / total as a whole percentage, rounded half up (0 when there is nothing)."""
    return (200 * caught + total) // (2 * total) if total else 0


def format_row(name: str, caught: int, total: int, goal: int | None) -> str:
    goal_text = "-" if goal is None else f"{goal}%"
    return f"| {name} | {caught} | {total} | {percent(caught, total)}% | {goal_text} |"


def read_table(text: str) -> dict[str, Row]:
    """Parse the table between the markers of ``text`` (a README).

    Raises:
        ValueError: the markers are missing, or a line between them is neither the
            header nor a row of the documented form (the message names the line).
    """
    if BEGIN not in text or END not in text:
        raise ValueError(f"no visible catch table: expected lines {BEGIN} ... {END} "
                         "in tools/README.md")
    body = text.split(BEGIN, 1)[1].split(END, 1)[0]
    rows: dict[str, Row] = {}
    for line in body.strip().splitlines():
        if not line.strip() or line.strip() in HEADER.splitlines():
            continue
        match = _ROW.match(line.strip())
        if not match:
            raise ValueError(f"bad line in the visible catch table: {line!r}; expected "
                             "'| <assignment> | <caught> | <mistakes> | <rate>% | <goal>% or - |'")
        goal = match["goal"]
        rows[match["name"]] = Row(int(match["caught"]), int(match["total"]), int(match["rate"]),
                                  None if goal == "-" else int(goal[:-1]))
    return rows


def _goal_problem(name: str, caught: int, total: int, goal: int | None) -> list[str]:
    if goal is None or 100 * caught >= goal * total:
        return []
    return [f"{name}: visible tests catch {caught}/{total} = {percent(caught, total)}% of the "
            f"mistakes, below the goal of {goal}%. Strengthen the visible tests (never by "
            "removing or softening mistake files): tools/README.md, 'For notebook authors'."]


def assignment_problems(name: str, visible: dict[str, bool], table: dict[str, Row]) -> list[str]:
    """The measured catches of one assignment against its row of the table.

    Args:
        name: the assignment.
        visible: mistake file name -> caught by the visible tests (from the proof).
        table: :func:`read_table` of tools/README.md.

    Returns:
        Problems: row missing or different from the measurement, goal missed. Each names
        the missed mistakes, so an author sees what the visible tests let through.
    """
    caught, total = sum(visible.values()), len(visible)
    row = table.get(name)
    goal = row.goal if row else None
    problems = []
    if row is None or (row.caught, row.total, row.rate) != (caught, total, percent(caught, total)):
        says = format_row(name, row.caught, row.total, row.goal) if row else "nothing"
        problems.append(f"{name}: the visible catch table in tools/README.md says {says}; "
                        f"measured: {format_row(name, caught, total, goal)} (update the row, and "
                        f"the '{OVERALL}' row)")
    problems += _goal_problem(name, caught, total, goal)
    if problems:
        missed = sorted(k for k, v in visible.items() if not v)
        problems.append(f"{name}: missed by the visible tests: {', '.join(missed) or 'none'}")
    return problems


def table_problems(table: dict[str, Row], assignments: list[str]) -> list[str]:
    """Checks of the table alone (no kernel): rows match ``assignments``, totals, overall goal."""
    problems = [f"{a}: no row in the visible catch table of tools/README.md" for a in assignments
                if a not in table]
    problems += [f"{name}: row in the visible catch table, but no assignment source/{name}"
                 for name in table if name != OVERALL and name not in assignments]
    for name, row in table.items():
        if row.caught > row.total or row.rate != percent(row.caught, row.total):
            problems.append(f"{name}: the row is inconsistent: {row.caught}/{row.total} is "
                            f"{percent(row.caught, row.total)}%, not {row.rate}%")
    overall = table.get(OVERALL)
    if overall is None:
        return problems + [f"no '{OVERALL}' row in the visible catch table of tools/README.md"]
    caught = sum(r.caught for n, r in table.items() if n != OVERALL)
    total = sum(r.total for n, r in table.items() if n != OVERALL)
    if (overall.caught, overall.total) != (caught, total):
        problems.append(f"the '{OVERALL}' row must be the sum of the rows: "
                        f"{format_row(OVERALL, caught, total, overall.goal)}")
    return problems + _goal_problem(OVERALL, caught, total, overall.goal)


def readme_table(readme: Path = README) -> dict[str, Row]:
    return read_table(readme.read_text())
