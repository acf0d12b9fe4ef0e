"""The assignments' time estimates in course/README.md agree with a stated model (issue 27).

The model (course/README.md, notes, "Time estimates"), per assignment, in minutes:

    reading  = words a student reads (the released notebook: text and visible code) / 200
    writing  = per answer cell 5 to 10 min + per line of its reference solution 1 to 2 min
               + per point of a written answer 5 to 10 min
    running  = 3 runs of the reference solution (seconds measured once, stored in
               tests/assignment_run_times.json; no notebook runs here)
    estimate = reading + writing + running, a range from the low to the high rates

The table's time of each assignment must lie in that range. Reading and counting uses
the notebooks' JSON only: the test costs milliseconds.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
RUN_TIMES = Path(__file__).with_name("assignment_run_times.json")

WORDS_PER_MINUTE = 200
MINUTES_PER_ANSWER = (5, 10)
MINUTES_PER_SOLUTION_LINE = (1, 2)
MINUTES_PER_WRITTEN_POINT = (5, 10)
RUNS = 3

_SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)


def _docs_build():
    spec = importlib.util.spec_from_file_location("_times_docs_build", REPO / "docs" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table_hours() -> dict[str, float]:
    """Assignment -> hours, from the time column of course/README.md (docs/build.py's reader)."""
    build = _docs_build()
    times = build._times(build._course_table((REPO / "course" / "README.md").read_text()))
    hours = {}
    for target, text in times.items():
        if "/release/" not in target:
            continue
        match = re.fullmatch(r"(\d+(?:\.\d+)?) h|(\d+) min", text)
        assert match, f"{target}: time {text!r}, expected e.g. '2.5 h' or '45 min'"
        hours[target.split("/")[-2]] = (float(match[1]) if match[1] else int(match[2]) / 60)
    return hours


def counts(assignment: str) -> dict[str, int]:
    """What the model counts: words read, answer cells, solution lines, written points."""
    released = next((REPO / "release" / assignment).glob("*.ipynb"))
    words = sum(len(cell.source.split()) for cell in nbformat.read(released, as_version=4).cells)
    answers = lines = written = 0
    source = next((REPO / "source" / assignment).glob("*.ipynb"))
    for cell in nbformat.read(source, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution") or meta.get("grade_id", "").startswith("predict_"):
            continue
        if cell.cell_type == "markdown":
            written += int(meta.get("points", 0))
            continue
        answers += 1
        for solution in _SOLUTION.findall(_HIDDEN.sub("", cell.source)):
            lines += sum(1 for line in solution.splitlines()
                         if line.strip() and not line.strip().startswith("#"))
    return {"words": words, "answers": answers, "lines": lines, "written": written}


def estimate_minutes(count: dict[str, int], run_seconds: float) -> tuple[float, float]:
    """(low, high) minutes of the model in the module docstring."""
    fixed = count["words"] / WORDS_PER_MINUTE + RUNS * run_seconds / 60

    def writing(rate: int) -> float:
        return (count["answers"] * MINUTES_PER_ANSWER[rate]
                + count["lines"] * MINUTES_PER_SOLUTION_LINE[rate]
                + count["written"] * MINUTES_PER_WRITTEN_POINT[rate])

    return fixed + writing(0), fixed + writing(1)


def run_seconds() -> dict[str, float]:
    return json.loads(RUN_TIMES.read_text())["seconds"]


def assignments() -> list[str]:
    return sorted(path.parent.name for path in (REPO / "source").glob("*/*.ipynb"))


@pytest.mark.parametrize("assignment", assignments())
def test_table_time_is_within_the_model(assignment):
    hours = table_hours()
    assert assignment in hours, f"course/README.md has no time for {assignment}"
    assert assignment in run_seconds(), (
        f"{RUN_TIMES.name} has no measured run time for {assignment}: run its source "
        "notebook once, timed (see the file's 'how')")
    low, high = estimate_minutes(counts(assignment), run_seconds()[assignment])
    mid = (low + high) / 2
    print(f"\n{assignment}: {counts(assignment)}, model {low / 60:.1f}-{high / 60:.1f} h "
          f"(middle {mid / 60:.2f} h), table {hours[assignment]:g} h")
    assert low <= 60 * hours[assignment] <= high, (
        f"{assignment}: course/README.md says {hours[assignment]:g} h; the model gives "
        f"{low / 60:.1f} to {high / 60:.1f} h (middle {mid / 60:.1f} h)")


def test_model_counts_and_range_fail_where_they_should():
    count = {"words": 2000, "answers": 2, "lines": 10, "written": 1}
    low, high = estimate_minutes(count, run_seconds=60)
    assert (low, high) == (10 + 3 + 10 + 10 + 5, 10 + 3 + 20 + 20 + 10)
    assert counts("01_scalar_autodiff")["written"] == 3      # its one written answer, 3 points
    assert not 60 * 10 <= high                                  # 10 h would be out of range
