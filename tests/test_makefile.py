"""`make help` lists every target of the Makefile, each once, with its line of description;
`make test` runs each test once, the longest groups first."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def rule_targets(makefile_text):
    """Names of the targets that rules define (not variables, not .PHONY, not files)."""
    names = re.findall(r"^([a-zA-Z][a-zA-Z0-9_-]*)\s*:(?!=)", makefile_text, flags=re.M)
    return list(dict.fromkeys(names))


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_every_target_once_with_a_description():
    text = (ROOT / "Makefile").read_text()
    targets = rule_targets(text)
    assert {"help", "env", "lab", "test", "lint", "release", "grade"} <= set(targets)
    out = subprocess.run(["make", "-s", "--no-print-directory", "help"], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=60).stdout
    listed = [line.split()[1] for line in out.splitlines()]
    assert sorted(listed) == sorted(targets), out  # each target exactly once
    for line in out.splitlines():
        assert re.fullmatch(r"  make \S+ +\S.*", line), line  # a description on every line
    phony = re.findall(r"^\.PHONY:(.*)$", text, flags=re.M)
    assert len(phony) == 1 and sorted(phony[0].split()) == sorted(targets)


def make_help(*variables):
    return subprocess.run(["make", "-s", "--no-print-directory", "help", *variables], cwd=ROOT,
                          check=True, capture_output=True, text=True, timeout=60).stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_is_one_aligned_column_with_variables_shown_by_value():
    out = make_help("SITE_PORT=9123")
    lines = out.splitlines()
    longest = max(len(name) for name in rule_targets((ROOT / "Makefile").read_text()))
    # every description starts in the same column, two spaces after the longest name
    starts = {len(line) - len(line[len("  make "):].split(None, 1)[1]) for line in lines}
    assert starts == {len("  make ") + longest + 2}, out
    assert "$(" not in out, out
    assert "http://127.0.0.1:9123/" in out, out


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_test_is_test_fast_then_every_slow_group_the_markers_name():
    """make test-fast deselects each slow marker registered in pyproject.toml; make test
    runs it first and then exactly the rest, so nothing runs twice or not at all."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    markers = re.findall(r'^\s*"(\w+)(?:\([^)]*\))?: ', pyproject, flags=re.M)
    slow = " or ".join(name for name in markers if name != "needs")
    assert {"notebook", "grading", "browser", "hub"} <= set(slow.split(" or ")), markers

    def dry(target):
        return subprocess.run(["make", "-n", "--no-print-directory", target], cwd=ROOT,
                              check=True, capture_output=True, text=True, timeout=60).stdout

    fast = dry("test-fast")
    assert re.findall(r'-m "([^"]+)"', fast) == [f"not ({slow})"], fast
    assert "--nbval" not in fast and " source" not in fast and " course" not in fast, fast
    everything = dry("test")
    assert re.findall(r'-m "([^"]+)"', everything) == [f"not ({slow})", slow], everything
    assert everything.index(fast.strip().splitlines()[-1]) < everything.index("--nbval")


def test_slow_run_hands_out_the_hub_and_grading_runs_before_the_notebooks():
    """conftest.py orders the groups longest kind first (make test's slow run keeps that
    order with --no-loadscope-reorder): the hub first, the notebooks last, so the run does
    not end waiting on a minutes-long group started late."""
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-m", "notebook or grading or browser or hub or site", "--nbval",
         "tests", "source/05_activations", "course/01_dp_library_guide.ipynb"],
        cwd=ROOT, capture_output=True, text=True, timeout=120).stdout
    files = list(dict.fromkeys(line.split("::")[0] for line in out.splitlines() if "::" in line))
    assert files[0] == "tests/test_hub.py", files
    notebooks = [i for i, f in enumerate(files) if f.endswith(".ipynb")]
    assert notebooks and notebooks == list(range(len(files) - len(notebooks), len(files))), files
    assert files.index("tests/test_judge.py") < files.index("tests/test_site.py"), files
