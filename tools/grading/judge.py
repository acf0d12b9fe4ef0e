"""The judge: a test cell's points come from comparing records, in the grader's process.

The rule (issue 24):

    A test cell earns its points if and only if
      1. the kernel replied "ok" to each part of the cell and it shows no error, and
      2. the records the student's run produced while the cell ran equal the records
         of the instructor's reference run of the same cell: the same names in the
         same order, each of the same kind, and every number within the tolerance
         the reference declared (``|student - reference| <= atol + rtol * |reference|``).
    Anything missing, extra, duplicated, malformed or different gives 0 for the cell.

Nothing the student's kernel says about passing or failing counts: the records are
values (``hidden_checks.plain``), the tolerances come from the reference only, and
the comparison runs here. A record is data from a hostile process, so every field
is checked before use and anything unexpected is a mismatch, never an error.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from nbgrader import utils
from nbgrader.preprocessors import SaveAutoGrades
from traitlets import Unicode

from tools.grading import metadata

DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float16", "float32", "float64"}
MAX_ELEMENTS = 100_000


# ------------------------------------------------------------------ values
def _number(value) -> float:
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("a number is a hex float string")
    return float.fromhex(value)


def _close(got: float, want: float, rtol: float, atol: float) -> bool:
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    if math.isinf(want) or math.isinf(got):
        return got == want
    return abs(got - want) <= atol + rtol * abs(want)


def _array(value: dict) -> np.ndarray:
    dtype, shape = value.get("dtype"), value.get("shape")
    if dtype not in DTYPES:
        raise ValueError(f"dtype {dtype!r}")
    if not (isinstance(shape, list) and len(shape) <= 8
            and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n for n in shape)):
        raise ValueError("shape")
    size = math.prod(shape)
    if size > MAX_ELEMENTS:
        raise ValueError("too many elements")
    data = base64.b64decode(value.get("data", ""), validate=True)
    kind = np.dtype(dtype).newbyteorder("<")
    if len(data) != size * kind.itemsize:
        raise ValueError("data does not fit dtype and shape")
    return np.frombuffer(data, dtype=kind).reshape(shape)


def same(got, want, rtol: float, atol: float) -> bool:
    """Whether plain value ``got`` (the student's) matches ``want`` (the reference's).

    Both are ``hidden_checks.plain`` data; ``got`` may be anything at all.
    """
    try:
        return _same(got, want, rtol, atol)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
        return False


def _same(got, want, rtol, atol) -> bool:
    if not isinstance(got, dict) or got.get("kind") != want["kind"]:
        return False
    kind = want["kind"]
    if kind == "none":
        return True
    if kind in ("bool", "str", "exception"):
        return type(got.get("value")) is type(want["value"]) and got["value"] == want["value"]
    if kind == "number":
        return _close(_number(got["value"]), _number(want["value"]), rtol, atol)
    if kind == "array":
        a, b = _array(got), _array(want)
        if a.shape != b.shape:
            return False
        if b.dtype.kind == "b" or a.dtype.kind == "b":
            return a.dtype.kind == b.dtype.kind and bool(np.array_equal(a, b))
        a, b = a.astype(np.float64), b.astype(np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            close = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True)
        return bool(close.all())
    if kind in ("seq", "set"):
        items, expected = got.get("items"), want["items"]
        return (isinstance(items, list) and len(items) == len(expected)
                and all(_same(g, w, rtol, atol) for g, w in zip(items, expected)))
    if kind == "dict":
        items, expected = got.get("items"), want["items"]
        if not (isinstance(items, list) and len(items) == len(expected)):
            return False
        for pair, (key, value) in zip(items, expected):
            if not (isinstance(pair, list) and len(pair) == 2):
                return False
            if not (_same(pair[0], key, 0.0, 0.0) and _same(pair[1], value, rtol, atol)):
                return False
        return True
    return False  # "unconvertible" and anything unknown never match


# ------------------------------------------------------------------ kinds of records
def _kinds(value) -> set[str]:
    """Every kind inside a plain value (a dict of floats has "dict" and "number")."""
    if not isinstance(value, dict):
        return set()
    out = {value.get("kind")}
    if value.get("kind") in ("seq", "set"):
        for item in value.get("items", []):
            out |= _kinds(item)
    elif value.get("kind") == "dict":
        for pair in value.get("items", []):
            out |= _kinds(pair[0]) | _kinds(pair[1])
    elif value.get("kind") == "array" and value.get("dtype") != "bool":
        out.add("number")
    return out


TIGHT_RTOL = 1e-5
TIGHT_ATOL = 1e-6


def is_real_and_tight(record: dict) -> bool:
    """A record that cannot be guessed: real numbers inside, compared at a tight tolerance
    (``rtol <= 1e-5`` and ``atol <= 1e-6``)."""
    return ("number" in _kinds(record.get("value"))
            and record.get("rtol", 1) <= TIGHT_RTOL and record.get("atol", 1) <= TIGHT_ATOL)


# ------------------------------------------------------------------ one test cell
@dataclass
class Verdict:
    """The judge's verdict on one test cell."""

    passed: bool
    checks: int  # the reference's records in this cell
    matched: int  # of those, how many the student's run matched
    failed: list[str] = field(default_factory=list)  # the reference's words of each failed check
    problems: list[str] = field(default_factory=list)  # unexpected or malformed records

    def as_dict(self) -> dict:
        return asdict(self)


def judge_cell(reference: list[dict], student: list) -> Verdict:
    """Compare a test cell's records (see the module docstring).

    Each reference check is matched with the student's record of the same name (the
    reference's names are unique in a cell, ``reference.py`` makes sure): a missing,
    duplicated or different one is a failed check. Student records under other names
    are problems. The cell passes only when the two name sequences are identical and
    every check matched.
    """
    names = []
    by_name: dict[str, list] = {}
    problems = []
    for item in student if isinstance(student, list) else []:
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str):
            problems.append("a malformed record")
            continue
        names.append(name)
        by_name.setdefault(name, []).append(item)
    failed, matched = [], 0
    for ref in reference:
        got = by_name.get(ref["name"], [])
        if len(got) == 1 and same(got[0].get("value"), ref["value"], ref["rtol"], ref["atol"]):
            matched += 1
        elif not got:
            failed.append(f"{ref['name']}: not reached")
        elif len(got) > 1:
            failed.append(f"{ref['name']}: recorded {len(got)} times")
        else:
            failed.append(f"{ref['name']}: your value differs")
    expected = [ref["name"] for ref in reference]
    unexpected = [n for n in dict.fromkeys(names) if n not in set(expected)]
    problems += [f"unexpected record {n[:80]!r}" for n in unexpected]
    if not failed and not problems and names != expected:
        problems.append("records in a different order")
    passed = not failed and not problems and names == expected and bool(reference)
    return Verdict(passed, len(reference), matched, failed, problems)


# ------------------------------------------------------------------ the reference file
def load_reference(folder: str | Path, notebook: str) -> dict[str, list[dict]]:
    """grade_id -> reference records of each graded test cell of ``notebook``."""
    path = Path(folder) / f"{notebook}.json"
    return json.loads(path.read_text())["cells"]


class SaveJudgedGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades, scoring autograded test cells by the judge's rule.

    ``reference_dir`` (set by ``tools.grading`` for each run) holds the reference
    records, one ``<notebook>.json`` per notebook. Without it nothing is scored: plain
    ``nbgrader autograde`` with this config refuses instead of trusting the kernel.
    """

    reference_dir = Unicode("", help="Folder of the reference run's records "
                                     "(set by tools.grading).").tag(config=True)

    def preprocess(self, nb, resources):
        if not self.reference_dir:
            raise RuntimeError("no reference records: grade with `python -m tools.grading` "
                               "(make grade), which runs the instructor's solution first")
        self._reference = load_reference(self.reference_dir, resources["unique_key"])
        return super().preprocess(nb, resources)

    def _add_score(self, cell, resources):
        if not (utils.is_grade(cell) and cell.cell_type == "code" and not utils.is_solution(cell)):
            return super()._add_score(cell, resources)
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        reference = self._reference.get(grade_id)
        if reference is None:
            verdict = Verdict(False, 0, 0, problems=["no reference records for this cell"])
        elif metadata.records_dropped(cell):
            verdict = Verdict(False, len(reference), 0,
                              problems=[metadata.records_dropped(cell)])
        else:
            verdict = judge_cell(reference, metadata.records(cell))
        metadata.of_cell(cell)["verdict"] = verdict.as_dict()
        grade = self.gradebook.find_grade(grade_id, self.notebook_id, self.assignment_id,
                                          self.student_id)
        points = float(cell.metadata["nbgrader"]["points"])
        grade.auto_score = points if metadata.ran_ok(cell) and verdict.passed else 0.0
        grade.needs_manual_grade = grade.manual_score is not None
        self.gradebook.db.commit()
