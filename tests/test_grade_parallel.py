"""`tools.grading --jobs N`: the same results as one student at a time, and a gradebook
whose write sessions take turns across processes.

Cost: two gradings of a 5-student class of the tiny fixture assignment (about 30 s
on 2 loaded cores) and two lock checks of a second each.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
import textwrap

import nbformat
import pytest

from grading import builders as b
from grading.runs import run_grade
from tools.course import subprocess_env

pytestmark = pytest.mark.grading


def with_mistakes(released):
    """The fixture notebook answered with the wrong answers of FIXTURE_MISTAKES."""
    nb = copy.deepcopy(released)
    wrong = {name.split("__")[0]: src for name, src in b.FIXTURE_MISTAKES.items()}
    for cell in nb.cells:
        if b.is_answer(cell):
            cell.source = wrong[b.grade_id(cell)]
    return nb


@pytest.fixture(scope="module")
def serial_and_parallel(tmp_path_factory):
    """One class graded twice, in two identical courses: --jobs 1 and --jobs 2."""
    base = tmp_path_factory.mktemp("parallel")
    serial = b.new_course(base / "serial", fixture=True)
    gen = subprocess.run(
        [sys.executable, "-m", "tools.release", b.FIXTURE, "--course-dir", str(serial)],
        cwd=serial,
        env=subprocess_env(),
        capture_output=True,
        text=True,
    )
    assert gen.returncode == 0, gen.stdout + gen.stderr
    released = nbformat.read(
        serial / "release" / b.FIXTURE / f"{b.FIXTURE_NOTEBOOK}.ipynb", as_version=4
    )
    perfect = b.perfect(released, b.fixture_notebook())
    students = {
        "perfect": perfect,
        "untouched": released,
        "wrong": with_mistakes(released),
        "deleted_tests": b.with_tests_deleted(perfect),
        "not_json": b.NOT_JSON,
    }
    for student, nb in students.items():
        b.submit(serial, student, b.FIXTURE, b.FIXTURE_NOTEBOOK, nb)
    parallel = base / "parallel"
    shutil.copytree(serial, parallel)
    runs = {}
    for course, jobs in ((serial, 1), (parallel, 2)):
        proc = run_grade(course, b.FIXTURE, f"--jobs={jobs}")
        runs[jobs] = (course, proc)
    return runs


def same_feedback(a: str, b: str) -> bool:
    """Equal but for the ids of re-added test cells: nbgrader gives a deleted test cell
    a fresh random id when it puts it back, in every run, serial or not."""

    def norm(html):
        return re.sub(r'id="cell-id=[0-9a-f]{8}"', 'id="cell-id=?"', html)

    return norm(a) == norm(b)


def table(stdout: str) -> list[str]:
    """The summary table and totals, without the course's own path."""
    return [re.sub(r"/\S+", "<path>", line) for line in stdout.splitlines()]


@pytest.mark.needs("sandbox")
def test_jobs_2_gives_exactly_what_jobs_1_gives(serial_and_parallel):
    (serial, one), (parallel, two) = serial_and_parallel[1], serial_and_parallel[2]
    assert one.returncode == two.returncode == 1, one.stdout + one.stderr + two.stdout + two.stderr
    assert table(one.stdout) == table(two.stdout)
    scores = b.gradebook_scores(serial, b.FIXTURE)
    assert scores == b.gradebook_scores(parallel, b.FIXTURE)
    # Independent of the code under test: the fixture's points and its known mistakes.
    assert scores["perfect"] == {"test_square": (2.0, 2.0), "test_halve": (1.0, 1.0)}
    assert scores["untouched"] == {"test_square": (0.0, 2.0), "test_halve": (0.0, 1.0)}
    assert scores["wrong"] == {"test_square": (0.0, 2.0), "test_halve": (0.0, 1.0)}
    assert scores["deleted_tests"] == scores["perfect"]
    assert (serial / "autograded" / "grades.csv").read_bytes() == (
        parallel / "autograded" / "grades.csv"
    ).read_bytes()
    feedback = sorted(p.relative_to(serial) for p in (serial / "feedback").rglob("*.html"))
    assert len(feedback) == 4  # everyone but not_json
    assert feedback == sorted(
        p.relative_to(parallel) for p in (parallel / "feedback").rglob("*.html")
    )
    for rel in feedback:
        assert same_feedback((serial / rel).read_text(), (parallel / rel).read_text()), rel


@pytest.mark.needs("sandbox")
def test_progress_counts_students_and_estimates_time_left(serial_and_parallel):
    _, two = serial_and_parallel[2]
    assert "grading 5 submission(s), 2 at a time" in two.stderr
    done = re.findall(
        r"^\[(\d+)/5\] (\S+): .*\(\d+ s elapsed, about \d+ s left\)$", two.stderr, re.M
    )
    assert sorted(int(n) for n, _ in done) == [1, 2, 3, 4, 5], two.stderr
    assert sorted(s for _, s in done) == sorted(
        ["perfect", "untouched", "wrong", "deleted_tests", "not_json"]
    )


def test_bad_jobs_is_a_usage_error(tmp_path):
    course = b.new_course(tmp_path / "course", fixture=True)
    proc = run_grade(course, b.FIXTURE, "--jobs=0")
    assert proc.returncode == 2 and "--jobs must be a whole number >= 1" in proc.stderr


HOLDER = textwrap.dedent("""
    import sys, time
    from nbgrader.api import Gradebook
    from tools.grading.gradebook_lock import serialize_gradebook_sessions
    db = sys.argv[1]
    serialize_gradebook_sessions(db)
    with Gradebook("sqlite:///" + db) as gb:
        # nested in one process: must not wait for itself
        with Gradebook("sqlite:///" + db) as inner:
            inner.add_student("nested-" + sys.argv[3])
        print("opened", time.time(), flush=True)
        time.sleep(float(sys.argv[2]))
        gb.add_student(sys.argv[3])
    print("closed", time.time(), flush=True)
""")


def test_gradebook_sessions_of_two_processes_never_overlap(tmp_path):
    """Two processes each hold a gradebook session for 1.5 s: the second opens only after
    the first closed (without the lock they would overlap), and both writes land."""
    db = tmp_path / "gradebook.db"
    script = tmp_path / "hold.py"
    script.write_text(HOLDER)
    env = subprocess_env({"PYTHONPATH": str(b.REPO)})
    first = subprocess.Popen(
        [sys.executable, str(script), str(db), "1.5", "first"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert first.stdout.readline().startswith("opened")
    second = subprocess.Popen(
        [sys.executable, str(script), str(db), "0", "second"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    out1, _ = first.communicate(timeout=60)
    out2, _ = second.communicate(timeout=60)
    assert first.returncode == second.returncode == 0
    closed_first = float(out1.split()[-1])
    opened_second = float(out2.split()[1])
    assert opened_second >= closed_first, (out1, out2)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}") as gb:
        assert {s.id for s in gb.students} == {"nested-first", "first", "nested-second", "second"}
