"""`make doctor`: what this machine has and lacks for the course, one line each, with the fix.

    python3 -m tools.doctor [--root REPO]

Runs with the system's Python (standard library only), so it also works when
.venv is missing or broken; the checks that need the course's environment run
inside it (tools/doctor_probe.py). Marks: ✓ fine, ✗ missing or broken (the
course cannot run: exit status 1), ! worth knowing but not needed to run the
course (exit status stays 0). Offline and read-only: it looks, it never
installs or downloads.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tools import system_parts

MARKS = {"ok": "✓", "bad": "✗", "warn": "!"}
GIB = 2 ** 30
# A new .venv takes about 1.5 GB, the data sets under 0.2 GB; 1 GB is enough to work in one.
DISK_NEEDED = {"with_venv": 1 * GIB, "without_venv": 3 * GIB}
PROBE = Path(__file__).with_name("doctor_probe.py")


def python_check(root, venv_python):
    """The Python that make env uses (this one), and the one inside .venv."""
    text = (root / "pyproject.toml").read_text()
    match = re.search(r'requires-python\s*=\s*">=\s*(\d+)\.(\d+)"', text)
    needed = (int(match.group(1)), int(match.group(2))) if match else (3, 11)
    results = []
    here = sys.version_info[:2]
    # make puts .venv/bin first on PATH: this is .venv's Python if there is one, else
    # the python3 that make env would build .venv with.
    results.append(["ok" if here >= needed else "bad", "Python",
                    f"{sys.version.split()[0]} ({sys.executable}), needs >= "
                    f"{needed[0]}.{needed[1]}",
                    f"install Python {needed[0]}.{needed[1]} or newer and run "
                    f"make PYTHON=/path/to/python3.{needed[1]} env"])
    config = venv_python.parent.parent / "pyvenv.cfg"
    if config.is_file():
        found = re.search(r"^version(?:_info)?\s*=\s*(\d+)\.(\d+)\S*", config.read_text(), re.M)
        if found:
            version = (int(found.group(1)), int(found.group(2)))
            results.append(["ok" if version >= needed else "bad", "Python in .venv",
                            f"{found.group(0).split('=')[1].strip()}",
                            "make clean-env && make env"])
    return results


def venv_check(root):
    venv = root / ".venv"
    python = venv / "bin" / "python"
    stamp = venv / ".installed-stamp"
    pyproject = root / "pyproject.toml"
    if not (python.is_file() and os.access(python, os.X_OK)):
        return ["bad", "virtual environment", f"{venv} is missing or has no bin/python",
                "make env (make lab and make test also create it)"]
    if not stamp.is_file():
        return ["bad", "virtual environment", "its installation never finished",
                "make env"]
    if stamp.stat().st_mtime < pyproject.stat().st_mtime:
        return ["bad", "virtual environment", "older than pyproject.toml (dependencies changed)",
                "make env"]
    return ["ok", "virtual environment", f"{venv}, up to date with pyproject.toml", ""]


def environment_checks(root, python, needed_variant, timeout=120):
    """The probe's lines, or one red line saying why it could not run."""
    fix = "make clean-env && make env"
    if not python.is_file():
        return [["bad", "checks inside .venv", "skipped: there is no .venv", "make env"]]
    try:
        run = subprocess.run([str(python), str(PROBE), str(root / "pyproject.toml"),
                              needed_variant], capture_output=True, text=True,
                             timeout=timeout, cwd=root)
        return json.loads(run.stdout)
    except subprocess.TimeoutExpired:
        return [["bad", "checks inside .venv", f"did not finish in {timeout} s", fix]]
    except (OSError, ValueError):
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return [["bad", "checks inside .venv", f"could not run: {last}", fix]]


def sandbox_check():
    """Whether grading can run submissions in a bubblewrap sandbox on this machine."""
    fix = (f"{system_parts.PARTS['sandbox'][2]} (Linux; on macOS or Windows, grade in Linux "
           "or WSL 2)")
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return ["warn", "grading sandbox", "bubblewrap (bwrap) is not installed", fix]
    try:
        run = subprocess.run([bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/",
                              "true"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as error:
        return ["warn", "grading sandbox", f"{bwrap} did not run: {error}", fix]
    if run.returncode != 0:
        reason = (run.stderr.strip().splitlines() or [f"exit status {run.returncode}"])[-1]
        return ["warn", "grading sandbox", f"bwrap cannot make a sandbox here: {reason}",
                "allow unprivileged user namespaces (e.g. sysctl "
                "kernel.unprivileged_userns_clone=1; in a container, run it with them "
                "allowed), or grade on a machine where they are"]
    return ["ok", "grading sandbox", f"{bwrap} runs a command with every namespace "
            "unshared", ""]


def system_part_checks():
    """Chromium and Node.js: only some tests and make hub need them (marked !, not ✗).

    The fix is the line the test run prints when it skipped tests for want of the
    part (tools/system_parts.py holds both).
    """
    lines = []
    for part, missing in (("chromium", system_parts.chromium_missing),
                          ("node", system_parts.node_missing)):
        what, needed_by, how = system_parts.PARTS[part]
        reason = missing()
        lines.append(["ok", what, f"there, for {needed_by}", ""] if reason is None
                     else ["warn", what, f"{reason} (needed for {needed_by})",
                           how])
    return lines


def disk_and_cores_checks(root, has_venv):
    free = shutil.disk_usage(root).free
    needed = DISK_NEEDED["with_venv" if has_venv else "without_venv"]
    disk = ["ok" if free >= needed else "bad", "free disk space",
            f"{free / GIB:.1f} GB free in {root} (needs {needed / GIB:.0f} GB)",
            "free some space (e.g. make clean-env, ~/.cache/pip)"]
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS has no sched_getaffinity
        cores = os.cpu_count() or 1
    cpu = ["ok" if cores >= 2 else "warn", "CPU cores", f"{cores} available to this process",
           "with one core make test takes about twice as long; it still runs"]
    return [disk, cpu]


def collect(root, needed_variant):
    venv_python = root / ".venv" / "bin" / "python"
    lines = python_check(root, venv_python)
    lines.append(venv_check(root))
    lines += environment_checks(root, venv_python, needed_variant)
    lines.append(sandbox_check())
    lines += system_part_checks()
    lines += disk_and_cores_checks(root, venv_python.is_file())
    return lines


def format_line(status, what, detail, fix):
    line = f"{MARKS[status]} {what}: {detail}"
    return f"{line}  → fix: {fix}" if status != "ok" and fix else line


def main(argv=None):
    parser = argparse.ArgumentParser(prog="make doctor", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the course repository (default: this one)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    needed = os.environ.get("DP_MNIST_VARIANT", "").strip() or "digits"
    lines = collect(root, needed)
    for line in lines:
        print(format_line(*line))
    broken = [line for line in lines if line[0] == "bad"]
    print(f"{len(broken)} problem(s): the course cannot run until they are fixed."
          if broken else "The course can run on this machine.")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
