"""The grading pipeline, proven: release, collect, autograde, feedback, CSV (issue 8).

Two layers:

* A tiny FIXTURE assignment (two questions, built here) exercises the tools fast and
  in detail: hostile students graded with a 3 s per-cell timeout and a CPU-burning
  infinite loop, healthy students' scores compared with grading them alone, a
  regrade that must not lose grades, collecting from a folder.
* Every assignment found in ``source/`` at run time gets: its committed ``release/``
  regenerated and compared; its mistake files checked for coverage; its mistakes
  proven to lose points (one kernel, see tests/grading/mistakes.py for why that is
  sound and cheap); and one real ``tools.grading`` run over a class of perfect,
  untouched and hostile students (see tests/grading/runs.py).

Every test builds its course in a temporary folder; nothing is written to the repo.
Heavy tests carry an ``xdist_group`` per assignment and check, so ``make test``'s
``-n 2 --dist loadgroup`` spreads them over both workers.
"""

from __future__ import annotations

import os
import shutil
import sys

import nbformat
import pytest

from grading import builders as b
from grading import mistakes as m
from grading import runs

sys.path.insert(0, str(b.REPO))
from tools import collect as collect_tool  # noqa: E402
from tools import release as release_tool  # noqa: E402
from tools.course import source_assignments  # noqa: E402
from tools.grading import reference  # noqa: E402

ASSIGNMENTS = source_assignments(b.REPO)


def per_assignment(check: str):
    """Parametrize over the assignments, one xdist group per (check, assignment)."""
    return pytest.mark.parametrize("assignment", [
        pytest.param(a, marks=pytest.mark.xdist_group(f"grading-{check}-{a}"))
        for a in ASSIGNMENTS])


def source_notebooks(assignment: str) -> dict:
    return {name: nbformat.read(path, as_version=4)
            for name, path in b.notebooks(b.REPO / "source" / assignment).items()}


# ============================================================ configuration
@pytest.mark.xdist_group("grading-static")
def test_course_config_sets_the_safety_options():
    from nbgrader.preprocessors import LimitOutput
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(b.REPO)).load_config()
    assert cfg.Execute.timeout == 120, "instructor per-cell timeout should be a generous 120 s"
    assert cfg.OverwriteCells.add_missing_cells is True, "deleted test cells must be re-added"
    names = [p if isinstance(p, str) else p.__name__ for p in cfg.Autograde.autograde_preprocessors]
    names = [n.rsplit(".", 1)[-1] for n in names]
    assert names[0] == "RecordingExecute", names  # the sandboxed executor, recording
    assert "LimitOutputSize" in names, names
    assert LimitOutput not in cfg.Autograde.autograde_preprocessors, names
    assert "LimitOutput" not in names and "SaveAutoGrades" not in names, names
    assert names.index("LimitOutputSize") < names.index("SaveJudgedGrades"), names


# ============================================================ fixture assignment
@pytest.fixture(scope="module")
def fixture_class(tmp_path_factory):
    """The fixture assignment, released by tools.release and graded once by tools.grading."""
    course = b.new_course(tmp_path_factory.mktemp("fixture-course"), fixture=True)
    return runs.grade_class(course, b.FIXTURE, full=True, cell_timeout=3)


@pytest.mark.grading
@pytest.mark.needs("sandbox")
@pytest.mark.xdist_group("grading-fixture")
def test_fixture_class_healthy_and_hostile_in_one_run(fixture_class):
    problems = runs.class_problems(fixture_class)
    assert not problems, "\n".join(problems) + "\n\n" + fixture_class.stdout


@pytest.mark.grading
@pytest.mark.needs("sandbox")
@pytest.mark.xdist_group("grading-fixture")
def test_fixture_healthy_scores_equal_grading_them_alone(fixture_class, tmp_path):
    alone = b.new_course(tmp_path / "alone", fixture=True)
    shutil.copytree(fixture_class.course / "release", alone / "release")
    for student in runs.HEALTHY:
        shutil.copytree(fixture_class.course / "submitted" / student, alone / "submitted" / student)
    proc = runs.run_grade(alone, b.FIXTURE, "--Execute.timeout=3")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    solo = b.gradebook_scores(alone, b.FIXTURE)
    for student in runs.HEALTHY:
        assert fixture_class.scores[student] == solo[student], student
    assert fixture_class.scores["perfect"] == {"test_square": (2.0, 2.0), "test_halve": (1.0, 1.0)}


@pytest.mark.grading
@pytest.mark.needs("sandbox")
@pytest.mark.xdist_group("grading-fixture")
def test_fixture_regrade_keeps_grades_and_reports_broken_resubmission(fixture_class, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(fixture_class.course, course)
    again = runs.run_grade(course, b.FIXTURE, "--student", "perfect", "--student", "untouched")
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("skipped (already graded") == 2, again.stdout

    # perfect's notebook is replaced by a broken one and regraded with --force (nbgrader
    # first deletes the old autograded copy): grading fails, loudly, and the grade
    # recorded before stays in the gradebook and the CSV.
    broken = course / "submitted" / "perfect" / b.FIXTURE / f"{b.FIXTURE_NOTEBOOK}.ipynb"
    broken.write_text(b.NOT_JSON)
    regrade = runs.run_grade(course, b.FIXTURE, "--student", "perfect", "--force")
    assert regrade.returncode == 1, regrade.stdout + regrade.stderr
    assert "FAILED" in regrade.stdout and "perfect" in regrade.stdout
    assert b.gradebook_scores(course, b.FIXTURE)["perfect"] == fixture_class.scores["perfect"]
    assert (course / "autograded" / "gradebook-backup.db").stat().st_size > 0
    csv_lines = (course / "autograded" / "grades.csv").read_text().splitlines()
    rows = {r.split(",")[3]: r for r in csv_lines}
    assert rows["perfect"].endswith(",3.0,3.0"), rows["perfect"]


@pytest.mark.grading
@pytest.mark.xdist_group("grading-fixture")
def test_fixture_mistakes_are_caught_and_a_harmless_one_is_not(tmp_path):
    path = tmp_path / "squares.ipynb"
    nbformat.write(b.fixture_notebook(), path)
    folder = tmp_path / "mistakes"
    folder.mkdir()
    for name, text in b.FIXTURE_MISTAKES.items():
        (folder / name).write_text(text)
    assert m.check_mistakes(path, m.mistake_files(folder)) == []

    (folder / "halve__multiplies_by_half.py").write_text(
        "# mistake: none really\ndef halve(x):\n    return x * 0.5\n")
    (folder / "square__crashes.py").write_text("# mistake: crashes\nraise ValueError('boom')\n")
    problems = m.check_mistakes(path, m.mistake_files(folder))
    assert any("halve__multiplies_by_half.py: NOT caught" in p for p in problems), problems
    assert any("square__crashes.py: the mistake itself raises" in p for p in problems), problems
    assert not any("square__abs_keeps_sign" in p for p in problems), problems

    # the visible catch rate, measured in the same pass: only the stripped test cells count
    (folder / "square__crashes.py").unlink()
    (folder / "halve__doubles.py").write_text(
        "# mistake: doubles\ndef halve(x):\n    return x * 2\n")
    proof = m.prove_mistakes(path, m.mistake_files(folder))
    assert proof.visible == {"halve__doubles.py": True, "halve__integer_division.py": False,
                             "halve__multiplies_by_half.py": False,
                             "square__abs_keeps_sign.py": False}, proof.visible
    # a test cell without hidden tests runs once and counts for both
    nb = b.fixture_notebook()
    nb.cells[5].source = "assert halve(4) == 2\nassert halve(3) == 1.5"
    nbformat.write(nb, path)
    proof = m.prove_mistakes(path, m.mistake_files(folder))
    assert proof.visible["halve__integer_division.py"], proof.visible
    assert proof.visible["halve__doubles.py"], proof.visible
    assert not proof.visible["square__abs_keeps_sign.py"], proof.visible


@pytest.mark.xdist_group("grading-static")
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_tests_record_and_never_compare(assignment):
    """No expected value, threshold or reference answer in hidden code (issue 24)."""
    problems = []
    for path in sorted((b.REPO / "source" / assignment).glob("*.ipynb")):
        problems += reference.authoring_problems(nbformat.read(path, as_version=4), path.stem)
    assert not problems, "\n".join(problems)


@pytest.mark.xdist_group("grading-static")
def test_authoring_rules_catch_comparing_and_silent_hidden_tests():
    nb = b.fixture_notebook()
    assert reference.authoring_problems(nb) == []
    nb.cells[3].source = "assert square(3) == 9\n### BEGIN HIDDEN TESTS\nassert square(-2) == 4\n"
    nb.cells[5].source = ("### BEGIN HIDDEN TESTS\nimport numpy as np\n"
                          "np.testing.assert_allclose(halve(3), 1.5)\n### END HIDDEN TESTS")
    problems = "\n".join(reference.authoring_problems(nb))
    assert "test_square: line 2 of the hidden tests asserts" in problems, problems
    assert "test_halve: line 3 of the hidden tests calls assert_allclose" in problems, problems
    assert problems.count("call record(...) nowhere") == 2, problems


@pytest.mark.xdist_group("grading-static")
def test_mistake_coverage_rules_catch_missing_and_orphan_files(tmp_path):
    nbs = {"squares": b.fixture_notebook()}
    for name, text in b.FIXTURE_MISTAKES.items():
        (tmp_path / name).write_text(text)
    assert m.coverage_problems(nbs, m.mistake_files(tmp_path)) == []
    (tmp_path / "halve__integer_division.py").unlink()
    (tmp_path / "cube__typo.py").write_text("def cube(x):\n    return x\n")
    problems = m.coverage_problems(nbs, m.mistake_files(tmp_path))
    assert any("answer cell halve" in p for p in problems), problems
    assert any("cube__typo.py: no autograded answer cell" in p for p in problems), problems
    assert any("cube__typo.py: first line must be" in p for p in problems), problems


@pytest.mark.xdist_group("grading-static")
def test_release_compare_reports_each_kind_of_difference(tmp_path):
    gen, com = tmp_path / "gen", tmp_path / "com"
    gen.mkdir(), com.mkdir()
    nbformat.write(b.fixture_notebook(), gen / "a.ipynb")
    nbformat.write(b.fixture_notebook(), com / "a.ipynb")
    (gen / "data.txt").write_text("1")
    (com / "data.txt").write_text("1")
    assert release_tool.compare(gen, com) == []
    edited = b.fixture_notebook()
    edited.cells[3].source = "pass"
    nbformat.write(edited, com / "a.ipynb")
    (com / "data.txt").write_text("2")
    (com / "stale.ipynb").write_text("{}")
    (gen / "new.txt").write_text("n")
    problems = "\n".join(release_tool.compare(gen, com))
    assert "cell 3 (test_square) differs in source" in problems
    assert "data.txt: content differs" in problems
    assert "stale.ipynb" in problems and "missing from" in problems, problems


@pytest.mark.xdist_group("grading-static")
def test_collect_from_a_folder_of_downloads(tmp_path, capsys):
    course = b.new_course(tmp_path / "course", fixture=True)
    downloads = tmp_path / "downloads"
    (downloads / "bob").mkdir(parents=True)
    nb = b.fixture_notebook()
    nbformat.write(nb, downloads / "alice_squares (1).ipynb")
    nbformat.write(nb, downloads / "bob" / "whatever.ipynb")
    (downloads / "notes.txt").write_text("not a submission")
    code = collect_tool.collect_folder(course, b.FIXTURE, downloads, force=False)
    out = capsys.readouterr().out
    assert code == 1 and "notes.txt" in out, out  # the stray file is reported, the rest collected
    for student in ("alice", "bob"):
        folder = course / "submitted" / student / b.FIXTURE
        assert (folder / "squares.ipynb").is_file(), out
        assert collect_tool.read_timestamp(folder / "timestamp.txt") is not None

    # the same files again: nothing newer, nothing replaced; an older file never wins
    (downloads / "notes.txt").unlink()
    assert collect_tool.collect_folder(course, b.FIXTURE, downloads, force=False) == 0
    assert capsys.readouterr().out.count("kept") == 2
    os.utime(downloads / "bob" / "whatever.ipynb", (1, 1))
    collect_tool.collect_folder(course, b.FIXTURE, downloads, force=False)
    assert "kept     bob" in capsys.readouterr().out


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="grading as root a course another user owns: root only")
def test_root_refuses_to_grade_where_a_link_is_planted_in_the_outputs(tmp_path, capsys):
    """The hub's grading service (root) grades a course its instructors can write: a
    symbolic link in autograded/ would send root's writes anywhere, so nobody is graded."""
    from tools.grading import grade

    course = b.new_course(tmp_path / "course", fixture=True)
    b.submit(course, "alice", b.FIXTURE, b.FIXTURE_NOTEBOOK, b.fixture_notebook())
    target = tmp_path / "outside.txt"
    target.write_text("root's")
    (course / "autograded").mkdir()
    os.chown(course, 65534, 65534)
    assert grade.planted_links(course) == []  # the control: nothing planted
    (course / "autograded" / "grading.log").symlink_to(target)
    assert grade.planted_links(course) == [course / "autograded" / "grading.log"]
    code = grade.main([b.FIXTURE, "--course-dir", str(course)])
    assert code == 2 and "grading.log" in capsys.readouterr().err
    assert target.read_text() == "root's" and not (course / "gradebook.db").exists()


# ============================================================ every assignment
@per_assignment("static")
def test_every_answer_cell_has_a_mistake_and_every_mistake_an_answer(assignment):
    problems = m.coverage_problems(source_notebooks(assignment),
                                   m.assignment_mistakes(assignment), assignment)
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


@pytest.mark.grading
@per_assignment("release")
def test_committed_release_is_what_generation_produces(assignment, monkeypatch):
    monkeypatch.chdir(b.REPO)  # tools change directory and PATH; restore both afterwards
    monkeypatch.setenv("PATH", os.environ["PATH"])
    problems = release_tool.check(b.REPO, [assignment])
    assert not problems, ("\n".join(problems)
                          + "\nRun `make release A=" + assignment + "` and commit release/.")


@pytest.mark.grading
@per_assignment("mistakes")
def test_each_mistake_loses_its_cells_points(assignment):
    """Perfect notebook runs once in one kernel; each mistake swaps in and out (mistakes.py)."""
    problems = m.assignment_proof(assignment).problems  # shared with tests/test_catch_rate.py
    assert not problems, f"{assignment}:\n" + "\n".join(problems)


@pytest.mark.grading
@pytest.mark.needs("sandbox")
@per_assignment("autograde")
def test_autograde_class_of_perfect_untouched_and_hostile_students(assignment, tmp_path):
    """One real tools.grading run, with the course's own config: healthy and hostile
    students together (see grading/runs.py).

    The student whose cell loops forever is graded only in the fixture class (3 s
    timeout): a timeout is a property of the pipeline, not of the notebook, and here it
    would cost the instructor's 120 s per assignment, or force a short timeout that a
    perfect student's training cell can exceed on a loaded machine (it did, at 30 s).
    """
    if not (b.REPO / "release" / assignment).is_dir():
        pytest.fail(f"release/{assignment} is missing: "
                    f"run `make release A={assignment}` and commit it")
    course = b.new_course(tmp_path / "course", [assignment])
    run = runs.grade_class(course, assignment, full=False, release_from=b.REPO / "release")
    problems = runs.class_problems(run)
    assert not problems, "\n".join(problems) + "\n\n" + run.stdout + run.stderr[-3000:]


@pytest.mark.grading
@pytest.mark.needs("sandbox")
@pytest.mark.xdist_group("grading-fixture")
def test_fixture_validate_tells_students_about_visible_tests_only(fixture_class, tmp_path):
    """What the Validate button runs. Note: nbgrader validate exits 0 even when tests fail."""
    import subprocess

    from tools.course import subprocess_env

    course = fixture_class.course
    released = nbformat.read(course / "release" / b.FIXTURE / "squares.ipynb", as_version=4)
    subtle = b.perfect(released, b.fixture_notebook())
    b.first_answer(subtle).source = b.FIXTURE_MISTAKES["square__abs_keeps_sign.py"]
    nbformat.write(subtle, tmp_path / "subtle.ipynb")
    paths = {"perfect": course / "submitted" / "perfect" / b.FIXTURE / "squares.ipynb",
             "untouched": course / "release" / b.FIXTURE / "squares.ipynb",
             "subtle": tmp_path / "subtle.ipynb"}
    out = {}
    for name, path in paths.items():
        proc = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path)], cwd=course,
                              env=subprocess_env(), capture_output=True, text=True, timeout=300)
        out[name] = proc.stdout
    assert "Success! Your notebook passes all the tests." in out["perfect"], out["perfect"]
    assert "VALIDATION FAILED ON 2 CELL(S)" in out["untouched"], out["untouched"]
    # the visible tests miss this mistake; the hidden ones (autograde) catch it, see
    # test_fixture_mistakes_are_caught_and_a_harmless_one_is_not
    assert "Success!" in out["subtle"], out["subtle"]
