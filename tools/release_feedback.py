"""Release feedback for one assignment, refusing while written answers are ungraded.

    python -m tools.release_feedback ASSIGNMENT [--force] [--course-dir DIR]

nbgrader's ``release_feedback`` returns whatever feedback HTML exists, and that was
written at autograding, before anyone graded the written answers: a student who
answered everything correctly would read "Written response 0.0 / 3.0". So this command
first checks the gradebook: while any written (manually graded) answer waits for a
grader, it changes nothing, names the students and exits 1 (``--force`` releases
anyway). Otherwise it regenerates every student's feedback from the gradebook (what
Formgrader's "Generate Feedback" does; no student code runs) and releases it to the
exchange, where students get it with **Fetch Feedback**.
"""

from __future__ import annotations

import argparse
import sys

from tools.course import REPO_ROOT, check_assignments, nbgrader_api, prepare_environment

# Written (manually graded) answers still waiting for a grader, from the gradebook.
#
# nbgrader marks a graded cell ``needs_manual_grade`` when autograding cannot score it:
# a written answer the student changed (an untouched one scores 0 by itself), or any cell
# that had a manual grade before a regrade (to be looked at again). Formgrader's manual
# grading page clears the mark when a grader gives points. ``python -m tools.grading``
# prints the count after grading; ``python -m tools.release_feedback`` refuses to release
# feedback while any are left (unless ``--force``) and names the students.


def ungraded_written_answers(db_url: str, assignment: str) -> dict[str, list[str]]:
    """``{student: ["notebook: grade_id", ...]}`` for every answer waiting for a grader."""
    from nbgrader.api import Gradebook, MissingEntry

    waiting: dict[str, list[str]] = {}
    with Gradebook(db_url) as gb:
        try:
            submissions = gb.assignment_submissions(assignment)
        except MissingEntry:
            return {}
        for submission in submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.needs_manual_grade:
                        waiting.setdefault(submission.student_id, []).append(
                            f"{notebook.name}: {grade.name}")
    return {student: sorted(cells) for student, cells in sorted(waiting.items())}


def describe(waiting: dict[str, list[str]], assignment: str) -> str:
    """One paragraph for instructors: how many, whose, what to do."""
    if not waiting:
        return f"Written answers of {assignment}: none waiting for a grader."
    count = sum(len(v) for v in waiting.values())
    names = ", ".join(f"{s} ({len(v)})" for s, v in waiting.items())
    return (f"{count} written answer(s) of {assignment} still ungraded, of {len(waiting)} "
            f"student(s): {names}. Grade them in Formgrader (Manual Grading), then "
            f"release feedback: python -m tools.release_feedback {assignment}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.release_feedback",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--force", action="store_true",
                        help="release even while written answers are ungraded")
    parser.add_argument("--course-dir", default=str(REPO_ROOT))
    args = parser.parse_args(argv)
    root = prepare_environment(args.course_dir)
    assignment = check_assignments(root, [args.assignment])[0]
    api = nbgrader_api()
    waiting = ungraded_written_answers(api.coursedir.db_url, assignment)
    if waiting and not args.force:
        print(f"error: feedback not released. {describe(waiting, assignment)}\n"
              "(--force releases anyway: those answers would show 0 points.)", file=sys.stderr)
        return 1
    if waiting:
        print(f"warning: {describe(waiting, assignment)}; releasing anyway (--force).")
    generated = api.generate_feedback(assignment, force=True)
    if not generated["success"]:
        print(f"error: feedback not generated:\n{generated.get('error', '')}", file=sys.stderr)
        return 1
    # the same page hook as tools.grading's feedback (tools/grading/feedback.py)
    from tools.grading.feedback import secure_folder

    for folder in sorted((root / "feedback").glob(f"*/{assignment}")):
        secure_folder(folder)
    released = api.release_feedback(assignment)
    if not released["success"]:
        print(f"error: feedback not released:\n{released.get('error', '')}", file=sys.stderr)
        return 1
    print(f"Feedback of {assignment} released; students get it with Fetch Feedback.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
