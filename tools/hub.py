"""Bring a course JupyterHub up on this machine, or take it down again.

    python -m tools.hub up   [--name dpcourse] [--port 8000] [--students 3]   (make hub)
    python -m tools.hub down [--name dpcourse]                                (make hub-down)

``up`` needs Linux and root (it creates Unix users and groups). Everything it makes
is recorded, before it is made, in ``/srv/<name>/state/created.json``, so ``down``
removes exactly that (also after a crash halfway): the hub and its proxy, every
process of the course's users, the users with their homes, the groups, and
``/srv/<name>``. Layout:

    /srv/<name>/env       the course environment every user's server runs from: a
                          copy of this repository's .venv (hard links where
                          possible) with dp installed into it, since the repository
                          (e.g. under /root) may be closed to other users.  root, 0755
    /srv/<name>/python    only when .venv's base interpreter is closed to other users
                          (pyenv under /root): a hard-linked copy of it
    /srv/<name>/course    the course root: nbgrader_config.py, tools/, source/,
                          release/, later gradebook.db, submitted/, autograded/,
                          feedback/.   first instructor : instructors, 2770, files 0660
                          (students: no access; instructors' servers run with umask 007)
    /srv/<name>/exchange  nbgrader's filesystem exchange.  root, 1777 (nbgrader wants
                          it world-writable; the sticky bit stops students renaming
                          the course's folder in it); <course_id>/ made in advance
                          by the first instructor, so no student can claim it first
    /srv/<name>/home/<u>  each user's home, 0700
    /srv/<name>/config    Jupyter config per role (JUPYTER_CONFIG_PATH): what
                          nbgrader tools each role sees; terminals' bashrc
    /srv/<name>/grader    what the grading service (root) runs: a copy of tools/ and
                          nbgrader_config.py.  root : instructors, 0750
    /srv/<name>/state     the hub's database, cookie secret, log, settings; the
                          grading service's scratch course for feedback at submit
                          time (submit-feedback/).  root, 0700
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tools.course import REPO_ROOT
from tools.errors import USAGE, ToolError, main_reports_errors

COURSE_ID = "dp-course"
NAME_PATTERN = r"[a-z][a-z0-9]{1,15}"
HUB_CONFIG = REPO_ROOT / "hub" / "jupyterhub_config.py"
PROXY = REPO_ROOT / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
EXCHANGE_MODULE = REPO_ROOT / "hub" / "dp_hub_exchange.py"
# Copied into the environment beside it: the instructors' server extension (Formgrader
# in the lab, its Autograde through the grading service, offline MathJax, the mark
# scheme) and the grading service the hub runs as root.
HUB_MODULES = [EXCHANGE_MODULE, REPO_ROOT / "hub" / "dp_hub_instructor.py",
               REPO_ROOT / "hub" / "dp_grading_service.py"]
# Which of nbgrader's tools each role gets (server extensions and JupyterLab plugins).
INSTRUCTOR_TOOLS = ["formgrader", "course_list", "create-assignment"]


def refuse_unless_possible() -> None:
    """Stop with a clear message where a hub cannot be made: not Linux, not root."""
    if platform.system() != "Linux":
        raise ToolError(f"make hub needs Linux (Unix users, PAM, setuid servers); "
                        f"this is {platform.system()}. Nothing was changed.")
    if os.geteuid() != 0:
        raise ToolError("make hub creates Unix users and groups "
                        "and starts servers as them: "
                        "run it as root (sudo make hub). Nothing was changed.")


class Course:
    """The paths, users and groups of one hub called ``name``."""

    def __init__(self, name: str, students: int = 3):
        if not re.fullmatch(NAME_PATTERN, name):
            raise ToolError(f"hub name {name!r} must be 2-16 lowercase letters and digits, "
                            "starting with a letter (it prefixes Unix user and group names)", USAGE)
        self.name = name
        self.base = Path("/srv") / name
        self.env, self.course, self.exchange = (
            self.base / "env", self.base / "course", self.base / "exchange")
        self.home, self.config, self.state = (
            self.base / "home", self.base / "config", self.base / "state")
        self.grader = self.base / "grader"
        self.instructors_group, self.students_group = f"{name}-instructors", f"{name}-students"
        # the instructor who owns the course root, and a teaching assistant: a second
        # member of the instructors' group who grades beside them
        self.instructors = [f"{name}-instructor", f"{name}-ta"]
        self.students = [f"{name}-student{i}" for i in range(1, students + 1)]
        self.created_file = self.state / "created.json"

    # ---------------------------------------------------------------- bookkeeping
    def created(self) -> dict:
        if self.created_file.exists():
            return json.loads(self.created_file.read_text())
        return {"groups": [], "users": [], "base": False, "hub_pid": None}

    def record(self, **changes) -> None:
        data = self.created()
        for key, value in changes.items():
            data[key] = data[key] + [value] if isinstance(data.get(key), list) else value
        self.state.mkdir(parents=True, exist_ok=True)
        self.created_file.write_text(json.dumps(data, indent=1))


def run(*cmd: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- building blocks
def make_groups_and_users(c: Course, passwords: dict[str, str]) -> None:
    """Unix groups, then users whose primary group is their role's, homes 0700, passwords set."""
    for group in (c.instructors_group, c.students_group):
        c.record(groups=group)
        run("groupadd", group)
    c.home.mkdir(parents=True, exist_ok=True)
    for users, group in ((c.instructors, c.instructors_group), (c.students, c.students_group)):
        for user in users:
            c.record(users=user)
            run("useradd", "--create-home", "--home-dir", str(c.home / user), "--gid", group,
                "--shell", "/bin/bash", user)
            (c.home / user).chmod(0o700)
    run("chpasswd", input="".join(f"{u}:{p}\n" for u, p in passwords.items()))


def make_environment(c: Course, venv: Path) -> None:
    """The course environment at ``c.env``: a copy of ``venv`` every user can run.

    Hard links where the file system allows (seconds, no extra space); scripts whose
    ``#!`` names the old interpreter are rewritten (as new files, so the originals are
    untouched), and dp and hidden_checks (the recorder hidden tests import), installed in
    editable mode (a pointer into the repository), are copied in instead, so nothing
    points back into the repository.
    """
    # A .venv that is a symbolic link (a worktree sharing one) would be copied as the
    # link itself, and every edit below would land in the developer's own venv.
    venv = venv.resolve()
    try:
        run("cp", "-al", str(venv), str(c.env))
    except subprocess.CalledProcessError:
        shutil.rmtree(c.env, ignore_errors=True)
        run("cp", "-a", str(venv), str(c.env))
    old, new = str(venv / "bin"), str(c.env / "bin")
    for script in (c.env / "bin").iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        data = script.read_bytes()
        if data.startswith(b"#!") and old.encode() in data.split(b"\n", 1)[0]:
            replace_file(script, data.replace(old.encode(), new.encode(), 1))
    use_interpreter_all_can_run(c)
    python = str(c.env / "bin" / "python")
    purelib = Path(run(python, "-c",
                       "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    # the editable install's pointer to the repository
    for hook in purelib.glob("__editable__*dp*"):
        hook.unlink()
    for package in ("dp", "hidden_checks"):
        shutil.copytree(REPO_ROOT / package, purelib / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for module in HUB_MODULES:
        shutil.copy(module, purelib / module.name)
    etc = c.env / "etc" / "jupyter"
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "nbgrader_config.py").unlink(missing_ok=True)  # never write through a hard link
    (etc / "nbgrader_config.py").write_text(
        "# The course hub's exchange (tools/hub.py writes this file).\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(c.exchange)!r}\n"
        "# Submissions readable by the instructors' group only (hub/dp_hub_exchange.py).\n"
        "c.ExchangeFactory.submit = 'dp_hub_exchange.ExchangeSubmit'\n"
        "# Released notebooks carry the kernel's language_info: not 'modified' when opened.\n"
        "c.ExchangeFactory.release_assignment = 'dp_hub_exchange.ExchangeReleaseAssignment'\n"
        "# The Assignments tab: each assignment's due date, from the grading service.\n"
        "c.ExchangeFactory.list = 'dp_hub_exchange.ExchangeList'\n")


def open_to_all(path: Path) -> bool:
    """Whether every user can reach ``path`` (each folder above it searchable by others)
    and read and run it."""
    path = Path(path).resolve()
    if not path.exists() or path.stat().st_mode & 0o005 != 0o005:
        return False
    return all(folder.stat().st_mode & 0o001 for folder in path.parents)


def use_interpreter_all_can_run(c: Course) -> None:
    """Point the environment at a base interpreter every user can run.

    A virtual environment runs its base interpreter (``bin/python3`` is a link to it).
    When that lives where other users cannot reach, e.g. a pyenv build under /root,
    the whole base installation is hard-linked to ``/srv/<name>/python`` (seconds, no
    space). Such a build also finds ``libpython`` through an absolute RUNPATH into
    the original folder; the copy's binary gets ``$ORIGIN/../lib`` instead (the same
    edit patchelf makes; the new path is shorter, so the string is patched in place
    in a copy of the binary). The system's own Python of the same minor version is
    no substitute: packages are tested against the patch release they were installed
    with (Debian 12's 3.11.2 has regular-expression bugs that break nbconvert's HTML
    export, i.e. nbgrader's feedback).
    """
    base = Path(sys.base_prefix).resolve()
    exe = (c.env / "bin" / "python3").resolve()
    if open_to_all(exe) and open_to_all(base / "lib"):
        return
    copy = c.base / "python"
    try:
        run("cp", "-al", str(base), str(copy))
    except subprocess.CalledProcessError:
        shutil.rmtree(copy, ignore_errors=True)
        run("cp", "-a", str(base), str(copy))
    new_exe = copy / exe.relative_to(base)
    data = new_exe.read_bytes()
    old_runpath = str(base / "lib").encode() + b"\0"
    if old_runpath in data:
        replace_file(new_exe, data.replace(old_runpath,
                                           b"$ORIGIN/../lib\0".ljust(len(old_runpath), b"\0")))
    link = c.env / "bin" / "python3"
    link.unlink()
    link.symlink_to(new_exe)
    cfg = c.env / "pyvenv.cfg"
    lines = [ln for ln in cfg.read_text().splitlines()
             if not ln.startswith(("home", "executable", "command"))]
    replace_file(cfg, "\n".join([f"home = {new_exe.parent}", f"executable = {new_exe}", *lines])
                 + "\n")
    check = subprocess.run(["runuser", "-u", "nobody", "--", str(c.env / "bin" / "python"),
                            "-c", "import ssl, sqlite3"],
                           capture_output=True, text=True)
    if check.returncode != 0:
        raise ToolError("the course environment's Python does not run as another user:\n"
                        f"{check.stderr}")


def replace_file(path: Path, text: str | bytes) -> None:
    """Write ``path`` as a new file (same mode): the environment is a tree of hard links
    to the repository's .venv, which writing in place would change too."""
    tmp = path.with_name(path.name + ".tmp")
    (tmp.write_bytes if isinstance(text, bytes) else tmp.write_text)(text)
    tmp.chmod(path.stat().st_mode & 0o7777)
    os.replace(tmp, path)


def make_course_root(c: Course) -> None:
    """The course root: the repository's course files, owned by the instructors' group only."""
    c.course.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "nbgrader_config.py", c.course / "nbgrader_config.py")
    skip = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
    for folder in ("tools", "source", "release"):
        shutil.copytree(REPO_ROOT / folder, c.course / folder, ignore=skip)
    owner = c.instructors[0]
    for folder, _dirs, files in os.walk(c.course):
        shutil.chown(folder, owner, c.instructors_group)
        os.chmod(folder, 0o2770)
        for name in files:
            path = os.path.join(folder, name)
            shutil.chown(path, owner, c.instructors_group)
            os.chmod(path, 0o660)
    # What the grading service (root) runs: root's own copy of tools/ and the course's
    # nbgrader config, out of the instructors' reach (the course root is theirs to write,
    # and root must not execute what they can edit). Readable by the instructors only.
    c.grader.mkdir()
    shutil.copy(REPO_ROOT / "nbgrader_config.py", c.grader / "nbgrader_config.py")
    shutil.copytree(REPO_ROOT / "tools", c.grader / "tools", ignore=skip)
    for folder, _dirs, files in os.walk(c.grader):
        shutil.chown(folder, "root", c.instructors_group)
        os.chmod(folder, 0o750)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o640)


def make_exchange(c: Course) -> None:
    """nbgrader's exchange root (world-writable as nbgrader requires, sticky) and the
    course's folders in it, made in advance with nbgrader's own modes."""
    c.exchange.mkdir(parents=True)
    c.exchange.chmod(0o1777)
    owner = c.instructors[0]
    folders = {"": 0o755, "outbound": 0o755, "inbound": 0o2733, "feedback": 0o711}
    for sub, mode in folders.items():
        path = c.exchange / COURSE_ID / sub if sub else c.exchange / COURSE_ID
        path.mkdir()
        shutil.chown(path, owner, c.instructors_group)
        path.chmod(mode)


def make_role_config(c: Course) -> None:
    """Jupyter config per role, found first through JUPYTER_CONFIG_PATH.

    Students: nbgrader's instructor tools off (the formgrader's server extension and
    the course list; the formgrader, course list and create-assignment plugins of
    JupyterLab). Instructors: all on, whatever the environment's defaults say, plus
    ``dp_hub_instructor`` (hub/dp_hub_instructor.py), a frame policy that lets their
    own lab frame the formgrader (JupyterHub's singleuser server sends
    ``frame-ancestors 'none'``, which students keep) and nbgrader's ``groupshared``
    (what nbgrader writes is group-writable, for a second grader).
    Note that this is for a tidy interface only: a student who turns the formgrader
    back on in ~/.jupyter gets a formgrader of their own home; the course root and
    other students' work stay closed to them by file permissions.

    Both roles' terminals run bash with ``<config>/bashrc``: the user's own set-up,
    then the course environment first on PATH (a login shell, the default for a server
    without a terminal, would reset PATH from /etc/profile, and ``python`` would not
    be found).
    """
    c.config.mkdir(parents=True, exist_ok=True)
    bashrc = c.config / "bashrc"
    bashrc.write_text(
        "# Terminals of the course hub (tools/hub.py writes this file).\n"
        "[ -f /etc/bash.bashrc ] && . /etc/bash.bashrc\n"
        "[ -f ~/.bashrc ] && . ~/.bashrc\n"
        f'export PATH="{c.env / "bin"}:$PATH"\n')
    bashrc.chmod(0o644)
    shell = ["/bin/bash", "--rcfile", str(bashrc), "-i"]
    for role, on in (("students", False), ("instructors", True)):
        folder = c.config / role
        (folder / "labconfig").mkdir(parents=True)
        server_ext = {f"nbgrader.server_extensions.{t}": on
                      for t in INSTRUCTOR_TOOLS if "-" not in t}
        server = {"jpserver_extensions": server_ext,
                  "terminado_settings": {"shell_command": shell}}
        if on:
            server_ext["dp_hub_instructor"] = True
            server["tornado_settings"] = {
                "headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}
            (folder / "nbgrader_config.json").write_text(
                json.dumps({"CourseDirectory": {"groupshared": True}}, indent=1))
        (folder / "jupyter_server_config.json").write_text(
            json.dumps({"ServerApp": server}, indent=1))
        plugins = {f"@jupyter/nbgrader:{t.replace('_', '-')}": not on for t in INSTRUCTOR_TOOLS}
        (folder / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": plugins}, indent=1))


def write_settings(c: Course, port: int, admin_token: str | None) -> Path:
    settings = {
        "name": c.name, "ip": "127.0.0.1", "port": port, "hub_port": free_port(),
        "proxy_api_port": free_port(), "grading_port": free_port(),
        "proxy": str(PROXY), "state": str(c.state),
        "env": str(c.env), "course": str(c.course), "config": str(c.config),
        "grader": str(c.grader), "exchange": str(c.exchange / COURSE_ID),
        "instructors_group": c.instructors_group, "instructors": c.instructors,
        "students": c.students,
        "admin_token": admin_token,
    }
    path = c.state / "settings.json"
    path.write_text(json.dumps(settings, indent=1))
    path.chmod(0o600)
    return path


def start_hub(c: Course, settings: Path, port: int, timeout: float = 120) -> int:
    """Start JupyterHub (this Python's) in its own session, logging to state/hub.log;
    wait until it answers."""
    log = open(c.state / "hub.log", "ab")
    jupyterhub = Path(sys.executable).parent / "jupyterhub"
    env = dict(os.environ, DP_HUB_SETTINGS=str(settings),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    proc = subprocess.Popen([str(jupyterhub), "-f", str(HUB_CONFIG)], cwd=c.state, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    c.record(hub_pid=proc.pid)
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/hub/api/"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ToolError(f"JupyterHub exited with status {proc.returncode}; "
                            f"see {c.state / 'hub.log'}:\n{tail(c.state / 'hub.log')}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return proc.pid
        except OSError:
            time.sleep(0.5)
    raise ToolError(f"JupyterHub did not answer on {url} within {timeout:.0f} s; "
                    f"see {c.state / 'hub.log'}:\n{tail(c.state / 'hub.log')}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def up(name: str = "dpcourse", port: int = 8000, students: int = 3,
       admin_token: str | None = None, venv: Path | None = None) -> dict:
    """Make everything and start the hub. Returns the settings plus ``passwords``.

    Raises:
        ToolError: not Linux, not root, the proxy or JupyterHub missing, or a hub of
            this name exists already (``down`` it first); nothing is left half made:
            whatever was made is removed again.
    """
    refuse_unless_possible()
    c = Course(name, students=students)
    venv = Path(venv or Path(sys.executable).parent.parent)
    if not PROXY.exists():
        raise ToolError(f"{PROXY} is missing: run `make hub` (it runs npm ci in hub/)")
    if not (Path(sys.executable).parent / "jupyterhub").exists():
        raise ToolError("JupyterHub is not installed: pip install -e '.[hub]'")
    if c.base.exists():
        raise ToolError(f"{c.base} exists: "
                        f"a hub named {name!r} is up or was not taken down "
                        f"(python -m tools.hub down --name {name})")
    passwords = {u: secrets.token_urlsafe(9) for u in c.instructors + c.students}
    try:
        c.record(base=True)
        c.base.chmod(0o755)
        c.state.chmod(0o700)
        make_groups_and_users(c, passwords)
        make_environment(c, venv)
        make_course_root(c)
        make_exchange(c)
        make_role_config(c)
        settings = write_settings(c, port, admin_token)
        start_hub(c, settings, port)
    except BaseException as exc:
        detail = exc.stderr if isinstance(exc, subprocess.CalledProcessError) else ""
        down(name)
        if isinstance(exc, subprocess.CalledProcessError):
            raise ToolError(f"{' '.join(exc.cmd)} failed: {detail}") from exc
        raise
    result = json.loads(settings.read_text())
    result.update(passwords=passwords, url=f"http://127.0.0.1:{port}/")
    return result


def processes_of(uids: set[int]) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def stop_pid(pid: int, group: bool = False, wait: float = 10) -> None:
    kill = os.killpg if group else os.kill
    try:
        kill(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
            if Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z"):
                break
        except (ProcessLookupError, FileNotFoundError):
            return
        time.sleep(0.2)
    try:
        kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _running(pid: int) -> bool:
    """Alive and not a zombie (a zombie whose parent is gone may never be reaped here)."""
    try:
        return not Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")
    except (FileNotFoundError, ProcessLookupError):
        return False


def stop_all(pids: list[int], wait: float = 5) -> None:
    """SIGTERM to every one of ``pids`` at once, SIGKILL to those still running after
    ``wait`` seconds (one at a time, a few seconds each, took most of a minute)."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and any(_running(p) for p in pids):
        time.sleep(0.2)
    for pid in pids:
        if _running(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def down(name: str = "dpcourse") -> list[str]:
    """Stop and remove everything ``up`` recorded for hub ``name``; returns what was removed."""
    refuse_unless_possible()
    c = Course(name)
    made = c.created()
    done = []
    import pwd
    uids = set()
    for user in made.get("users", []):
        try:
            uids.add(pwd.getpwnam(user).pw_uid)
        except KeyError:
            pass
    # the users' servers first, all at once: the hub would stop them one after another
    stop_all(processes_of(uids))
    if made.get("hub_pid"):
        stop_pid(made["hub_pid"], group=True)  # the hub, then its proxy, which it started
        done.append(f"hub (pid {made['hub_pid']})")
    proxy_pid = c.state / "proxy.pid"
    if proxy_pid.exists():
        try:
            stop_pid(int(proxy_pid.read_text().strip()))
        except ValueError:
            pass
    for _ in range(3):  # user servers, kernels, terminals, anything they left running
        pids = processes_of(uids)
        if not pids:
            break
        stop_all(pids)
    for user in made.get("users", []):
        if subprocess.run(["userdel", "--remove", user], capture_output=True).returncode in (0, 12):
            done.append(f"user {user}")
    for group in made.get("groups", []):
        if subprocess.run(["groupdel", group], capture_output=True).returncode == 0:
            done.append(f"group {group}")
    if made.get("base") and c.base.exists():
        shutil.rmtree(c.base)
        done.append(str(c.base))
    return done


@main_reports_errors
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.hub",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_up = sub.add_parser("up", help="make the users, folders and environment; start the hub")
    p_up.add_argument("--name", default="dpcourse",
                      help="hub name: /srv/<name>, user and group prefix")
    p_up.add_argument("--port", type=int, default=8000, help="the hub's port on 127.0.0.1")
    p_up.add_argument("--students", type=int, default=3, help="demo student accounts")
    p_down = sub.add_parser("down",
                            help="stop the hub; remove its users, groups, folders, processes")
    p_down.add_argument("--name", default="dpcourse")
    args = parser.parse_args(argv)
    if args.command == "up":
        hub = up(args.name, args.port, args.students)
        print(f"\nThe course hub is up: {hub['url']}  (log: {hub['state']}/hub.log)\n")
        print("Demo accounts (Unix users; log in with these passwords):")
        for user, password in hub["passwords"].items():
            role = "instructor" if user in hub["instructors"] else "student"
            print(f"  {role:10}  {user:24}  {password}")
        print(f"\nInstructors start in the course root {hub['course']} "
              "(formgrader: Nbgrader menu); "
              "students fetch assignments from the Assignments tab.")
        print("Take it all down again: make hub-down  "
              f"(python -m tools.hub down --name {args.name})")
    else:
        removed = down(args.name)
        print("removed: " + (", ".join(removed) if removed
                             else f"nothing (no hub named {args.name!r})"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
