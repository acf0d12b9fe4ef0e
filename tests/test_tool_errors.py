"""One error type for the command line (tools/errors.py): raised anywhere, printed once.

A function of tools/ raises ToolError; each tool's main prints ``error: <message>``
once on stderr and exits with the error's status (2 for wrong arguments), as
click does. No traceback, no second message.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools import workspace
from tools.errors import USAGE, ToolError, main_reports_errors

ROOT = Path(__file__).resolve().parents[1]
# A package's __main__ only hands main's status to the interpreter.
NOT_YET_CONVERTED = {"__main__.py"}


def run_tool(*args):
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_a_usage_error_deep_in_a_library_function_is_printed_once_with_status_2():
    proc = run_tool("tools.release", "--check", "no_such_assignment")
    assert proc.returncode == USAGE, proc.stderr
    assert proc.stderr.count("error: no assignment no_such_assignment") == 1, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_main_prints_the_message_once_and_returns_the_status(tmp_path, capsys):
    (tmp_path / "release").mkdir()
    status = workspace.main(["--root", str(tmp_path)])
    out, err = capsys.readouterr()
    assert status == 1 and out == ""
    assert err.count("error: ") == 1 and err.startswith("error: no released assignment in")


def test_a_main_that_does_not_catch_it_still_prints_it_once_and_exits_1():
    proc = subprocess.run([sys.executable, "-c",
                           "from tools.errors import ToolError; raise ToolError('the why', 2)"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stderr) == (1, "error: the why\n")


def test_the_wrapper_returns_what_main_returns_and_lets_other_errors_through():
    @main_reports_errors
    def main(value):
        if value == "bug":
            raise KeyError("a bug is a traceback, not a message")
        return value

    assert main(0) == 0
    with pytest.raises(KeyError):
        main("bug")
    assert issubclass(ToolError, SystemExit) and ToolError("x").exit_code == 1


def test_no_library_function_in_tools_exits_by_itself():
    offenders = []
    for path in sorted((ROOT / "tools").rglob("*.py")):
        if path.name in NOT_YET_CONVERTED:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\b(raise SystemExit|sys\.exit)\((?!main\()", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "raise ToolError instead:\n" + "\n".join(offenders)
