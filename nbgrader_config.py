"""nbgrader configuration: the repository root is the course root.

nbgrader reads this file only when it runs from this folder (the Makefile and
the tools in `tools/` always do).
"""

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
