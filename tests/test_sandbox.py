"""Issue 14: every graded notebook runs in a sandbox (tools/grading/sandbox.py).

One real ``tools.grading`` run per assignment (the fixture and 01_scalar_autodiff)
grades a perfect and an untouched student plus one attacker per attack of
``tests/grading/attacks.py``; each attack must fail or gain nothing, leave no
process or file behind, and not change any healthy student's score. Small limits
keep it fast and safe on the 2-core CI machine (512 MiB per process, 48 processes,
64 MiB tmpfs). Unit tests run a kernel in the sandbox directly.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from grading import attacks as a
from grading import builders as b
from grading import runs

sys.path.insert(0, str(b.REPO))
from tools.grading import sandbox  # noqa: E402
from tools.course import subprocess_env  # noqa: E402

REAL = "01_scalar_autodiff"
LIMITS = ["--Sandbox.memory_mb=512", "--Sandbox.max_processes=48", "--Sandbox.tmp_mb=64",
          "--Sandbox.notebook_timeout=600", "--Execute.timeout=60"]
SECRET = "s3cr3t-" + uuid.uuid4().hex

# Where the sandbox cannot work, the tests that need it skip with the fix, and fail
# with CI=true, since CI must prove it (tests/requirements.py).
# Each grading run in an xdist group of its own, so that the runs spread over the
# workers (the conftest would otherwise keep the file, minutes long, on one worker).
pytestmark = pytest.mark.grading


class LoopbackServer:
    """A TCP server on 127.0.0.1 that records every connection it accepts (stopped by close)."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except OSError:
                continue
            self.accepted.append(addr)
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def token_processes(token: str) -> list[int]:
    """pids whose command line contains ``token`` (the attacks mark their processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if token.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def kill_all(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def grade(course: Path, assignment: str, *args: str, env: dict | None = None):
    start = time.monotonic()
    command = [sys.executable, "-m", "tools.grading", assignment, "--course-dir", str(course),
               *args]
    proc = subprocess.run(command, cwd=course, env=env or subprocess_env({"MPLBACKEND": "Agg"}),
                          capture_output=True, text=True, timeout=1500)
    return proc, time.monotonic() - start


def release(course: Path, assignment: str):
    if assignment == b.FIXTURE:
        gen = subprocess.run([sys.executable, "-m", "tools.release", assignment,
                              "--course-dir", str(course)],
                             cwd=course, env=subprocess_env(), capture_output=True, text=True)
        assert gen.returncode == 0, gen.stdout + gen.stderr
    else:
        shutil.copytree(b.REPO / "release" / assignment, course / "release" / assignment)


def submit_healthy(course: Path, assignment: str):
    for name, path in b.notebooks(course / "release" / assignment).items():
        released = nbformat.read(path, as_version=4)
        source = nbformat.read(course / "source" / assignment / f"{name}.ipynb", as_version=4)
        b.submit(course, "perfect", assignment, name, b.perfect(released, source))
        b.submit(course, "untouched", assignment, name, released)


@pytest.fixture(scope="module", params=[
    pytest.param(a, marks=pytest.mark.xdist_group(f"sandbox-attacks-{a}"))
    for a in (b.FIXTURE, REAL)])
def attacked_class(request, tmp_path_factory):
    """One graded class per assignment: perfect, untouched and every attacker."""
    assignment = request.param
    course = tmp_path_factory.mktemp(f"sandbox-{assignment}")
    is_fixture = assignment == b.FIXTURE
    b.new_course(course, [] if is_fixture else [assignment], fixture=is_fixture)
    release(course, assignment)
    submit_healthy(course, assignment)
    home = tmp_path_factory.mktemp("grader-home")
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_secret").write_text(SECRET)
    token = "dpattack" + uuid.uuid4().hex[:12]
    server = LoopbackServer()
    site_packages = sysconfig.get_paths()["purelib"]
    try:
        for name, path in b.notebooks(course / "release" / assignment).items():
            released = nbformat.read(path, as_version=4)
            target = a.Target(str(course), assignment, name, site_packages, server.port, token,
                              "GRADER_SECRET", str(home))
            for student, (build, _) in a.ATTACKS.items():
                b.submit(course, student, assignment, name, build(released, target))
        perfect = course / "submitted" / "perfect" / assignment
        perfect_before = {p.name: p.read_bytes() for p in perfect.iterdir()}
        env = subprocess_env({"MPLBACKEND": "Agg", "GRADER_SECRET": SECRET, "HOME": str(home)})
        runtime = tmp_path_factory.mktemp("rt")
        proc, seconds = grade(course, assignment, *LIMITS, f"--Sandbox.runtime_dir={runtime}",
                              env=env)
        survivors_now = token_processes(token)
        time.sleep(2)  # a surviving daemon would rewrite grades.csv within 0.5 s
        yield {"course": course, "assignment": assignment, "proc": proc, "seconds": seconds,
               "runtime": runtime, "server": server, "token": token,
               "survivors": survivors_now + token_processes(token),
               "site_packages": Path(site_packages), "perfect_before": perfect_before,
               "run": runs.ClassRun(course, assignment, proc.returncode, proc.stdout, proc.stderr,
                                    b.gradebook_scores(course, assignment), False)}
    finally:
        server.close()
        kill_all(token_processes(token))
        for planted in Path(site_packages).glob(f"zz_{token}.pth"):
            planted.unlink()


def attack_problems(c) -> list[str]:
    """Everything that shows an attack worked, harmed someone or left something behind."""
    run, course, token = c["run"], c["course"], c["token"]
    p = []
    if run.returncode != 0:
        p.append(f"tools.grading exited {run.returncode}:\n"
                 f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    if "Sandboxed (bubblewrap)" not in run.stdout or "512 MiB" not in run.stdout:
        p.append("summary does not say grading is sandboxed and its limits")
    scores = run.scores
    for student, cells in scores.items():
        want_full = student == "perfect"
        for gid, (score, maximum) in cells.items():
            if score != (maximum if want_full else 0):
                p.append(f"{student}: {gid} scored {score} of {maximum}")
    for student in ["perfect", "untouched", *a.ATTACKS]:
        if student not in scores or not scores[student]:
            p.append(f"{student}: no grades ({run.status(student)})")
        status = run.status(student)
        if "graded" not in status or "FAILED" in status:
            p.append(f"{student} was not graded: {status}")
    for student in ("perfect", "untouched"):
        if "(" in run.status(student):
            p.append(f"healthy student has notes: {run.status(student)}")
    for student, (_, words) in a.ATTACKS.items():
        if words and words not in run.status(student):
            p.append(f"{student}: status does not say '{words}': {run.status(student)}")
    # What the guarded attacks printed: none may have succeeded.
    for nb_path in (course / "autograded").glob(f"attack_*/{run.assignment}/*.ipynb"):
        nb = nbformat.read(nb_path, as_version=4)
        printed = "".join(o.get("text", "") + str(o.get("evalue", ""))
                          + "".join(o.get("traceback", []))
                          for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs)
        p += [f"{nb_path.parts[-3]}: {line.strip()[:200]}" for line in printed.splitlines()
              if "ATTACK" in line and "succeeded" in line]
        if SECRET in printed:
            p.append(f"{nb_path.parts[-3]}: the grader's secret is in the graded notebook")
    for html in (course / "feedback").rglob("*.html"):
        if SECRET in html.read_text():
            p.append(f"secret leaked into feedback {html}")
    if c["server"].accepted:
        p.append(f"the loopback server accepted {len(c['server'].accepted)} connection(s)")
    if c["survivors"]:
        p.append(f"processes outlived grading: {c['survivors']}")
    if list(c["site_packages"].glob(f"zz_{token}.pth")):
        p.append("a .pth file was planted in the venv")
    leftovers = ([str(x) for x in Path("/tmp").glob(f"{token}*")]
                 + [str(x) for x in c["runtime"].iterdir()])
    if leftovers:
        p.append(f"files left in /tmp: {leftovers}")
    perfect = course / "submitted" / "perfect" / run.assignment
    after = {q.name: q.read_bytes() for q in perfect.iterdir()}
    if after != c["perfect_before"]:
        p.append("the perfect student's submission was changed")
    rows = run.csv_rows()
    for student, cells in scores.items():
        total = sum(s or 0 for s, _ in cells.values())
        if student not in rows or float(rows[student]["score"]) != total:
            p.append(f"{student}: CSV score {rows.get(student, {}).get('score')} "
                     f"!= gradebook {total}")
    if (course / "autograded" / "grades.csv").read_text().startswith("hacked"):
        p.append("grades.csv was rewritten after export")
    return p


@pytest.mark.needs("sandbox")
def test_attacks_fail_gain_nothing_and_leave_nothing(attacked_class):
    problems = attack_problems(attacked_class)
    print(f"\n{attacked_class['assignment']}: class of {2 + len(a.ATTACKS)} graded in "
          f"{attacked_class['seconds']:.1f} s\n{attacked_class['proc'].stdout}")
    assert not problems, "\n".join(problems)


@pytest.mark.xdist_group("sandbox-healthy")
@pytest.mark.needs("sandbox")
def test_healthy_scores_equal_grading_alone_sandboxed_and_not(tmp_path):
    """The healthy pair graded alone, sandboxed and unsandboxed: full marks and 0 (as in the
    attacked class), and the sandbox's overhead per student."""
    results, seconds = {}, {}
    for mode, extra in (("sandboxed", []), ("unsandboxed", ["--unsandboxed"])):
        course = b.new_course(tmp_path / mode, fixture=True)
        release(course, b.FIXTURE)
        submit_healthy(course, b.FIXTURE)
        proc, seconds[mode] = grade(course, b.FIXTURE, *LIMITS, *extra)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        results[mode] = b.gradebook_scores(course, b.FIXTURE)
        if extra:
            warning = proc.stdout.index("WARNING: graded WITHOUT the sandbox")
            assert warning < proc.stdout.index("student "), proc.stdout
        else:
            assert "Sandboxed (bubblewrap)" in proc.stdout
    assert results["sandboxed"] == results["unsandboxed"]
    perfect, untouched = results["sandboxed"]["perfect"], results["sandboxed"]["untouched"]
    assert perfect and all(score == maximum for score, maximum in perfect.values())
    assert untouched and all(score == 0 for score, _ in untouched.values())
    overhead = (seconds["sandboxed"] - seconds["unsandboxed"]) / 2
    print(f"\nsandbox overhead per student: {overhead:.2f} s "
          f"(2 students: sandboxed {seconds['sandboxed']:.1f} s, "
          f"unsandboxed {seconds['unsandboxed']:.1f} s)")


# ------------------------------------------------------------------ the sandbox module itself
PROBE = r"""
import json, os, socket
seen = {"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "ppid": os.getppid(),
        "pids": sorted(int(p) for p in os.listdir('/proc') if p.isdigit()),
        "repo": sorted(os.listdir(REPO)), "cwd": os.getcwd(), "files": sorted(os.listdir('.')),
        "secret": os.environ.get('GRADER_SECRET'), "home": os.environ.get('HOME'),
        "grader_home": os.path.exists(GRADER_HOME), "course": os.path.exists(COURSE)}
try:
    socket.create_connection(('127.0.0.1', PORT), timeout=3).close()
    seen["loopback"] = "connected"
except OSError as exc:
    seen["loopback"] = repr(exc)
for path in (REPO + '/dp/__init__.py', SITE + '/probe.pth', '/usr/probe'):
    try:
        open(path, 'a').close()
        seen.setdefault("wrote", []).append(path)
    except OSError:
        pass
print(json.dumps(seen))
"""


def run_cells(sources, tmp_path, **sandbox_config):
    """Execute code cells with SandboxedExecute (as autograde does) in ``tmp_path``."""
    from traitlets.config import Config

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    config = Config()
    for key, value in sandbox_config.items():
        section, trait = key.split("__")
        config[section][trait] = value
    ep = sandbox.SandboxedExecute(config=config)
    start = time.monotonic()
    nb, _ = ep.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    return nb, time.monotonic() - start


@pytest.mark.needs("sandbox")
def test_kernel_sees_only_its_files_no_network_and_runs_as_its_own_uid(tmp_path, monkeypatch):
    import json

    course, home, data = tmp_path / "course", tmp_path / "home", tmp_path / "data"
    course.mkdir()
    home.mkdir()
    data.mkdir()
    (data / "set.txt").write_text("pixels")
    (course / "data.csv").write_text("1,2\n")
    (course / "graded.ipynb").write_text("{}")  # notebooks hold hidden tests: not copied
    monkeypatch.setenv("GRADER_SECRET", SECRET)
    monkeypatch.setenv("HOME", str(home))
    server = LoopbackServer()
    try:
        probe = (f"REPO, SITE, PORT = {str(b.REPO)!r}, {sysconfig.get_paths()['purelib']!r}, "
                 f"{server.port}\n"
                 f"GRADER_HOME, COURSE = {str(home)!r}, {str(course)!r}\n" + PROBE)
        read_data = "print(open(os.environ['DP_DATA_DIR'] + '/set.txt').read())"
        nb, _ = run_cells([probe + read_data], course,
                          Sandbox__read_only_paths=[str(data)],
                          Sandbox__extra_env={"DP_DATA_DIR": str(data)})
    finally:
        server.close()
    outputs = nb.cells[0].outputs
    assert outputs and outputs[0].get("name") == "stdout", outputs
    seen_line, data_line = outputs[0]["text"].splitlines()
    seen = json.loads(seen_line)
    assert data_line == "pixels"  # a data folder named in the config is readable
    base = sandbox.Sandbox().uid_base
    assert base <= seen["uid"] == seen["euid"] == seen["gid"] < base + sandbox.Sandbox().uid_count
    assert seen["uid"] not in (0, os.getuid())
    assert seen["ppid"] == 1 and max(seen["pids"]) < 100 and os.getpid() not in seen["pids"][3:]
    # no source/, tools/, gradebook:
    assert set(seen["repo"]) <= {".venv", "dp", "hidden_checks"}, seen["repo"]
    assert seen["files"] == ["data.csv"] and seen["cwd"] == sandbox.WORK
    assert seen["secret"] is None and seen["home"] == sandbox.HOME
    assert not seen["grader_home"] and not seen["course"]
    assert seen["loopback"] != "connected" and not server.accepted
    assert "wrote" not in seen, seen["wrote"]
    assert not list(Path(sysconfig.get_paths()["purelib"]).glob("probe.pth"))


@pytest.mark.needs("sandbox")
def test_notebook_budget_stops_the_rest_and_is_named(tmp_path):
    nb, seconds = run_cells(["import time\ntime.sleep(1)", "time.sleep(30)", "x = 1"], tmp_path,
                            Sandbox__notebook_timeout=6, Execute__timeout=60)
    first, second, third = (c.outputs for c in nb.cells)
    assert not [o for o in first if o.output_type == "error"]
    assert "CellTimeoutError" in [o.ename for o in second if o.output_type == "error"]
    assert [o.ename for o in third] == [sandbox.BUDGET_ENAME]
    assert seconds < 30
    notes = sandbox.limit_notes(nb, sandbox.Sandbox(notebook_timeout=6))
    assert notes == ["time budget of 6 s used up before cell #2 (rest scored 0)"], notes


def test_grade_refuses_without_bubblewrap_and_says_what_to_do(tmp_path):
    course = b.new_course(tmp_path / "course", fixture=True)
    b.submit(course, "someone", b.FIXTURE, b.FIXTURE_NOTEBOOK, b.fixture_notebook())
    env = subprocess_env({"PATH": str(Path(sys.executable).parent)})  # no /usr/bin: no bwrap
    proc, _ = grade(course, b.FIXTURE, env=env)
    assert proc.returncode not in (0, 1), proc.stdout + proc.stderr
    assert "bubblewrap is not installed" in proc.stderr, proc.stderr
    assert "--unsandboxed" in proc.stderr, proc.stderr
    assert not (course / "gradebook.db").exists() and not (course / "autograded").exists()


def sandbox_uid_processes() -> dict[int, int]:
    """uid -> number of processes, for host processes owned by sandbox uids."""
    s = sandbox.Sandbox()
    counts = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            uid_line = next(ln for ln in status.read_text().splitlines() if ln.startswith("Uid:"))
            uid = int(uid_line.split()[1])
        except (OSError, StopIteration, ValueError):
            continue
        if s.uid_base <= uid < s.uid_base + s.uid_count:
            counts[uid] = counts.get(uid, 0) + 1
    return counts


@pytest.mark.xdist_group("sandbox-fork-bomb")
@pytest.mark.needs("sandbox")
def test_a_fork_bomb_does_not_use_up_a_concurrent_sandboxs_processes(tmp_path):
    """Two notebooks at once (parallel grading): one holds every process it may have,
    the other still starts 20. A shared uid (one RLIMIT_NPROC count) would fail this."""
    limits = {"Sandbox__max_processes": 48}
    bomb = ["import subprocess\nhold = []\n"
            "while True:\n    hold.append(subprocess.Popen(['sleep', '60']))",
            "import time\ntime.sleep(20)"]
    result = {}

    def run_bomb():
        result.update(bomb=run_cells(bomb, tmp_path / "a", **limits)[0])

    thread = threading.Thread(target=run_bomb)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    before = sandbox_uid_processes()
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(
                n >= 30 and before.get(uid, 0) < 30 for uid, n in sandbox_uid_processes().items()):
            time.sleep(0.5)
        assert any(n >= 30 for n in sandbox_uid_processes().values()), (
            "the fork bomb never got going")
        nb, _ = run_cells(["import subprocess\n"
                           "procs = [subprocess.Popen(['true']) for _ in range(20)]\n"
                           "print(sum(p.wait() == 0 for p in procs))"], tmp_path / "b", **limits)
    finally:
        thread.join(180)
    assert [o.get("text") for o in nb.cells[0].outputs] == ["20\n"], nb.cells[0].outputs
    bomb_errors = [o for o in result["bomb"].cells[0].outputs if o.output_type == "error"]
    assert bomb_errors and "[Errno 11]" in bomb_errors[0].evalue, bomb_errors
    assert sandbox.limit_notes(result["bomb"], sandbox.Sandbox(max_processes=48)) == [
        "cell #0 hit the process limit (48)"]
