"""nbgrader configuration: the repository root is the course root.

nbgrader reads this file only when it runs from this folder (the Makefile and
the tools in `tools/` always do).
"""

import os
import sys

c = get_config()  # noqa: F821 -- injected by nbgrader/traitlets

# CourseDirectory.root: nbgrader's default, the folder nbgrader runs in (absolute; a
# relative "." would be logged as "root '.' is not absolute" by every command).
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
# Override for one run: `python -m tools.grading A --Execute.timeout=30`.
c.Execute.timeout = 120

# A student who deletes a locked test cell would otherwise get no grade at all for
# it (nbgrader 0.9.6 default: False). Re-add the instructor's copy and run it.
c.OverwriteCells.add_missing_cells = True

# --- Scores no notebook can forge (issues 15, 24; tools/grading/, tests/test_judge.py) -----
# A test cell earns its points only when the values the student's code computed on the
# hidden checks' inputs equal those of the instructor's own solution, compared by the
# grader outside the sandbox (tools/grading/judge.py), and the kernel reported every part
# of the cell ran without error. The grading chain lives in tools/grading/ and is named
# here by strings: loading this file imports none of it (a student copy of the course,
# make student-export, has no tools/grading/).
#   RecordingExecute   the kernel in the sandbox; replies and records taken outside it
#   LimitOutputSize    every output capped, and the outputs per cell and per notebook
#   SaveJudgedGrades   the judge's rule (the reference records: set by tools.grading)
_g = "tools.grading."
c.Autograde.autograde_preprocessors = [
    _g + "execute.RecordingExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    _g + "limit_output.LimitOutputSize",
    _g + "judge.SaveJudgedGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.LimitOutputSize.max_output_bytes = 100_000  # each output, of any kind
c.LimitOutputSize.max_outputs_per_cell = 100
c.LimitOutputSize.max_outputs_per_notebook = 1000
c.LimitOutputSize.max_notebook_output_bytes = 3_000_000  # all outputs of one notebook

# Feedback goes to students: nothing the kernel printed once it had seen hidden code, the
# judge's verdict in the instructor's words (set True to show everything, as nbgrader
# does), and no live script or event handler from a student's output.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    _g + "feedback.HideHiddenContent",
    _g + "feedback.SafeHTML",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.HideHiddenContent.show_hidden_tests = False

# Answers that import what the exercise asks students to write themselves are marked
# REVIEW (advice, never a score; tools/grading/tamper.py): another autodiff library
# anywhere, and dp's own autodiff where students build theirs.
_autodiff = ["autograd", "torch", "jax", "tensorflow"]
c.OwnWork.modules = {
    "*": _autodiff,
    "01_scalar_autodiff": ["dp.node", "dp.Node", "dp.gradcheck"],
    "02_matrix_autodiff": ["dp.node", "dp.Node", "dp.gradcheck", "dp.nn", "dp.losses"],
    # students write convolution, im2col and pooling with NumPy: library convolutions are REVIEW
    "11_convolutions": ["scipy.signal", "scipy.ndimage", "skimage", "cv2",
                        "sklearn.feature_extraction"],
}

# --- Validate names the real error (issue 21; tools/validator.py) -------------------
# An answer cell that raised (syntax, indentation, exception) is reported first, in
# `nbgrader validate` and in the lab's Validate button, instead of only the NameErrors
# it causes in the test cells below it.
_here = os.path.dirname(os.path.abspath(globals().get("__file__", "nbgrader_config.py")))
if _here not in sys.path:
    sys.path.insert(0, _here)
from tools.validator import install as _install_course_validator  # noqa: E402

_install_course_validator()

# --- Grading sandbox (issue 14; tools/grading/sandbox.py, tests/test_sandbox.py) --------------
# autograde (not validate) runs each notebook's kernel in bubblewrap: no network, no
# course files, a private /tmp and HOME, its own unprivileged uid, and these limits.
# A cell that exceeds one fails (its tests score 0) and the status names the limit.
# `python -m tools.grading A --Sandbox.memory_mb=2048` overrides one for a run;
# `--unsandboxed` grades without the sandbox (warned above the summary table).
c.Sandbox.memory_mb = 4096  # address space per process, MiB (RLIMIT_AS)
c.Sandbox.max_processes = 64  # processes + threads at once, per notebook (RLIMIT_NPROC)
c.Sandbox.max_file_mb = 256  # largest file written, MiB (RLIMIT_FSIZE)
c.Sandbox.tmp_mb = 512  # /tmp and HOME (holds the working copy) are tmpfs of this size, MiB
c.Sandbox.tmp_files = 10_000  # files and folders each of those tmpfs may hold (nr_inodes)
# Wall-clock budget of a whole notebook, s (+ Execute.timeout per cell):
c.Sandbox.notebook_timeout = 1800
# Data the notebooks may read besides /usr (Debian's Fashion-MNIST is there): the
# folder DP_DATA_DIR names, else dp's download cache, which lives in your HOME (hidden
# in the sandbox): it is bound read-only and named by DP_DATA_DIR inside.
_data = os.environ.get("DP_DATA_DIR")
if not _data:
    import pooch  # noqa: E402

    _cache = str(pooch.os_cache("dp"))
    if os.path.isdir(_cache):
        _data = _cache
        c.Sandbox.extra_env = {"DP_DATA_DIR": _cache}
c.Sandbox.read_only_paths = [_data] if _data else []

# --- What a submission brings stays inside it (issue 25; tools/grading/intake.py) --------
# Grading reads a clean copy of each submission, never submitted/ itself: regular files
# with one link only (symbolic and hard links, devices, FIFOs, sockets are left out,
# named in the status and in autograded/review.csv), the assignment's notebooks rebuilt
# on the release's structure, and besides them only the files the release ships or these
# patterns allow (per assignment id, '*' for all), within these sizes (apparent sizes:
# a sparse file counts in full). Example: c.Intake.allowed_files = {"04_mnist": ["*.png"]}
c.Intake.allowed_files = {}
c.Intake.max_file_mb = 10  # any other file
c.Intake.max_notebook_mb = 64  # a bigger one is graded as empty (attachments: LimitOutputSize)
c.Intake.max_total_mb = 50  # all files of one submission
c.Intake.max_entries = 2000  # entries looked at in one submission folder
c.Intake.max_cell_bytes = 200_000  # a longer cell source is cut

# --- Feedback at submit time, on the course hub (issue 31; tools/grading/submit_feedback.py) ---
# Each submit on the hub asks the grading service to grade that submission, sandboxed and
# judged as the class is, in a scratch course of the service's own (the gradebook and
# folders here are never touched); the student finds their autograded score and which
# test cells passed in ~/submit-feedback/<assignment>.md about half a minute later.
c.SubmitFeedback.enabled = True
# Requests per student and assignment in any hour: the grader is no oracle to query until
# the hidden checks pass. The next request is refused, saying when one is allowed again.
c.SubmitFeedback.max_per_hour = 3
c.SubmitFeedback.show_test_cells = True  # each test cell's points, passed or not
# Hidden checks are shown only as counts ("4 of 5 hidden checks passed"); True names each
# failed one (the reference's words): set it when full feedback is released.
c.SubmitFeedback.show_hidden_details = False
