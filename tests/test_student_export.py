"""`make student-export DEST=...` publishes the course without a single solution line (issue 21).

The oracle is independent of the export's code: the secret lines are read from the
repository itself (every line inside `### BEGIN SOLUTION`/`### BEGIN HIDDEN TESTS`
blocks of source/, and every line of tests/mistakes/), minus the lines that are public
anyway (the rest of the source notebooks, dp/, course/, tools/, config/ and the top-level
files, where a line such as `return result` also occurs). Then every file of the export
is searched for them, line by line. The detector is shown to catch a planted leak.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools.student_export import export

ROOT = Path(__file__).resolve().parents[1]
BEGIN = re.compile(r"#+\s*BEGIN (SOLUTION|HIDDEN TESTS)")
END = re.compile(r"#+\s*END (SOLUTION|HIDDEN TESTS)")
PUBLIC = ["dp", "hidden_checks", "course", "tools", "config", "README.md", "Makefile",
          "pyproject.toml", "environment.yml", "nbgrader_config.py", ".gitignore"]


def _lines(path: Path) -> list[str]:
    """Stripped lines of a file; of a notebook, the lines of its cells' sources."""
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        return [line.strip() for cell in nb.cells for line in cell.source.split("\n")]
    return [line.strip() for line in path.read_text(errors="replace").split("\n")]


def _files(*paths: Path):
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from (p for p in sorted(path.rglob("*"))
                        if p.is_file() and "__pycache__" not in p.parts)


def secret_lines() -> set[str]:
    secret, public = set(), set()
    for notebook in sorted((ROOT / "source").glob("*/*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            inside = False
            for line in cell.source.split("\n"):
                if BEGIN.search(line) or END.search(line):
                    inside = bool(BEGIN.search(line))
                    continue
                (secret if inside else public).add(line.strip())
    for mistake in _files(ROOT / "tests" / "mistakes"):
        secret.update(_lines(mistake))
    for path in _files(*(ROOT / p for p in PUBLIC)):
        public.update(_lines(path))
    return {line for line in secret - public if line and not line.startswith("#")}


def leaks(folder: Path, secret: set[str]) -> dict[str, list[str]]:
    """File (relative to ``folder``) -> the secret lines it contains."""
    found = {}
    for path in _files(folder):
        hits = sorted(set(_lines(path)) & secret)
        if hits:
            found[str(path.relative_to(folder))] = hits
    return found


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    dest = tmp_path_factory.mktemp("export") / "student-course"
    export(dest)
    return dest


@pytest.fixture(scope="module")
def secret():
    lines = secret_lines()
    assert len(lines) > 300, f"only {len(lines)} secret lines found: the oracle is broken"
    return lines


def test_the_export_has_the_students_course_and_no_instructor_folder(exported):
    top = {p.name for p in exported.iterdir()}
    assert {"release", "course", "dp", "config", "tools", "Makefile", "README.md"} <= top, top
    assert not top & {"source", "tests", "autograded", "bench", ".ci", ".git", "work"}, top
    assert "hidden_checks" in top, "pyproject.toml installs it with dp"
    assert not (exported / "tools" / "grading").exists(), "students never grade"
    for a in (p.name for p in (ROOT / "release").iterdir() if p.is_dir()):
        assert sorted(p.name for p in (exported / "release" / a).iterdir()) == \
            sorted(p.name for p in (ROOT / "release" / a).iterdir()), a


def test_no_solution_hidden_test_or_mistake_line_is_in_the_export(exported, secret):
    assert leaks(exported, secret) == {}


def test_the_detector_catches_a_planted_solution_and_a_planted_mistake(exported, secret, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(exported, bad)
    shutil.copy(next((ROOT / "source" / "01_scalar_autodiff").glob("*.ipynb")), bad / "release")
    mistake = next(p for p in _files(ROOT / "tests" / "mistakes" / "02_matrix_autodiff"))
    shutil.copy(mistake, bad / "tools" / "oops.py")
    found = leaks(bad, secret)
    assert set(found) == {"release/scalar_autodiff.ipynb", "tools/oops.py"}, found


@pytest.mark.grading
def test_the_exports_nbgrader_config_loads_with_its_own_tools(exported):
    """Validate reads nbgrader_config.py, which imports tools/: both must be in the copy."""
    code = ("from tools.course import prepare_environment, load_nbgrader_config\n"
            "prepare_environment('.'); c = load_nbgrader_config()\n"
            "import tools; print(c.Execute.timeout, tools.__file__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=exported, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(exported)), timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    timeout, tools_file = out.stdout.split()
    assert int(timeout) > 0 and Path(tools_file).is_relative_to(exported)


def test_a_used_destination_is_refused_untouched(tmp_path):
    dest = tmp_path / "used"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    with pytest.raises(SystemExit, match="already exists and is not an empty folder"):
        export(dest)
    assert [p.name for p in dest.iterdir()] == ["keep.txt"]
    with pytest.raises(SystemExit, match="inside the course repository"):
        export(ROOT / "student-copy")
    assert not (ROOT / "student-copy").exists()
