"""What a student's feedback HTML may show: no hidden content, no live script.

``nbgrader generate_feedback`` renders the autograded notebook. ``nbgrader_config.py``
runs, before rendering:

* :class:`HideHiddenContent`. The property it keeps, by construction: **nothing the
  kernel produced after it first saw hidden code reaches the feedback.** The grader
  runs a test cell's hidden part as a separate execution (``execute.py``) and records
  where its outputs start and whether it was sent. So, in cell order:

  - before the first hidden part was sent, every output is kept (the visible tests'
    messages, which quote visible code only);
  - of the test cell whose hidden part was sent first, the outputs of the visible
    part are kept and those of the hidden part dropped;
  - every output after that is dropped, whatever its cell: a student's code that
    read the hidden tests (a traceback reader, an audit hook) could print them in
    any later cell, as text, an error name or a repr.

  In each graded test cell the grader writes what the judge found, in the
  instructor's words only: "Hidden checks: 3 of 4 passed", then each failed check's
  name and "your value differs" / "not reached" (``judge.py``). The hidden lines
  themselves are removed from the source shown (nbgrader's ``ClearHiddenTests``).
  ``c.HideHiddenContent.show_hidden_tests = True`` shows everything, as nbgrader does.
* :class:`SafeHTML`: nbconvert's ``SanitizeHTML`` (bleach), enabled: HTML and
  Markdown outputs and Markdown cells are cleaned of scripts and event-handler
  attributes, JavaScript and other unknown MIME types are dropped.

The autograded notebook and the gradebook keep everything; only the feedback (which
goes to students) is reduced.
"""

from __future__ import annotations

import nbformat
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import Bool

from tools.grading import metadata

DROPPED = "(output not shown in feedback: this cell ran after the hidden tests had started)"


def verdict_text(verdict: dict | None, ran_ok: bool) -> str:
    """The grader's words on one test cell: visible tests, then the hidden checks."""
    lines = ["Visible tests: " + ("passed" if ran_ok else "failed (see the message above, "
                                                        "or run the notebook yourself)")]
    if not verdict:
        return "\n".join(lines) + "\n"
    checks, matched = int(verdict.get("checks", 0)), int(verdict.get("matched", 0))
    lines.append(f"Hidden checks: {matched} of {checks} passed")
    lines += [f"  - {str(f)[:200]}" for f in verdict.get("failed", [])[:20]]
    if verdict.get("problems"):
        lines.append("  - your code recorded values the checks did not ask for, or in "
                     "another order")
    return "\n".join(lines) + "\n"


def _stream(text: str):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


class HideHiddenContent(NbGraderPreprocessor):
    """Drop every output from the first hidden test on; hidden lines out of the source."""

    show_hidden_tests = Bool(
        False, help="show hidden tests and every output in student feedback, as nbgrader does"
    ).tag(config=True)

    def preprocess(self, nb, resources):
        if self.show_hidden_tests:
            return nb, resources
        seen_hidden = False
        clear = ClearHiddenTests(parent=self)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            test = utils.is_grade(cell) and not utils.is_solution(cell)
            outputs = list(cell.get("outputs", []))
            if seen_hidden:
                kept = []
            elif test and metadata.hidden(cell) is not None:
                kept = outputs[:int(metadata.hidden(cell).get("outputs_from", 0))]
            else:
                kept = outputs
            if len(kept) < len(outputs) and not test:
                kept.append(_stream(DROPPED + "\n"))
            if test:
                clear._remove_hidden_test_region(cell)
                kept.append(_stream(verdict_text(metadata.verdict(cell), metadata.ran_ok(cell))))
                seen_hidden = seen_hidden or metadata.hidden_sent(cell)
            cell.outputs = kept
        return nb, resources


class SafeHTML(SanitizeHTML):
    """nbconvert's SanitizeHTML, switched on (nbconvert preprocessors are off by default)."""

    enabled = Bool(True).tag(config=True)
    strip = Bool(True, help="remove unsafe markup instead of escaping it").tag(config=True)
