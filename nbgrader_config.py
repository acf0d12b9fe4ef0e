"""nbgrader configuration: the repository root is the course root.

nbgrader reads this file only when it runs from this folder (the Makefile and
the tools in `tools/` always do).
"""

import os
import sys

c = get_config()  # noqa: F821 -- injected by nbgrader/traitlets

c.CourseDirectory.root = "."
c.CourseDirectory.course_id = "dp-course"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# Only notebooks are graded; everything else in an assignment folder is copied.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__"]

# The student version replaces solutions with this stub.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# --- Grading safety (issue 8; proven by tests/test_grading.py) -------------------
# Per-cell time limit for autograde and validate (nbgrader's default is 30 s).
# A cell still running after this many seconds is interrupted and its tests score 0;
# the rest of the notebook and the other students go on. Every solution cell of the
# course runs in a few seconds, so 120 s is generous on a slow marking machine.
# Override for one run: `python -m tools.grade A --Execute.timeout=30`.
c.Execute.timeout = 120

# A student who deletes a locked test cell would otherwise get no grade at all for
# it (nbgrader 0.9.6 default: False). Re-add the instructor's copy and run it.
c.OverwriteCells.add_missing_cells = True

# nbgrader caps output at 1000 lines but not at a size: one print of a 10 MB string
# ends up whole in the autograded notebook and the feedback HTML. Cap it.
_here = os.path.dirname(os.path.abspath(globals().get("__file__", "nbgrader_config.py")))
if _here not in sys.path:
    sys.path.insert(0, _here)
from nbgrader.converters.autograde import Autograde  # noqa: E402
from nbgrader.preprocessors import LimitOutput  # noqa: E402
from tools.limit_output import LimitOutputSize  # noqa: E402

c.Autograde.autograde_preprocessors = [
    LimitOutputSize if p is LimitOutput else p
    for p in Autograde.class_traits()["autograde_preprocessors"].default()
]
c.LimitOutputSize.max_chars = 20_000

# --- Validate names the real error (issue 21; tools/validator.py) -------------------
# An answer cell that raised (syntax, indentation, exception) is reported first, in
# `nbgrader validate` and in the lab's Validate button, instead of only the NameErrors
# it causes in the test cells below it.
from tools.validator import install as _install_course_validator  # noqa: E402

_install_course_validator()
