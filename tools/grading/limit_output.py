"""An nbgrader preprocessor that caps EVERY output of a graded notebook, not only its lines.

nbgrader's own ``LimitOutput`` keeps at most ``max_lines`` lines of stream output and
``max_traceback`` traceback lines, but a single line can be megabytes long, and
images, HTML, JSON and error messages are not limited at all (a 20 MB exception
message, a 15 MB PNG and 1,500 HTML outputs all landed whole in the autograded
notebook and the feedback). This subclass runs nbgrader's limits, then:

* each output is cut to ``max_output_bytes`` (UTF-8 bytes of its text: stream text;
  error name + message + traceback; every MIME type of a result, base64 images and
  JSON included). Text is shortened; an image, HTML, JSON or any other MIME type
  that is too big is replaced by a one-line text note (half an HTML tag or half a
  PNG is worse than none);
* a Markdown cell's attachments (pasted images) count as outputs: each within
  ``max_output_bytes``, all of them within the notebook's budget below;
* a cell keeps at most ``max_outputs_per_cell`` outputs, a notebook at most
  ``max_outputs_per_notebook``, and all outputs of a notebook together at most
  ``max_notebook_output_bytes``; outputs beyond are dropped, with a note.

So a graded notebook's outputs stay under ``max_notebook_output_bytes`` plus the
notes, whatever the student prints. Every cut is named in
``nb.metadata["grading"]["truncated"]`` (which ``tools.grading`` puts in the status)
and in the output itself ("Output truncated"). ``nbgrader_config.py`` puts this class
in place of ``LimitOutput`` in the autograde preprocessors.
"""

from __future__ import annotations

import json

import nbformat
from nbgrader.preprocessors import LimitOutput
from traitlets import Integer

from tools.grading import metadata

TRUNCATED = "\n... Output truncated ({what}) ...\n"


def _size(value) -> int:
    if isinstance(value, list):
        value = "".join(value) if all(isinstance(v, str) for v in value) else json.dumps(value)
    if not isinstance(value, str):
        value = json.dumps(value)
    return len(value.encode("utf-8", "replace"))


def _cut(text, limit: int) -> str:
    """``text`` shortened to at most ``limit`` UTF-8 bytes (never splitting a character)."""
    if isinstance(text, list):  # nbformat allows multi-line strings as lists
        text = "".join(text)
    return text.encode("utf-8", "replace")[:max(limit, 0)].decode("utf-8", "ignore")


class LimitOutputSize(LimitOutput):
    """``LimitOutput`` plus byte and count caps on every output (-1: no cap)."""

    max_output_bytes = Integer(
        100_000, help="maximum UTF-8 bytes kept per output of any kind (-1 means no limit)"
    ).tag(config=True)
    max_outputs_per_cell = Integer(
        100, help="maximum number of outputs kept per cell (-1 means no limit)").tag(config=True)
    max_outputs_per_notebook = Integer(
        1000, help="maximum number of outputs kept per notebook (-1 means no limit)"
    ).tag(config=True)
    max_notebook_output_bytes = Integer(
        3_000_000, help="maximum UTF-8 bytes of all outputs of a notebook (-1 means no limit)"
    ).tag(config=True)

    def preprocess(self, nb, resources):
        self._outputs_seen = 0
        self._bytes_seen = 0
        self._cuts = []
        nb, resources = super().preprocess(nb, resources)
        metadata.of_notebook(nb)["truncated"] = self._cuts
        return nb, resources

    def _note(self, cell_index: int, what: str) -> str:
        self._cuts.append(f"cell #{cell_index}: {what}")
        return TRUNCATED.format(what=what)

    def _cap_output(self, output, index: int, limit: int):
        """The output cut to ``limit`` bytes (a new output when it had to be replaced)."""
        kind = output.get("output_type")
        if kind == "stream":
            if _size(output.text) > limit:
                size = _size(output.text)
                cut = _cut(output.text, limit)
                output.text = cut + self._note(index, f"{size:,} bytes of {output.name}")
        elif kind == "error":
            size = (_size(output.get("ename", "")) + _size(output.get("evalue", ""))
                    + _size(output.traceback))
            if size > limit:
                half = limit // 2
                output.ename = _cut(output.get("ename", ""), 200)
                output.evalue = _cut(output.get("evalue", ""), half)
                kept, budget = [], limit - half
                for line in reversed(output.traceback):  # the last frames say where it failed
                    budget -= _size(line)
                    if budget < 0:
                        break
                    kept.insert(0, line)
                output.traceback = kept + [self._note(index, f"error of {size:,} bytes")]
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {})
            for mime in list(data):
                size = _size(data[mime])
                if size <= limit:
                    continue
                note = self._note(index, f"{mime} of {size:,} bytes")
                if mime in ("text/plain", "text/markdown", "text/latex"):
                    data[mime] = _cut(data[mime], limit) + note
                else:
                    del data[mime]
                    data["text/plain"] = _cut(data.get("text/plain", ""), limit // 2) + note
        return output

    def _cap_attachments(self, cell, cell_index: int) -> None:
        """A Markdown (or raw) cell's attachments count as outputs: each within
        ``max_output_bytes``, all within what is left of the notebook's budget; an
        attachment over either is removed (its image shows as a broken link)."""
        attachments = cell.get("attachments")
        if not isinstance(attachments, dict):
            if "attachments" in cell:
                del cell["attachments"]
            return
        for name in list(attachments):
            size = _size(attachments[name])
            room = (self.max_notebook_output_bytes - self._bytes_seen
                    if self.max_notebook_output_bytes > -1 else float("inf"))
            limit = min(self.max_output_bytes if self.max_output_bytes > -1 else float("inf"),
                        room)
            if size > limit:
                del attachments[name]
                # the page must still render (nbconvert refuses a missing attachment)
                source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
                cell.source = source.replace(f"attachment:{name}", "#attachment-removed")
                self._note(cell_index, f"attachment {str(name)[:60]!r} of {size:,} bytes removed")
            else:
                self._bytes_seen += size
        cell["attachments"] = attachments

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code":
            self._cap_attachments(cell, cell_index)
            return cell, resources
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        kept = []
        for i, output in enumerate(cell.outputs):
            if (-1 < self.max_outputs_per_cell <= i
                    or -1 < self.max_outputs_per_notebook <= self._outputs_seen):
                dropped = len(cell.outputs) - i
                kept.append(nbformat.v4.new_output("stream", name="stdout", text=self._note(
                    cell_index, f"{dropped:,} more outputs dropped: "
                                f"at most {self.max_outputs_per_cell} per "
                                f"cell and {self.max_outputs_per_notebook} per notebook")))
                break
            room = (self.max_notebook_output_bytes - self._bytes_seen
                    if self.max_notebook_output_bytes > -1 else float("inf"))
            limit = min(self.max_output_bytes if self.max_output_bytes > -1 else float("inf"), room)
            if limit <= 0:
                kept.append(nbformat.v4.new_output("stream", name="stdout", text=self._note(
                    cell_index, f"{len(cell.outputs) - i:,} outputs dropped: "
                                f"the notebook's outputs "
                                f"reached {self.max_notebook_output_bytes:,} bytes")))
                break
            if limit != float("inf"):
                output = self._cap_output(output, cell_index, int(limit))
            kept.append(output)
            self._outputs_seen += 1
            self._bytes_seen += _size(json.dumps(output))
        cell.outputs = kept
        return cell, resources
