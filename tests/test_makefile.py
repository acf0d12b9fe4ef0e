"""`make help` lists every target of the Makefile, each once, with its line of description."""

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
