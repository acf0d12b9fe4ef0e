"""`make doctor` (tools/doctor.py): on this machine, and on copies of it with pieces broken.

The broken copies are a folder with its own pyproject.toml and a .venv whose
bin/python is a script that runs this environment's Python, so each piece can
be broken without touching the real environment.
"""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKS = ("✓ ", "✗ ", "! ")


def doctor(*args, env=None):
    run = subprocess.run([sys.executable, "-m", "tools.doctor", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    return run.returncode, run.stdout.splitlines(), run.stderr


def line(lines, start):
    found = [text for text in lines if text.startswith(start)]
    assert len(found) == 1, (start, lines)
    return found[0]


def test_this_machine_can_run_the_course_and_every_line_has_a_mark():
    env = {**os.environ, "DP_MNIST_VARIANT": "fashion"}
    status, lines, err = doctor(env=env)
    assert status == 0, "\n".join(lines) + err
    checks, summary = lines[:-1], lines[-1]
    assert summary == "The course can run on this machine."
    assert all(text.startswith(MARKS) for text in checks), checks
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for group in [project["dependencies"], *project["optional-dependencies"].values()]:
        for requirement in group:
            if not requirement.startswith("dp["):
                name = requirement.split(">")[0].split("<")[0].split("=")[0].strip()
                assert line(checks, f"✓ {name}: ")
    for piece in ("virtual environment", "nbgrader extensions", "Jupyter kernel",
                  "graph drawing", "Fashion-MNIST (needed: DP_MNIST_VARIANT=fashion)",
                  "free disk space", "Python"):
        assert line(checks, f"✓ {piece}: ")
    assert line(checks, "✓ Python in .venv: ").endswith(
        f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}")
    assert any(text.startswith(("✓ grading sandbox", "! grading sandbox")) for text in checks)


def broken_copy(tmp_path):
    """A course folder whose .venv is older than a pyproject.toml with wrong requirements."""
    root = tmp_path / "course"
    (root / ".venv" / "bin").mkdir(parents=True)
    python = root / ".venv" / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    (root / ".venv" / ".installed-stamp").touch()
    os.utime(root / ".venv" / ".installed-stamp", (0, 0))
    text = (ROOT / "pyproject.toml").read_text()
    text = text.replace('"numpy>=1.26,<3"', '"numpy>=99"').replace(
        '"tqdm>=4.66,<5",', '"tqdm>=4.66,<5",\n    "no-such-package-for-the-doctor>=1",')
    (root / "pyproject.toml").write_text(text)
    return root


def test_broken_and_missing_pieces_give_red_lines_with_fixes_and_exit_1(tmp_path):
    root = broken_copy(tmp_path)
    hide = tmp_path / "hide" / "pygraphviz"  # shadows the real pygraphviz: it cannot import
    hide.mkdir(parents=True)
    (hide / "__init__.py").write_text("raise ImportError('pygraphviz is broken')\n")
    fake_bin = tmp_path / "bin"  # the only bwrap on PATH fails as it does without namespaces
    fake_bin.mkdir()
    (fake_bin / "bwrap").write_text(
        "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    (fake_bin / "bwrap").chmod(0o755)
    env = {"PATH": str(fake_bin), "HOME": str(tmp_path), "PYTHONPATH": str(tmp_path / "hide"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "DP_DATA_DIR": str(tmp_path / "data"),
           "DP_SYSTEM_DATA_DIR": "", "DP_MNIST_VARIANT": "fashion"}
    status, lines, err = doctor("--root", str(root), env=env)
    assert status == 1, "\n".join(lines) + err
    assert line(lines, "✗ virtual environment: ").endswith(
        "older than pyproject.toml (dependencies changed)  → fix: make env")
    assert "is outside >=99  → fix: make env" in line(lines, "✗ numpy: ")
    assert "not installed (needs >=1)" in line(lines, "✗ no-such-package-for-the-doctor: ")
    assert "pygraphviz is broken" in line(lines, "✗ graph drawing: ")
    assert "tools.setup_data" in line(lines, "✗ Fashion-MNIST (needed: DP_MNIST_VARIANT=fashion)")
    assert "No permissions to create new namespace" in line(lines, "! grading sandbox: ")
    assert line(lines, "✓ tqdm: ")  # what is fine is still said to be fine
    assert lines[-1] == "5 problem(s): the course cannot run until they are fixed."


def test_without_a_venv_it_still_runs_and_says_make_env(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    (root / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    status, lines, err = doctor("--root", str(root), env={"PATH": str(tmp_path)})
    assert status == 1, err
    assert line(lines, "✗ virtual environment: ").endswith(
        "→ fix: make env (make lab and make test also create it)")
    assert line(lines, "✗ checks inside .venv: ").endswith("→ fix: make env")
    assert "sudo apt-get install bubblewrap" in line(lines, "! grading sandbox: ")
