"""Validate names the real error: an answer cell that raised is reported first.

nbgrader 0.9.6's ``Validator`` reports only graded test cells. When a student's own
answer cell fails (a syntax or indentation error, an exception), the student sees
only ``NameError`` in the test cells below it, never the cause. ``CourseValidator``
puts every autograded answer cell (a ``solution`` code cell that is not manually
graded) whose output holds an error BEFORE the failing test cells, with that error.

Neither nbgrader's Validate button (the ``validate_assignment`` server extension) nor
``nbgrader validate`` lets the validator class be configured: both call the name
``Validator`` of their own module after loading ``nbgrader_config.py``. So
``nbgrader_config.py`` calls :func:`install`, which points that name, in whichever of
the two modules is loaded, at ``CourseValidator``. Everything else (messages,
checksums, the Execute preprocessor and its timeout) is nbgrader's.
"""

from __future__ import annotations

import sys

from nbgrader import utils
from nbgrader.validator import Validator

# The modules whose global ``Validator`` builds the validator, after config is loaded.
USERS = ("nbgrader.apps.validateapp", "nbgrader.server_extensions.validate_assignment.handlers")


def is_answer(cell) -> bool:
    """An autograded answer cell: code with a solution that is not itself manually graded."""
    return cell.cell_type == "code" and utils.is_solution(cell) and not utils.is_grade(cell)


def raised(cell) -> bool:
    """Whether the cell's outputs hold an error (the kernel's report of an exception)."""
    return any(out.output_type == "error" for out in cell.get("outputs", []))


class CourseValidator(Validator):
    """nbgrader's Validator, with answer cells that raised listed first among the failures."""

    def _get_failed_cells(self, nb):
        failed = super()._get_failed_cells(nb)
        broken_answers = [c for c in nb.cells if is_answer(c) and raised(c)
                          and all(c is not f for f in failed)]
        return broken_answers + failed

    def _extract_error(self, cell) -> str:
        if is_answer(cell) and raised(cell):
            # Only the exception: an answer cell's stderr (warnings, progress bars) is not an error.
            return "\n".join("\n".join(out.traceback) for out in cell.outputs
                             if out.output_type == "error")
        return super()._extract_error(cell)


def install() -> None:
    """Make nbgrader's validate command and Validate button build a :class:`CourseValidator`."""
    for name in USERS:
        module = sys.modules.get(name)
        if module is not None:
            module.Validator = CourseValidator
