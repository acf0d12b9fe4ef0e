"""The student's side of `make lab` without a browser (issue 21): the workspace in work/,
trusted lectures that open unmodified, and Validate naming the error of an answer cell.

Cost: one `make validate` of a two-question fixture notebook (one kernel, a few
seconds); everything else is file copying.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from grading.builders import fixture_notebook
from tools.lab import trust_lectures
from tools.validator import CourseValidator
from tools.workspace import update_workspace

ROOT = Path(__file__).resolve().parents[1]


def _tree(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder``."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def release(tmp_path):
    """A copy of two real released assignments."""
    folder = tmp_path / "release"
    for a in ("01_scalar_autodiff", "02_matrix_autodiff"):
        shutil.copytree(ROOT / "release" / a, folder / a)
    return folder


# ---------------------------------------------------------------- the workspace
def test_the_first_run_copies_every_released_file(release, tmp_path):
    work = tmp_path / "work"
    copied = update_workspace(release, work)
    assert _tree(work) == _tree(release)
    assert sorted(copied) == sorted(work / p for p in _tree(release))


def test_the_students_work_survives_later_runs_and_release_stays_pristine(release, tmp_path):
    work = tmp_path / "work"
    update_workspace(release, work)
    mine = work / "01_scalar_autodiff" / "scalar_autodiff.ipynb"
    mine.write_text("my answers")
    # A course update changes the released notebook: the student's copy is still theirs.
    (release / "01_scalar_autodiff" / "scalar_autodiff.ipynb").write_text("the instructor's fix")
    before = _tree(release)
    assert update_workspace(release, work) == []
    assert mine.read_text() == "my answers"
    assert _tree(release) == before


def test_an_assignment_new_after_a_pull_is_brought_in_and_nothing_is_deleted(release, tmp_path):
    work = tmp_path / "work"
    update_workspace(release, work)
    shutil.rmtree(release / "02_matrix_autodiff")
    shutil.copytree(ROOT / "release" / "03_constructing_networks",
                    release / "03_constructing_networks")
    copied = update_workspace(release, work)
    assert {p.relative_to(work).parts[0] for p in copied} == {"03_constructing_networks"}
    assert (work / "02_matrix_autodiff").is_dir(), "work/ keeps what release/ no longer has"


def test_a_fresh_copy_of_one_assignment_is_a_rename_away(release, tmp_path):
    work = tmp_path / "work"
    update_workspace(release, work)
    mine = work / "01_scalar_autodiff"
    (mine / "scalar_autodiff.ipynb").write_text("my answers")
    mine.rename(work / "01_scalar_autodiff-old")
    update_workspace(release, work)
    assert _tree(work / "01_scalar_autodiff") == _tree(release / "01_scalar_autodiff")
    assert (work / "01_scalar_autodiff-old" / "scalar_autodiff.ipynb").read_text() == "my answers"


def test_a_file_where_a_folder_belongs_stops_the_copy_with_nothing_half_done(release, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "02_matrix_autodiff").write_text("not a folder")
    with pytest.raises(SystemExit, match=r"02_matrix_autodiff is a file.*rename it"):
        update_workspace(release, work)
    assert sorted(p.name for p in work.iterdir()) == ["02_matrix_autodiff"], "nothing was copied"


def test_no_released_assignment_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="no released assignment in"):
        update_workspace(tmp_path / "release", tmp_path / "work")


# ---------------------------------------------------------------- lectures
def test_lectures_are_trusted_at_set_up_once(tmp_path, monkeypatch):
    from nbformat.sign import NotebookNotary

    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "data"))
    course = tmp_path / "root" / "course"
    shutil.copytree(ROOT / "course", course)
    lectures = sorted(course.glob("*.ipynb"))
    notary = NotebookNotary()
    assert not any(notary.check_signature(nbformat.read(p, as_version=4)) for p in lectures)
    assert trust_lectures(course.parent) == lectures
    assert all(NotebookNotary().check_signature(nbformat.read(p, as_version=4)) for p in lectures)
    assert trust_lectures(course.parent) == []


def test_lectures_name_the_installed_kernel_as_it_names_itself():
    """JupyterLab rewrites a kernelspec that differs from the running kernel's, which marks
    the lecture modified as soon as it is opened."""
    from jupyter_client.kernelspec import KernelSpecManager

    for path in sorted((ROOT / "course").glob("*.ipynb")):
        stored = nbformat.read(path, as_version=4).metadata.kernelspec
        spec = KernelSpecManager().get_kernel_spec(stored.name)
        stored_kernel = (stored.display_name, stored.language)
        assert stored_kernel == (spec.display_name, spec.language), path.name


# ---------------------------------------------------------------- Validate
def _broken_fixture():
    """The fixture assignment with an indentation error in `square` and an exception at the
    end of `halve` (after the function is defined, so halve's tests pass)."""
    nb = fixture_notebook()
    square, halve = (c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    square.source = "def square(x):\n    y = x * x\n      return y"
    halve.source = "def halve(x):\n    return x / 2\n\nhalve(None)"
    return nb, square, halve


def _with_outputs(nb, errors: dict[str, str]):
    """``nb`` as if executed: the cells named in ``errors`` raised that exception."""
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        if gid in errors:
            cell.outputs = [nbformat.v4.new_output("error", ename=errors[gid], evalue="x",
                                                   traceback=[f"{errors[gid]}: x"])]
    return nb


def test_course_validator_lists_answers_that_raised_before_the_failed_tests():
    nb, square, halve = _broken_fixture()
    nb = _with_outputs(nb, {"square": "IndentationError", "test_square": "NameError",
                            "halve": "TypeError"})
    failed = CourseValidator()._get_failed_cells(nb)
    assert [c.metadata.nbgrader.grade_id for c in failed] == ["square", "halve", "test_square"]
    assert CourseValidator()._extract_error(failed[0]) == "IndentationError: x"


@pytest.mark.notebook
def test_make_validate_in_the_workspace_names_the_broken_answers_first(tmp_path):
    nb, square, halve = _broken_fixture()
    notebook = tmp_path / "work" / "fixture_assignment" / "squares.ipynb"
    notebook.parent.mkdir(parents=True)
    nbformat.write(nb, notebook)
    out = subprocess.run(["make", "--no-print-directory", "validate", f"NB={notebook}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    text = out.stdout
    assert out.returncode == 0, out.stderr[-3000:]
    assert "VALIDATION FAILED ON 3 CELL(S)" in " ".join(text.split()), text
    blocks = text.split("The following cell failed:")[1:]
    assert len(blocks) == 3, text
    assert "def square" in blocks[0] and "IndentationError" in blocks[0], blocks[0]
    assert "def halve" in blocks[1] and "TypeError" in blocks[1], blocks[1]
    assert "assert square(3)" in blocks[2] and "NameError" in blocks[2], blocks[2]
