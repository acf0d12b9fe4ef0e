"""What a student's feedback HTML may show: no hidden test, no live script.

``nbgrader generate_feedback`` renders the autograded notebook, in which nbgrader
has put back the instructor's full test cells: every student's feedback contained
every hidden test, and text/HTML from the student's outputs was copied verbatim
(``<script>``, ``onerror=``). ``nbgrader_config.py`` runs, before rendering:

* :class:`HideHiddenTests`: in each autograded test cell, the lines between
  ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` are removed (nbgrader's own
  ``ClearHiddenTests``, as for the student version), and when the cell had hidden
  tests its error outputs keep the exception's name and message but not the
  traceback (whose frames quote the failing hidden line). The student sees the
  visible part of each test cell, pass/fail, points and the error message.
  ``c.HideHiddenTests.show_hidden_tests = True`` restores nbgrader's behaviour.
* :class:`SafeHTML`: nbconvert's ``SanitizeHTML`` (bleach), enabled: HTML and
  Markdown outputs and Markdown cells are cleaned of scripts and event-handler
  attributes, JavaScript and other unknown MIME types are dropped, plain text,
  PNG/JPEG, LaTeX and JSON pass unchanged.

The autograded notebook and the gradebook keep the full tests; only the feedback
(which goes to students) is reduced.
"""

from __future__ import annotations

from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import Bool


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden tests, and tracebacks that quote them, from the feedback copy."""

    show_hidden_tests = Bool(
        False, help="show hidden tests (and full tracebacks) in student feedback, as nbgrader does"
    ).tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if self.show_hidden_tests or cell.cell_type != "code" or not utils.is_grade(cell):
            return cell, resources
        clear = ClearHiddenTests(parent=self)
        if clear._remove_hidden_test_region(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
                    output.traceback = [message,
                                        "(traceback hidden: this test cell has hidden tests)"]
        return cell, resources


class SafeHTML(SanitizeHTML):
    """nbconvert's SanitizeHTML, switched on (nbconvert preprocessors are off by default)."""

    enabled = Bool(True).tag(config=True)
    strip = Bool(True, help="remove unsafe markup instead of escaping it").tag(config=True)
