"""Run each graded notebook's kernel in a bubblewrap sandbox (``make grade`` only).

nbgrader's ``autograde`` executes a student's notebook with its ``Execute``
preprocessor, an nbclient ``NotebookClient`` that starts a Jupyter kernel through a
jupyter_client kernel manager. Here the preprocessor is :class:`SandboxedExecute`
(selected in ``nbgrader_config.py`` for autograde only: ``nbgrader validate`` and the
Validate button run on the student's own machine and are unchanged), whose kernel
manager, :class:`SandboxedKernelManager`, wraps the kernel command in ``bwrap``.
Everything else nbgrader does (gradebook, checksums, restoring locked cells,
feedback) stays in the grader's process, outside the sandbox.

Inside the sandbox the kernel sees:

* read-only: ``/usr`` (and the ``/bin``, ``/lib`` links), a few files of ``/etc``
  that programs need (dynamic linker cache, fonts, certificates), the Python
  installation and virtual environment of the grader, and the source folder of the
  packages in ``Sandbox.packages`` (``dp``, installed in editable mode from the
  course root);
* writable, private and size-limited (tmpfs): ``/tmp`` and ``HOME``
  (``/home/student``); the submission's files (without notebooks, which hold hidden
  tests once nbgrader has restored them) are copied to ``/home/student/work``, the
  kernel's working directory;
* a folder with the kernel's ZeroMQ ``ipc`` sockets and connection file: the kernel
  talks to the grader over Unix sockets, so there is no network at all, loopback
  included (own network namespace);
* nothing else: not the course root, ``gradebook.db``, ``source/``, ``release/``,
  other students, ``feedback/``, ``autograded/``, the grader's files, the
  instructor's ``HOME`` or environment variables (only ``Sandbox.pass_env``).

It runs as an unprivileged host uid of its own: bwrap starts as root (it needs to
be to switch users), builds the mounts, then ``setpriv`` switches to a uid from
``Sandbox.uid_base ... + uid_count`` that no other running sandbox holds (a lock file
per uid) and drops every capability; ``no_new_privs`` stops setuid programs. A
private PID namespace whose init is bwrap makes every process of the notebook die
with the kernel (also ones that start a new session or ignore SIGTERM) and hides the
grader and other kernels, so they cannot be signalled.

Limits (``Sandbox.*`` in ``nbgrader_config.py``): ``RLIMIT_AS`` (memory, per
process), ``RLIMIT_NPROC`` (processes; counted per real uid, which is why each
concurrent sandbox gets its own uid: one student's fork bomb cannot use up
another's quota), ``RLIMIT_FSIZE`` (size of any file written), the tmpfs sizes, and a
wall-clock budget for the whole notebook on top of nbgrader's per-cell
``Execute.timeout``. A cell that hits one fails with an error, so its tests score 0;
:func:`limit_notes` names the limit in the student's status.

Why not cgroups: the CI and marking machines run cgroup v1 hybrids in containers
where a writable, delegated hierarchy is not guaranteed; rlimits and tmpfs sizes
work everywhere bwrap does. The price: memory is limited per process, so a notebook
can use at most ``memory_mb * max_processes`` in theory (documented in
tools/README.md).
"""

from __future__ import annotations

import errno
import fcntl
import fnmatch
import functools
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbformat import NotebookNode
from traitlets import Bool, Dict, Integer, List, Unicode
from traitlets.config import Configurable

from nbgrader.preprocessors import Execute

HOME = "/home/student"
WORK = f"{HOME}/work"
SUBMISSION = "/submission"
# What programs inside need from /etc (linker cache, Debian's alternatives for
# BLAS, fonts for matplotlib, certificates, time zone); not passwd/shadow/hosts.
ETC_FILES = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "fonts", "ssl",
             "localtime", "mime.types", "matplotlibrc", "nsswitch.conf"]
BUDGET_ENAME = "NotebookTimeBudgetExceeded"
DEAD_ENAME = "KernelDied"
FLOOD_ENAME = "OutputDidNotEnd"


class Sandbox(Configurable):
    """Limits and contents of the grading sandbox (``c.Sandbox.*`` in nbgrader_config.py)."""

    enabled = Bool(True, help="Run autograded notebooks in the sandbox. "
                              "`tools.grading --unsandboxed` turns it off for "
                              "one run.").tag(config=True)
    memory_mb = Integer(4096, help="Address space of each process in the sandbox, MiB "
                                   "(RLIMIT_AS).").tag(config=True)
    max_processes = Integer(64, help="Processes/threads the notebook may run at once "
                                     "(RLIMIT_NPROC of its own uid).").tag(config=True)
    max_file_mb = Integer(256, help="Largest file the notebook may write, MiB "
                                    "(RLIMIT_FSIZE).").tag(config=True)
    tmp_mb = Integer(512, help="Size of each private tmpfs (/tmp and HOME, which holds the "
                               "working copy of the submission), MiB.").tag(config=True)
    tmp_files = Integer(10_000, help="Files and folders each private tmpfs may hold (its "
                                     "nr_inodes; a tmpfs's default is half the machine's "
                                     "RAM pages).").tag(config=True)
    notebook_timeout = Integer(1800, help="Wall-clock budget for the whole notebook, seconds "
                                          "(each cell also has Execute.timeout).").tag(config=True)
    uid_base = Integer(1_500_000_000, help="First host uid used for sandboxes (one per concurrent "
                                           "sandbox; no account needed).").tag(config=True)
    uid_count = Integer(1000, help="How many uids from uid_base (the most sandboxes "
                                   "at once).").tag(config=True)
    packages = List(Unicode(), ["dp", "hidden_checks"],
                    help="Importable packages whose source folders are bound read-only (editable "
                         "installs live in the course root, which is hidden); hidden_checks is "
                         "the recorder the hidden tests import.").tag(config=True)
    read_only_paths = List(Unicode(), [],
                           help="More folders the notebooks may read (bound read-only "
                                "at the same path), e.g. a data set.").tag(config=True)
    extra_env = Dict(value_trait=Unicode(), default_value={},
                     help="Environment variables set in the sandbox "
                          "(after pass_env).").tag(config=True)
    pass_env = List(Unicode(), ["LANG", "LC_ALL", "MPLBACKEND", "PYTHONHASHSEED",
                                "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                "DP_*"],
                    help="Environment variables (fnmatch patterns) passed into the sandbox; "
                         "no others.").tag(config=True)
    bwrap = Unicode("bwrap", help="The bubblewrap executable.").tag(config=True)
    log_file = Unicode("", help="Where the kernels' own stdout and stderr go (banners, "
                                "warnings; appended); empty: the grader's.").tag(config=True)
    runtime_dir = Unicode("/tmp", help="Where each sandbox's private folder (sockets, copy of the "
                                       "submission) lives while its kernel runs; keep the path "
                                       "short (Unix socket paths are limited to 107 "
                                       "bytes).").tag(config=True)

    def describe(self) -> str:
        """One line for the summary table: what the sandbox is and each limit."""
        return (f"Sandboxed (bubblewrap): own unprivileged uid, no network, course files hidden; "
                f"memory {self.memory_mb} MiB/process, {self.max_processes} processes, "
                f"files <= {self.max_file_mb} MiB, /tmp and HOME <= {self.tmp_mb} MiB and "
                f"{self.tmp_files:,} files each, "
                f"notebook <= {self.notebook_timeout} s.")


# ------------------------------------------------------------------ availability
@functools.cache
def unavailable_reason(bwrap: str = "bwrap") -> str | None:
    """Why the sandbox cannot run on this machine, or None when it can.

    Checked by running a real (trivial) sandbox with the same flags as a kernel's;
    once per process and PATH lookup (nbgrader makes a preprocessor per notebook).
    """
    if platform.system() != "Linux":
        return ("sandboxed grading needs Linux (bubblewrap, namespaces); "
                f"this is {platform.system()}. "
                "Grade on a Linux machine or in a Linux VM/container with bubblewrap")
    if shutil.which(bwrap) is None:
        return ("bubblewrap is not installed (`bwrap` not on PATH): install it, "
                "e.g. `apt-get install bubblewrap`")
    if shutil.which("setpriv") is None or shutil.which("prlimit") is None:
        return "`setpriv`/`prlimit` (util-linux) are missing: install util-linux"
    if os.geteuid() != 0:
        return ("grading must run as root so that each notebook runs under an unprivileged uid "
                "of its own (never yours): run `sudo make grade ...`")
    probe = subprocess.run(
        [*_bwrap_base(bwrap, 1024), "--", "/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
         "--clear-groups", "/bin/true"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return ("bubblewrap cannot create namespaces here (a container without user/PID/network "
                f"namespaces?): {probe.stderr.strip() or probe.returncode}. Grade on a machine or "
                "container that allows them (e.g. docker --privileged or a VM)")
    return None


def _bwrap_base(bwrap: str, tmp_mb: int) -> list[str]:
    """bwrap options shared by every sandbox: namespaces, a minimal /, private /tmp."""
    args = [bwrap, "--die-with-parent", "--new-session",
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try",
            "--hostname", "sandbox", "--clearenv",
            "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev",
            "--size", str(tmp_mb * 2**20), "--perms", "1777", "--tmpfs", "/tmp",
            # setpriv needs these two to become the sandbox uid; switching away from
            # uid 0 then clears every capability.
            "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    for link in ("bin", "sbin", "lib", "lib64", "lib32"):
        target = os.readlink(f"/{link}") if os.path.islink(f"/{link}") else None
        if target:
            args += ["--symlink", target, f"/{link}"]
    return args


# ------------------------------------------------------------------ uids
# Fixed (not $TMPDIR): every grader on the machine must agree.
UID_LOCKS = Path("/tmp/dp-sandbox-uids")


class UidLease:
    """Exclusive use of one sandbox uid while a kernel runs (a flock on a file per uid)."""

    def __init__(self, base: int, count: int):
        folder = UID_LOCKS
        folder.mkdir(mode=0o700, exist_ok=True)
        if folder.stat().st_uid != os.geteuid() or folder.is_symlink():
            raise RuntimeError(f"{folder} is not owned by the grader (uid {os.geteuid()}): "
                               "remove it")
        for uid in range(base, base + count):
            fh = open(folder / f"{uid}.lock", "w")  # noqa: SIM115 -- held until release()
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.close()
                continue
            self.uid, self._fh = uid, fh
            return
        raise RuntimeError(f"all {count} sandbox uids from {base} are in use (Sandbox.uid_count)")

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _chown_tree(path: Path, uid: int) -> None:
    for dirpath, _dirnames, filenames in os.walk(path):
        os.chown(dirpath, uid, uid)
        for name in filenames:
            os.chown(os.path.join(dirpath, name), uid, uid, follow_symlinks=False)


def _links_on_path(path: str) -> list[tuple[str, str]]:
    """(link, resolved target) for each symbolic link among the folders of ``path``."""
    out = []
    parts = Path(path).parent.parts
    for i in range(2, len(parts) + 1):
        here = os.path.join(*parts[:i])
        if os.path.islink(here):
            out.append((here, str(Path(here).resolve())))
    return out


def _package_dirs(names) -> list[str]:
    import importlib.util
    out = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            out += [str(Path(p).resolve()) for p in spec.submodule_search_locations]
        elif spec and spec.origin:
            out.append(str(Path(spec.origin).resolve()))
    return out


def isolated(kernel_cmd: list[str]) -> list[str]:
    """The kernel's Python started with ``-P`` (safe path): neither Python nor IPython
    (which honours ``sys.flags.safe_path``) puts the working folder on ``sys.path``, so a
    file of the submission can never shadow a module, ``ipykernel_launcher`` included."""
    if (len(kernel_cmd) > 1 and Path(kernel_cmd[0]).name.startswith("python")
            and kernel_cmd[1] != "-P"):
        return [kernel_cmd[0], "-P", *kernel_cmd[1:]]
    return list(kernel_cmd)


# ------------------------------------------------------------------ the kernel manager
class SandboxedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel runs in bwrap, talking over ``ipc`` sockets."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.sandbox = Sandbox(config=self.config)
        self.transport = "ipc"
        self._lease = None
        self._private = None

    async def _async_pre_start_kernel(self, **kw):
        cwd = Path(kw.get("cwd") or os.getcwd())
        self._lease = UidLease(self.sandbox.uid_base, self.sandbox.uid_count)
        uid = self._lease.uid
        # Short path: Unix socket paths are limited to 107 bytes.
        self._private = Path(tempfile.mkdtemp(prefix="dp-sbx-", dir=self.sandbox.runtime_dir))
        os.chmod(self._private, 0o711)
        conn = self._private / "conn"
        conn.mkdir(mode=0o700)
        os.chown(conn, uid, uid)
        submission = self._private / "submission"
        # The graded notebooks in cwd already hold the instructor's hidden tests. Regular
        # files only (cwd was built from the intake; this keeps it so if anything changed).
        from tools.grading.intake import copy_regular_tree

        copy_regular_tree(cwd, submission, ignore=["*.ipynb"])
        _chown_tree(submission, uid)
        self.connection_file = str(conn / "kernel.json")
        self.ip = str(conn / "kernel-ipc")
        kw["cwd"] = "/"
        return await super()._async_pre_start_kernel(**kw)

    def _sandbox_env(self) -> dict[str, str]:
        env = {"HOME": HOME, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
               "PYTHONDONTWRITEBYTECODE": "1",
               # no Python in here puts its working folder on sys.path (a student's
               # numpy.py or ipykernel_launcher.py in the submission is never imported)
               "PYTHONSAFEPATH": "1",
               # glibc reserves 64 MiB of address space per thread arena; the kernel's
               # threads would eat RLIMIT_AS before the notebook allocates anything.
               "MALLOC_ARENA_MAX": "2", "MPLCONFIGDIR": f"{HOME}/.config/matplotlib"}
        for key, value in os.environ.items():
            if any(fnmatch.fnmatchcase(key, pat) for pat in self.sandbox.pass_env):
                env.setdefault(key, value)
        env.update(self.sandbox.extra_env)
        # One BLAS thread unless the grader says otherwise: threads count against
        # max_processes, and a many-core marking machine would otherwise start dozens.
        for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(key, "1")
        return env

    def sandbox_command(self, kernel_cmd: list[str]) -> list[str]:
        """``kernel_cmd`` wrapped in bwrap, setpriv and prlimit (see the module docstring)."""
        s, uid = self.sandbox, self._lease.uid
        args = _bwrap_base(s.bwrap, s.tmp_mb)
        made = {"/", "/usr", "/proc", "/dev", "/tmp"}

        def parents(path: str):
            out = []
            for parent in reversed(Path(path).parents):
                p = str(parent)
                if p not in made:
                    made.add(p)
                    out += ["--perms", "0755", "--dir", p]
            return out

        for name in ETC_FILES:
            if os.path.exists(f"/etc/{name}"):
                args += parents(f"/etc/{name}") + ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
        extra = [p for p in s.read_only_paths if os.path.exists(p)]
        for path in extra:  # the grader runs in the course root, which must stay hidden
            if Path.cwd().resolve().is_relative_to(Path(path).resolve()):
                raise RuntimeError(f"Sandbox.read_only_paths: {path} contains the course root "
                                   f"{Path.cwd()}; name a folder that holds only data")
        ro = [sys.base_prefix, sys.prefix, *_package_dirs(s.packages), *extra]
        for path in dict.fromkeys(str(Path(p).resolve()) for p in ro):
            if not path.startswith("/usr/"):
                args += parents(path) + ["--ro-bind", path, path]
        # The kernel is started by the interpreter's path as the grader knows it; where that
        # path goes through a symbolic link (a virtualenv linked into a checkout), the same
        # link is made inside, pointing at what was bound above.
        for link, target in _links_on_path(os.path.abspath(sys.executable)):
            if link not in made:
                made.add(link)
                args += parents(link) + ["--symlink", target, link]
        args += parents(HOME) + ["--size", str(s.tmp_mb * 2**20), "--perms", "1777",
                                 "--tmpfs", HOME]
        made.add(HOME)
        args += parents(SUBMISSION) + ["--ro-bind", str(self._private / "submission"), SUBMISSION]
        conn = str(self._private / "conn")
        args += parents(conn) + ["--bind", conn, conn]
        for key, value in self._sandbox_env().items():
            args += ["--setenv", key, value]
        # bwrap mounts as root; the tmpfs get their file count (bwrap has no option for
        # it: remounted while still root, CAP_SYS_ADMIN then goes with every other
        # capability); then the kernel becomes the sandbox uid, copies the submission
        # into its private HOME, and gets its limits.
        inodes = f"remount,nr_inodes={s.tmp_files}"
        setup = (f'mkdir -p {WORK} && cp -R {SUBMISSION}/. {WORK}/ && cd {WORK} && exec "$@"')
        args += ["--cap-add", "CAP_SYS_ADMIN", "--", "/bin/sh", "-c",
                 f'/usr/bin/mount -o {inodes} /tmp && /usr/bin/mount -o {inodes} {HOME} '
                 '&& exec "$@"', "sh",
                 "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all",
                 "/usr/bin/prlimit", f"--nproc={s.max_processes}", f"--as={s.memory_mb * 2**20}",
                 f"--fsize={s.max_file_mb * 2**20}", "--core=0", "--",
                 "/bin/sh", "-c", setup, "sh", *isolated(kernel_cmd)]
        return args

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        # Interrupt by message: a SIGINT to the process group would reach bwrap
        # itself (which would die and take the sandbox with it), not the kernel.
        self.kernel_spec.interrupt_mode = "message"
        os.chown(self.connection_file, self._lease.uid, self._lease.uid)
        kw["env"] = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        kw["cwd"] = "/"
        log = None
        if self.sandbox.log_file:  # kernel banners are not the grader's output
            log = open(self.sandbox.log_file, "ab")  # noqa: SIM115 -- the child keeps a copy
            kw["stdout"] = kw["stderr"] = log
        try:
            await super()._async_launch_kernel(self.sandbox_command(list(kernel_cmd)), **kw)
        except BaseException:
            self.release_sandbox()
            raise
        finally:
            if log is not None:
                log.close()

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        try:
            await super()._async_cleanup_resources(restart=restart)
        finally:
            if not restart:
                self.release_sandbox()

    # AsyncKernelManager binds the public name to the base coroutine function, and
    # nbclient calls it directly after a kernel died: point it at ours.
    cleanup_resources = _async_cleanup_resources

    def release_sandbox(self) -> None:
        """Remove the private folder and give the uid back (the PID namespace is gone)."""
        if self._private is not None:
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None
        if self._lease is not None:
            self._lease.release()
            self._lease = None


# ------------------------------------------------------------------ the preprocessor
def _error(ename: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=message,
                        traceback=[f"{ename}: {message}"])


class SandboxedExecute(Execute):
    """nbgrader's Execute with the kernel in the sandbox and a budget for the whole notebook.

    Each cell's timeout is ``min(Execute.timeout, what is left of
    Sandbox.notebook_timeout)``; once the budget is used up, the remaining code cells
    are not run and get a ``NotebookTimeBudgetExceeded`` error (so their tests score 0,
    never the points of a test that did not run). When the kernel dies (e.g. the
    notebook killed it), the remaining code cells get a ``KernelDied`` error.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sandbox = Sandbox(config=self.config)
        if self.sandbox.enabled:
            reason = unavailable_reason(self.sandbox.bwrap)
            if reason:
                raise RuntimeError(f"cannot grade in a sandbox: {reason} "
                                   "(or set Sandbox.enabled = False to grade unsandboxed)")
            self.kernel_manager_class = SandboxedKernelManager
        self._cell_timeout = self.timeout
        self._deadline = None
        self._stopped = None

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = None  # set when the first cell runs: kernel startup has its own timeout
        self._stopped = None
        self._cell_timeout = self.timeout
        try:
            return super().preprocess(nb, resources, km)
        finally:
            self.timeout = self._cell_timeout

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return super().preprocess_cell(cell, resources, index)
        if self._deadline is None:
            self._deadline = time.monotonic() + self.sandbox.notebook_timeout
        if self._stopped is None and time.monotonic() >= self._deadline:
            self._stopped = _error(BUDGET_ENAME, f"the notebook used up its time budget of "
                                                 f"{self.sandbox.notebook_timeout} s; cell not run")
        if self._stopped is not None:
            cell.outputs = [self._stopped]
            return cell, resources
        left = max(1, int(self._deadline - time.monotonic() + 0.999))
        self.timeout = left if self._cell_timeout is None else min(self._cell_timeout, left)
        try:
            return super().preprocess_cell(cell, resources, index)
        except Exception as exc:  # nbclient's DeadKernelError and friends  # noqa: BLE001
            if type(exc).__name__ == "CellTimeoutError":
                # The reply came, but the output after it did not finish within
                # iopub_timeout (a flood of output): the cell fails, the notebook goes on.
                cell.outputs = list(cell.get("outputs", [])) + [
                    _error(FLOOD_ENAME, f"the cell's output did not end in time ({exc})"[:500])]
                return cell, resources
            if type(exc).__name__ not in ("DeadKernelError", "RuntimeError"):
                raise
            self._stopped = _error(DEAD_ENAME, "the kernel died in an earlier cell; cell not run")
            cell.outputs = list(cell.get("outputs", [])) + [
                _error(DEAD_ENAME, f"the kernel died while running this cell ({exc})")]
            return cell, resources


# ------------------------------------------------------------------ status notes
def limit_notes(nb, sandbox: Sandbox | None = None, name: str = "") -> list[str]:
    """What the sandbox stopped in a graded notebook, for the student's status line.

    Recognised from the cells' error outputs: MemoryError (memory limit), EAGAIN from
    fork/threads (process limit), EFBIG (file size limit), ENOSPC (tmpfs full), the
    notebook budget and a dead kernel.
    """
    s = sandbox or Sandbox()
    prefix = f"{name}: " if name else ""
    found = []
    for index, cell in enumerate(nb.cells):
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", f"#{index}")
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") != "error":
                continue
            text = f"{out.get('ename')}: {out.get('evalue')}"
            if out.get("ename") == "MemoryError":
                found.append(f"cell {gid} hit the memory limit ({s.memory_mb} MiB)")
            elif f"[Errno {errno.EAGAIN}]" in text or "can't start new thread" in text:
                found.append(f"cell {gid} hit the process limit ({s.max_processes})")
            elif f"[Errno {errno.EFBIG}]" in text:
                found.append(f"cell {gid} hit the file size limit ({s.max_file_mb} MiB)")
            elif f"[Errno {errno.ENOSPC}]" in text:
                found.append(f"cell {gid} filled its disk space ({s.tmp_mb} MiB or "
                             f"{s.tmp_files:,} files)")
            elif out.get("ename") == BUDGET_ENAME:
                found.append(f"time budget of {s.notebook_timeout} s used up before cell {gid} "
                             "(rest scored 0)")
                return [prefix + f for f in dict.fromkeys(found)]
            elif out.get("ename") == DEAD_ENAME and "while running" in str(out.get("evalue")):
                found.append(f"kernel died in cell {gid} (rest scored 0)")
                return [prefix + f for f in dict.fromkeys(found)]
    return [prefix + f for f in dict.fromkeys(found)]
