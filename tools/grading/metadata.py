"""The grading record: what the grader writes into a graded notebook's metadata, and reads back.

Everything under the key ``"grading"`` is written by the grader's own process,
never taken from a submission: :func:`clear` deletes whatever a submitted notebook
brought under that key before its first cell runs. Each part has one writer::

    cell.metadata["grading"]
        "run"       {"status", "ename"}  reply to the cell (to its visible part, for a
                                         test cell with hidden tests)          execute.py
        "hidden"    {"status", "ename", "outputs_from"}  reply to the hidden part, and
                                         where its outputs start               execute.py
        "records"   [record, ...]       what hidden_checks.record sent while the cell
                                         ran, in order                          execute.py
        "records_dropped"  why          records over the size caps were dropped execute.py
        "verdict"   {"passed", "checks", "matched", "failed", "problems"}      judge.py
    nb.metadata["grading"]
        "nonce", "probes"               the after-run probes (tamper.py)       execute.py
        "truncated" [what, ...]         outputs cut to size                    limit_output.py

Readers: the judge (``judge.py``), the feedback (``feedback.py``), the status line and
review (``grade.py``, ``tamper.py``).
"""

from __future__ import annotations

KEY = "grading"


def clear(nb) -> None:
    """Delete every grading record a notebook brings (before the grader writes its own)."""
    nb.metadata.pop(KEY, None)
    for cell in nb.cells:
        cell.get("metadata", {}).pop(KEY, None)


def of_cell(cell) -> dict:
    """The cell's grading record, created empty when missing (for writers)."""
    if not isinstance(cell.metadata.get(KEY), dict):
        cell.metadata[KEY] = {}
    return cell.metadata[KEY]  # NotebookNode stores a copy of a dict: return what it holds


def of_notebook(nb) -> dict:
    """The notebook's grading record, created empty when missing (for writers)."""
    if not isinstance(nb.metadata.get(KEY), dict):
        nb.metadata[KEY] = {}
    return nb.metadata[KEY]


def _read(cell, part: str):
    record = cell.get("metadata", {}).get(KEY)
    return record.get(part) if isinstance(record, dict) else None


def run(cell) -> dict | None:
    """The reply to the cell (its visible part), or None: it never ran."""
    value = _read(cell, "run")
    return value if isinstance(value, dict) else None


def hidden(cell) -> dict | None:
    """The reply to the cell's hidden part, or None: it has none, or it was never sent."""
    value = _read(cell, "hidden")
    return value if isinstance(value, dict) else None


def records(cell) -> list:
    """The records received while the cell ran (empty when none)."""
    value = _read(cell, "records")
    return value if isinstance(value, list) else []


def records_dropped(cell) -> str:
    return str(_read(cell, "records_dropped") or "")


def verdict(cell) -> dict | None:
    value = _read(cell, "verdict")
    return value if isinstance(value, dict) else None


def ran_ok(cell) -> bool:
    """The kernel replied "ok" to every part of the cell that was sent, and no part was
    skipped, and the cell shows no error."""
    parts = [run(cell)]
    if _read(cell, "hidden") is not None:
        parts.append(hidden(cell))
    if any(part is None or part.get("status") != "ok" for part in parts):
        return False
    return not any(o.get("output_type") == "error" for o in cell.get("outputs", []))


def hidden_sent(cell) -> bool:
    """The cell's hidden part went to the kernel (from then on, the kernel has seen it)."""
    part = hidden(cell)
    return bool(part and part.get("sent"))


def truncations(nb) -> list[str]:
    """What the output limits cut in ``nb`` (the autograded notebook)."""
    record = nb.get("metadata", {}).get(KEY, {})
    return list(record.get("truncated", [])) if isinstance(record, dict) else []


def probes(nb) -> dict | None:
    record = nb.get("metadata", {}).get(KEY)
    return record if isinstance(record, dict) and "probes" in record else None
