"""A missing system part skips the tests that need it, with the fix; CI=true makes it fail.

The proof runs a sandbox test in a pytest subprocess with a ``bwrap`` first on PATH
that fails as bubblewrap does where it cannot create namespaces.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requirements

from tools import system_parts

ROOT = Path(__file__).resolve().parents[1]
# Cheap to collect, and set up only after the check: nothing of it runs here.
SANDBOX_TEST = "tests/test_sandbox.py::test_notebook_budget_stops_the_rest_and_is_named"


def run_pytest(tmp_path, ci):
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir(exist_ok=True)
    bwrap = fake_bin / "bwrap"
    bwrap.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\n"
                     "exit 1\n")
    bwrap.chmod(0o755)
    env = {**os.environ, "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}", "CI": ci}
    return subprocess.run([sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider",
                           "-q", SANDBOX_TEST], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_without_a_working_sandbox_the_test_skips_and_the_run_says_what_to_install(tmp_path):
    proc = run_pytest(tmp_path, ci="")
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "1 skipped" in out and "failed" not in out, out
    assert "needs sandbox: bubblewrap cannot create namespaces here" in out, out
    assert "missing system parts" in out, out
    assert f"install {system_parts.install_hint('sandbox')}" in out, out
    assert "apt-get install bubblewrap" in out, out


def test_with_ci_true_the_same_test_fails(tmp_path):
    proc = run_pytest(tmp_path, ci="true")
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    # failed in set-up (before any fixture), so pytest counts it as an error: not a pass
    assert ("1 error" in out or "1 failed" in out) and "skipped" not in out, out
    assert "CI=true: a missing system part fails" in out, out


def test_make_doctor_gives_the_same_install_line_for_each_missing_part(monkeypatch):
    from tools import doctor

    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)  # no bwrap, node, chromium
    lines = [doctor.sandbox_check(), *doctor.system_part_checks()]
    fixes = {line[3] for line in lines if line[0] == "warn"}
    for part, (_, _, how) in system_parts.PARTS.items():
        assert any(fix.startswith(how) for fix in fixes), (part, lines)


def test_summary_counts_skips_per_part_and_ignores_other_skips():
    lines = requirements.summary_lines([
        "needs sandbox: bubblewrap is not installed", "needs sandbox: same",
        "needs chromium: no Chromium on PATH", "could not import 'torch'"])
    text = "\n".join(lines)
    assert "   2 test(s): install " + system_parts.install_hint("sandbox") in text
    assert "   1 test(s): install " + system_parts.install_hint("chromium") in text
    assert system_parts.install_hint("node") not in text
    assert requirements.summary_lines(["could not import 'torch'"]) == []


def test_an_unknown_part_is_a_mistake_in_the_test_not_a_skip():
    with pytest.raises(ValueError, match="unknown system part"):
        requirements.missing("gpu")
