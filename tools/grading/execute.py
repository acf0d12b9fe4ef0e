"""The grader's executor: runs a notebook in the sandbox and records, outside the kernel,
what the judge and the feedback need.

:class:`RecordingExecute` is nbgrader's ``Execute`` preprocessor, sandboxed
(:class:`tools.grading.sandbox.SandboxedExecute`), with four additions:

* **Nothing recorded comes from the notebook**: every grading record a submission
  brings (``tools.grading.metadata``) is deleted before the first cell runs.
* **Replies, recorded as they arrive**: the kernel's execute reply of each cell
  (status, exception name) goes into the cell's grading record.
* **Test cells run in two parts**: the visible tests first, then, only when they
  passed, the hidden part (from ``### BEGIN HIDDEN TESTS``) as a second execution.
  Tracebacks of the visible part quote visible lines only, and the feedback knows
  exactly which outputs came from hidden code (``outputs_from``), and from which cell
  on the kernel has seen hidden code at all.
* **Records are taken out of the output stream**: a ``display_data`` carrying
  ``hidden_checks.MIME`` never becomes an output; it is appended to the records of
  the cell that is running, within size caps (over them, the cell's records are
  dropped, which the judge scores 0).

It also runs the after-run probes of ``tools.grading.tamper`` (advice for a person,
never a score) and stores their results in the notebook's grading record.
"""

from __future__ import annotations

import json
import secrets

import nbformat
from nbgrader import utils
from traitlets import Integer

from hidden_checks import MIME
from tools.grading import metadata, tamper
from tools.grading.sandbox import SandboxedExecute

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
STDOUT_KEPT = 20_000  # characters of a probe's stdout kept for judging (its report is a few KB)


def split_hidden(source: str) -> tuple[str, str | None]:
    """``source`` as (visible part, hidden part): the hidden part starts at the first
    ``### BEGIN HIDDEN TESTS`` line and runs to the end; None when there is none."""
    lines = source.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip() == HIDDEN_BEGIN:
            return "".join(lines[:i]), "".join(lines[i:])
    return source, None


def is_test_cell(cell) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


class RecordingExecute(SandboxedExecute):
    """nbgrader's Execute, sandboxed, recording replies and records (module docstring)."""

    max_record_bytes = Integer(
        2_000_000, help="largest single record (JSON bytes); a bigger one drops the cell's "
                        "records").tag(config=True)
    max_records_bytes = Integer(
        20_000_000, help="all records of a notebook (JSON bytes)").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        metadata.clear(nb)  # a submission must not bring its own records
        self._records: list | None = None
        self._records_bytes = 0
        self._records_dropped = ""
        nonce = "p" + secrets.token_hex(12)
        before, after = tamper.probes(nb, nonce)
        ran = [(probe, nbformat.v4.new_code_cell(probe.source)) for probe in before + after]
        student_cells = nb.cells
        nb.cells = [c for _, c in ran[:len(before)]] + student_cells + [
            c for _, c in ran[len(before):]]
        self._probe_ids = {id(c) for _, c in ran}
        try:
            return super().preprocess(nb, resources, km)
        finally:
            nb.cells = student_cells
            metadata.of_notebook(nb).update({"nonce": nonce, "probes": [
                _probe_result(probe, cell) for probe, cell in ran if metadata.run(cell)]})

    # -------------------------------------------------------------- records
    def output(self, outs, msg, display_id, cell_index):
        data = msg.get("content", {}).get("data")
        if isinstance(data, dict) and MIME in data:
            self._take_record(data[MIME])
            return None
        return super().output(outs, msg, display_id, cell_index)

    def _take_record(self, payload) -> None:
        if self._records is None:  # sent from a cell whose records nobody reads
            return
        size = len(json.dumps(payload, default=str))
        self._records_bytes += size
        if size > self.max_record_bytes:
            self._records_dropped = (f"a record of {size:,} bytes "
                                     f"(at most {self.max_record_bytes:,})")
        elif self._records_bytes > self.max_records_bytes:
            self._records_dropped = f"records over {self.max_records_bytes:,} bytes in all"
        if not self._records_dropped:
            self._records.append(payload)

    # -------------------------------------------------------------- cells
    def preprocess_cell(self, cell, resources, index):
        if id(cell) in getattr(self, "_probe_ids", ()):
            return self._run_probe(cell, resources, index)
        if not is_test_cell(cell):
            self._records = None
            return super().preprocess_cell(cell, resources, index)
        self._records, self._records_dropped = [], ""
        try:
            cell, resources = self._run_test_cell(cell, resources, index)
        finally:
            record = metadata.of_cell(cell)
            record["records"] = self._records
            if self._records_dropped:
                record["records_dropped"] = self._records_dropped
            self._records = None
        return cell, resources

    def _run_test_cell(self, cell, resources, index):
        visible, hidden = split_hidden(cell.source)
        full = cell.source
        if not visible.strip():  # nothing visible to run: nothing that could fail
            cell.outputs = []
            metadata.of_cell(cell)["run"] = {"status": "ok"}
        else:
            cell.source = visible
            try:
                cell, resources = super().preprocess_cell(cell, resources, index)
            finally:
                cell.source = full
        if hidden is None:
            return cell, resources
        shown = list(cell.outputs)
        part = {"status": "not sent", "sent": False, "outputs_from": len(shown)}
        if metadata.ran_ok(cell) and self._stopped is None:
            scratch = nbformat.v4.new_code_cell(hidden)
            part["sent"] = True
            scratch, resources = super().preprocess_cell(scratch, resources, index)
            self.nb.cells[index] = cell  # nbclient stored the scratch cell there
            reply = metadata.run(scratch) or {"status": "no reply"}
            part.update(reply)
            cell.outputs = shown + list(scratch.outputs)
        metadata.of_cell(cell)["hidden"] = part
        return cell, resources

    def _run_probe(self, cell, resources, index):
        if self._stopped is not None:  # kernel dead or budget spent: no record, so REVIEW
            return cell, resources
        self._records = None
        self._check_assign_resources(resources)
        try:
            return self.execute_cell(cell, index, store_history=False), self.resources
        except Exception as exc:  # nbclient's DeadKernelError and friends  # noqa: BLE001
            if type(exc).__name__ not in ("DeadKernelError", "RuntimeError", "CellTimeoutError"):
                raise
            return cell, resources

    def on_cell_executed(self, **kwargs):
        super().on_cell_executed(**kwargs)  # nbgrader: adds the timeout's error output
        content = kwargs["execute_reply"]["content"]
        reply = {"status": str(content.get("status"))[:20]}
        if content.get("status") == "error":
            reply["ename"] = str(content.get("ename", ""))[:200]
        metadata.of_cell(kwargs["cell"])["run"] = reply


def _probe_result(probe: tamper.Probe, cell) -> dict:
    stdout = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream"
                     and o.get("name") == "stdout")
    reply = metadata.run(cell)
    return {"kind": probe.kind, "what": probe.what, "status": reply.get("status"),
            "ename": reply.get("ename", ""), "stdout": stdout[:STDOUT_KEPT]}
