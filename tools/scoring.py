"""Scores a test cell earns only by running without error, recorded outside the kernel.

nbgrader 0.9.6 scores a test cell from its outputs: the FIRST ``execute_result``
decides, and a result that is not a number counts as full marks, even when an error
follows (a ``pre_run_cell`` event calling ``displayhook("ok")`` earned full marks).
This course's rule instead:

    A test cell earns its points if and only if the kernel's execute reply for it
    had status "ok" and the cell has no error output. Otherwise it earns 0 (an
    error, a timeout, a dead kernel, a cell that never ran).

    Partial credit: only in a test cell whose metadata says
    ``"grading": {"partial_credit": true}`` (set by the author in source/; the course
    has none today), a cell that ran without error earns
    ``min(max(number, 0), points)`` where ``number`` is its LAST ``execute_result``
    read as a number (full points when there is none or it is not a number).

The reply status is recorded by :class:`RecordingExecute`, the grader's Execute
preprocessor, in the grader's process as each reply arrives, under
``cell.metadata["grading"]["run"]``. Anything a submission brings in that key is
deleted before the first cell runs, so a student cannot pre-fill it. The same
preprocessor runs the after-run probes of ``tools.tamper`` and stores their results
in ``nb.metadata["grading"]``, also cleared first.

Stderr output no longer zeroes a test cell (nbgrader's rule did): a warning printed
by a correct answer is not a failure; a failed check raises.
"""

from __future__ import annotations

import math
import secrets

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import SaveAutoGrades

from tools import tamper
from tools.sandbox import SandboxedExecute

KEY = "grading"
STDOUT_KEPT = 20_000  # characters of a probe's stdout kept for judging (its report is a few KB)


def run_record(cell) -> dict | None:
    """What :class:`RecordingExecute` recorded for ``cell`` (None: never ran)."""
    record = cell.get("metadata", {}).get(KEY)
    return record.get("run") if isinstance(record, dict) else None


def earned(cell, max_points: float) -> float:
    """Points a test cell earns under this module's rule (see the module docstring)."""
    record = run_record(cell)
    if not isinstance(record, dict) or record.get("status") != "ok":
        return 0.0
    if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
        return 0.0
    if cell.metadata[KEY].get("partial_credit") is not True:
        return max_points
    results = [o for o in cell.outputs if o.get("output_type") == "execute_result"]
    if not results:
        return max_points
    try:
        number = float(results[-1].get("data", {}).get("text/plain", ""))
    except ValueError:
        return max_points
    return min(max(number, 0.0), max_points) if math.isfinite(number) else 0.0


class RecordingExecute(SandboxedExecute):
    """nbgrader's Execute, sandboxed, that records each cell's reply status and runs the probes.

    It builds on :class:`tools.sandbox.SandboxedExecute` (the kernel in bubblewrap, the
    notebook's time budget; plain nbgrader Execute when ``Sandbox.enabled`` is False), so
    one preprocessor replaces nbgrader's ``Execute`` in autograde.
    """

    def preprocess(self, nb, resources=None, km=None):
        for cell in nb.cells:  # a submission must not bring its own records
            record = cell.get("metadata", {}).get(KEY)
            if isinstance(record, dict):
                record.pop("run", None)
            elif KEY in cell.get("metadata", {}):
                del cell.metadata[KEY]
        nonce = "p" + secrets.token_hex(12)
        before, after = tamper.probes(nb, nonce)
        ran = [(probe, nbformat.v4.new_code_cell(probe.source)) for probe in before + after]
        student_cells = nb.cells
        probes_before = [c for p, c in ran[:len(before)]]
        probes_after = [c for p, c in ran[len(before):]]
        nb.cells = probes_before + student_cells + probes_after
        self._probe_ids = {id(c) for _, c in ran}
        try:
            return super().preprocess(nb, resources, km)
        finally:
            nb.cells = student_cells
            nb.metadata[KEY] = {"nonce": nonce, "probes": [
                _probe_result(probe, cell) for probe, cell in ran if run_record(cell)]}

    def preprocess_cell(self, cell, resources, index):
        if id(cell) in getattr(self, "_probe_ids", ()):
            if self._stopped is not None:  # kernel dead or budget spent: no record, so REVIEW
                return cell, resources
            self._check_assign_resources(resources)
            try:
                return self.execute_cell(cell, index, store_history=False), self.resources
            except Exception as exc:  # nbclient's DeadKernelError and friends  # noqa: BLE001
                kernel_failures = ("DeadKernelError", "RuntimeError", "CellTimeoutError")
                if type(exc).__name__ not in kernel_failures:
                    raise
                return cell, resources
        return super().preprocess_cell(cell, resources, index)

    def on_cell_executed(self, **kwargs):
        super().on_cell_executed(**kwargs)  # nbgrader: adds the timeout's error output
        content = kwargs["execute_reply"]["content"]
        record = {"status": content.get("status")}
        if content.get("status") == "error":
            record["ename"] = str(content.get("ename", ""))[:200]
        kwargs["cell"].metadata.setdefault(KEY, {})["run"] = record


def _probe_result(probe: tamper.Probe, cell) -> dict:
    stdout = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream"
                     and o.get("name") == "stdout")
    record = run_record(cell)
    return {"kind": probe.kind, "what": probe.what, "status": record.get("status"),
            "ename": record.get("ename", ""), "stdout": stdout[:STDOUT_KEPT]}


class SaveRecordedGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades with this module's scoring rule for autograded test cells."""

    def _add_score(self, cell, resources):
        if not (utils.is_grade(cell) and cell.cell_type == "code" and not utils.is_solution(cell)):
            return super()._add_score(cell, resources)
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                          self.assignment_id, self.student_id)
        grade.auto_score = earned(cell, float(cell.metadata["nbgrader"]["points"]))
        grade.needs_manual_grade = grade.manual_score is not None
        self.gradebook.db.commit()
