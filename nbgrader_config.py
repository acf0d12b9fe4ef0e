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

# --- Honest scores, tamper checks, safe feedback (issue 15; tests/test_honest_scores.py)
# nbgrader caps output at 1000 lines but not at a size: one print of a 10 MB string,
# a 20 MB exception or a 15 MB image ends up whole in the autograded notebook and the
# feedback HTML. tools/limit_output.py caps every output, and the outputs per cell
# and per notebook. nbgrader scores a test cell from its first displayed output;
# tools/scoring.py scores it from the kernel's execute reply, recorded by the
# grader, and runs the tamper probes of tools/tamper.py after the student's cells.
_here = os.path.dirname(os.path.abspath(globals().get("__file__", "nbgrader_config.py")))
if _here not in sys.path:
    sys.path.insert(0, _here)
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.converters.autograde import Autograde  # noqa: E402
from nbgrader.preprocessors import Execute, GetGrades, LimitOutput, SaveAutoGrades  # noqa: E402
from tools.feedback import HideHiddenTests, SafeHTML  # noqa: E402
from tools.limit_output import LimitOutputSize  # noqa: E402
from tools.scoring import RecordingExecute, SaveRecordedGrades  # noqa: E402

_ours = {Execute: RecordingExecute, LimitOutput: LimitOutputSize,
         SaveAutoGrades: SaveRecordedGrades}
c.Autograde.autograde_preprocessors = [
    _ours.get(p, p) for p in Autograde.class_traits()["autograde_preprocessors"].default()
]
c.LimitOutputSize.max_output_bytes = 100_000  # each output, of any kind
c.LimitOutputSize.max_outputs_per_cell = 100
c.LimitOutputSize.max_outputs_per_notebook = 1000
c.LimitOutputSize.max_notebook_output_bytes = 3_000_000  # all outputs of one notebook

# Feedback goes to students: no hidden test (set True to show them, as nbgrader
# does), and no live script or event handler from a student's output.
c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, SafeHTML, CSSHTMLHeaderPreprocessor]
c.HideHiddenTests.show_hidden_tests = False
