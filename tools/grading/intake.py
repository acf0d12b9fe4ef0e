"""What a submission brings, taken in without following anything it points to.

nbgrader's autograde copies a submission's files with ``shutil.copy`` (which follows
symbolic links) as root, before any sandbox exists: a link to ``/etc/shadow``, to the
instructor's ``source/`` or to ``gradebook.db`` would be read and copied into
``autograded/`` and ``feedback/``. So ``tools.grading`` never lets nbgrader read
``submitted/`` at all. For each student it first builds a clean copy, the *intake*,
in ``<course>/.intake/<student>/<assignment>/``, and points nbgrader's
``submitted_directory`` at it for that student's autograde:

* **Regular files only.** Every entry is looked at with ``lstat`` from an open
  directory (``O_NOFOLLOW`` on every folder on the way down); only a regular file with
  one link (``st_nlink == 1``) is opened, again with ``O_NOFOLLOW | O_NONBLOCK``, and
  ``fstat`` must show the same file. Symbolic links, hard links, devices, FIFOs and
  sockets are never opened: they are left out and named.
* **Only what the assignment expects**: its notebooks (the names in ``release/``),
  ``timestamp.txt`` and ``submission_secret.txt`` (nbgrader's own), files the release
  ships at the same path, and files matching
  ``Intake.allowed_files`` (per assignment, fnmatch patterns). Everything else is left
  out and named; a file Python could import is also a REVIEW finding
  (``tamper.IMPORTABLE``), wherever it is.
* **Every file has a size**: the apparent size (``st_size``: a sparse file counts in
  full) of each file and of all files together is capped, and so is the number of
  entries looked at (a folder of 20,000 empty files is not walked to its end).
* **Notebooks rebuilt on the release's structure** (:func:`repair`): test cells and
  every grading metadata from the instructor's version, the student's answers matched
  by cell id, then ``grade_id``; a missing answer is empty, a duplicated graded cell
  removed, extra cells kept without grading metadata, cell sources capped. The notes
  say what was repaired.

A notebook that is not a notebook at all (not JSON) is not graded: the reason is the
status. Nothing here runs student code; everything runs as the grader, reading only
through the checks above. ``tools.collect`` uses :func:`copy_regular_tree` for the
same rules when it takes submissions from the exchange or a folder.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from traitlets import Dict, Integer, List, Unicode
from traitlets.config import Configurable

from tools.grading.deadlines import CLAIMED
from tools.grading import tamper

FOLDER = ".intake"  # in the course root; removed after each student
COLLECT_RECORD = ".collect-left-out.json"  # written by tools.collect, never by a student
TIMESTAMP = "timestamp.txt"
# Files nbgrader's own submit writes beside the notebooks (the hub's exchange), and the
# student's claimed time that collect keeps aside (deadlines.CLAIMED).
NBGRADER_FILES = {TIMESTAMP, "submission_secret.txt", CLAIMED}
SHOWN_IN_REVIEW = 50  # left-out entries listed one by one in review.csv; the rest counted


class Intake(Configurable):
    """What may enter grading from a submission folder (``c.Intake.*`` in nbgrader_config.py)."""

    allowed_files = Dict(
        value_trait=List(Unicode()), default_value={},
        help="assignment id (or '*') -> fnmatch patterns of files (relative paths) a "
             "submission may bring besides its notebooks and the files the release "
             "ships").tag(config=True)
    max_file_mb = Integer(10, help="largest file (apparent size) taken from a submission, "
                                   "MiB").tag(config=True)
    max_notebook_mb = Integer(64, help="largest notebook taken, MiB (a bigger one is graded "
                                       "as empty)").tag(config=True)
    max_total_mb = Integer(50, help="all files taken from one submission, MiB").tag(config=True)
    max_entries = Integer(2000, help="entries of a submission folder looked at; the rest "
                                     "are left out unread").tag(config=True)
    max_cell_bytes = Integer(200_000, help="largest cell source kept (UTF-8 bytes); longer "
                                           "ones are cut").tag(config=True)

    def allowed(self, assignment: str) -> list[str]:
        return list(self.allowed_files.get("*", [])) + list(self.allowed_files.get(assignment, []))


@dataclass
class Entry:
    """One entry of a submission folder as lstat saw it."""

    rel: str
    kind: str  # "file", "dir", or why it is never opened ("symbolic link", ...)
    size: int = 0


@dataclass
class Taken:
    """The intake of one student's submission."""

    folder: Path | None = None
    notes: list[str] = field(default_factory=list)
    findings: list[tamper.Finding] = field(default_factory=list)
    failed: str = ""


# ------------------------------------------------------------------ reading without links
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)


def kind_of(st: os.stat_result) -> str:
    """"file" for a regular file with one link, else what makes it unsafe to open."""
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return "file" if st.st_nlink == 1 else f"hard link ({st.st_nlink} names)"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISLNK(mode):
        return "symbolic link"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device file"
    return "special file"


def open_dir(path: Path, trusted: Path | None = None) -> int:
    """An fd of the folder ``path``, opened without following a link at any step below
    ``trusted`` (a folder the instructor owns, e.g. the course root)."""
    if trusted is None:
        return os.open(path, DIR_FLAGS)
    fd = os.open(trusted, DIR_FLAGS)
    try:
        for part in path.relative_to(trusted).parts:
            nxt = os.open(part, DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def walk(dir_fd: int, limit: int) -> tuple[list[Entry], int]:
    """Every entry under ``dir_fd`` (lstat only), at most ``limit``; and how many more
    were not looked at."""
    entries: list[Entry] = []
    skipped = 0

    def visit(fd: int, prefix: str) -> None:
        nonlocal skipped
        with os.scandir(fd) as it:
            names = []
            for item in it:
                if len(entries) + len(names) >= limit:
                    skipped += 1
                    continue
                names.append(item.name)
        for name in sorted(names):
            rel = f"{prefix}{name}"
            try:
                st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except OSError:
                continue
            kind = kind_of(st)
            entries.append(Entry(rel, kind, st.st_size if kind == "file" else 0))
            if kind == "dir":
                try:
                    sub = os.open(name, DIR_FLAGS, dir_fd=fd)
                except OSError:
                    continue
                try:
                    visit(sub, rel + "/")
                finally:
                    os.close(sub)

    visit(dir_fd, "")
    return entries, skipped


def read_regular(dir_fd: int, rel: str, max_bytes: int) -> bytes:
    """The bytes of the regular, single-link file ``rel`` below ``dir_fd``; raises OSError
    when anything on the way is a link, or the file is not what lstat saw, or too big."""
    parts = rel.split("/")
    fds = []
    try:
        fd = dir_fd
        for part in parts[:-1]:
            fd = os.open(part, DIR_FLAGS, dir_fd=fd)
            fds.append(fd)
        ffd = os.open(parts[-1], FILE_FLAGS, dir_fd=fd)
        fds.append(ffd)
        st = os.fstat(ffd)
        if kind_of(st) != "file":
            raise OSError(f"{rel} is a {kind_of(st)}")
        if st.st_size > max_bytes:
            raise OSError(f"{rel} is {st.st_size:,} bytes")
        with os.fdopen(os.dup(ffd), "rb") as fh:
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise OSError(f"{rel} grew over {max_bytes:,} bytes")
        return data
    finally:
        for fd in fds:
            os.close(fd)


def copy_regular_tree(src: Path, dest: Path, *, trusted: Path | None = None,
                      ignore=(), max_file_bytes: int = 100 * 2**20,
                      limit: int = 5000) -> list[tuple[str, str]]:
    """Copy the regular single-link files under ``src`` to ``dest`` (folders made as
    needed), never following a link; returns (relative path, why) of what was left out.

    ``ignore``: fnmatch patterns of names never copied (e.g. nbgrader's
    ``CourseDirectory.ignore``)."""
    left_out = []
    fd = open_dir(src, trusted)
    try:
        entries, skipped = walk(fd, limit)
        dest.mkdir(parents=True, exist_ok=True)
        for e in entries:
            name = e.rel.rsplit("/", 1)[-1]
            if any(fnmatch.fnmatch(name, p) for p in ignore) or any(
                    fnmatch.fnmatch(part, p) for part in e.rel.split("/")[:-1] for p in ignore):
                continue
            if e.kind == "dir":
                (dest / e.rel).mkdir(parents=True, exist_ok=True)
            elif e.kind != "file":
                left_out.append((e.rel, e.kind))
            elif e.size > max_file_bytes:
                left_out.append((e.rel, f"{e.size:,} bytes, over {max_file_bytes:,}"))
            else:
                try:
                    data = read_regular(fd, e.rel, max_file_bytes)
                except OSError as exc:
                    left_out.append((e.rel, f"changed while read: {exc}"))
                    continue
                (dest / e.rel).parent.mkdir(parents=True, exist_ok=True)
                (dest / e.rel).write_bytes(data)
        if skipped:
            left_out.append(("...", f"{skipped:,} more entries not looked at"))
    finally:
        os.close(fd)
    return left_out


# ------------------------------------------------------------------ notebooks
def _nbmeta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


# What decides how a cell is graded; nbgrader's bookkeeping (checksum, cell_type,
# schema_version) differs between the source and the released notebook and is not a change.
GRADING_KEYS = ("grade", "grade_id", "locked", "points", "solution", "task")


def _grading(cell) -> dict:
    meta = _nbmeta(cell)
    return {k: meta.get(k) for k in GRADING_KEYS}


def _gid(cell) -> str | None:
    gid = _nbmeta(cell).get("grade_id")
    return gid.strip() if isinstance(gid, str) and gid.strip() else None


def _role(cell) -> str:
    """"answer", "test", "locked" or "" (an ordinary cell) in the instructor's notebook."""
    meta = _nbmeta(cell)
    if meta.get("solution"):
        return "answer"
    if meta.get("grade"):
        return "test"
    if meta.get("locked") or meta.get("task"):
        return "locked"
    return ""


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _cut(text: str, limit: int) -> tuple[str, bool]:
    raw = text.encode("utf-8", "replace")
    if len(raw) <= limit:
        return text, False
    return raw[:limit].decode("utf-8", "ignore"), True


def _plain(cell, max_bytes: int, notes: list[str], what: str):
    """The student's cell as a fresh cell of its own type, without grading metadata or
    outputs (they are recomputed), its source capped."""
    kind = cell.get("cell_type") if cell.get("cell_type") in ("code", "markdown", "raw") else "raw"
    source, cut = _cut(_source(cell), max_bytes)
    if cut:
        notes.append(f"{what}: source cut to {max_bytes:,} bytes")
    new = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
           "raw": nbformat.v4.new_raw_cell}[kind](source)
    attachments = cell.get("attachments")
    if kind != "code" and isinstance(attachments, dict):
        new["attachments"] = attachments  # capped by LimitOutputSize, with the outputs
    return new


def repair(student, instructor, max_cell_bytes: int = 200_000,
           source=None) -> tuple[object, list[str]]:
    """``student`` rebuilt on ``instructor``'s structure; and what was repaired.

    Each student cell is matched to an instructor cell by cell id, else (graded cells)
    by ``grade_id`` (whitespace ignored), each instructor cell at most once. Then, in the
    instructor's order: answer cells get the matched student's source (or none: an
    empty answer), with the instructor's cell type and metadata; test and locked cells
    are the instructor's own (nbgrader puts the hidden tests back); ordinary cells are
    the student's version when matched. Unmatched student cells stay where they were
    (after the instructor cell matched before them) as ordinary cells; one carrying the
    ``grade_id`` of a test or locked cell is a duplicate and removed. ``source`` (the
    instructor's source notebook): its locked cells' sources count as unedited too (a
    student may submit the source notebook as it is).
    """
    notes: list[str] = []
    source_locked = {_gid(c): _source(c) for c in (source.cells if source else []) if _gid(c)}
    icells = instructor.cells
    by_id = {c.get("id"): i for i, c in enumerate(icells) if c.get("id")}
    by_gid = {_gid(c): i for i, c in enumerate(icells) if _gid(c)}
    taken: dict[int, int] = {}  # instructor index -> student index
    match: list[int | None] = []
    for s, cell in enumerate(student.cells):
        i = by_id.get(cell.get("id"))
        gid = _gid(cell)
        if i is not None and i not in taken and (
                _role(icells[i]) or cell.get("cell_type") == icells[i].cell_type):
            pass
        elif gid in by_gid and by_gid[gid] not in taken and _role(icells[by_gid[gid]]):
            i = by_gid[gid]
            if _role(icells[i]) == "answer" and _role(cell) != "answer" and _nbmeta(cell):
                i = None  # a test's copy that claims an answer's grade_id: not an answer
        else:
            i = None
        if i is not None:
            taken[i] = s
        match.append(i)

    extras: dict[int, list] = {}  # anchor instructor index (-1: before all) -> cells
    anchor = -1
    for s, cell in enumerate(student.cells):
        if match[s] is not None:
            anchor = match[s]
            continue
        gid = _gid(cell)
        role = _role(icells[by_gid[gid]]) if gid in by_gid else ""
        if role in ("test", "locked"):
            notes.append(f"duplicate of {role} cell {gid} removed")
            continue
        if role == "answer":
            notes.append(f"extra copy of answer cell {gid} kept as an ungraded cell")
        elif _nbmeta(cell).get("grade") or _nbmeta(cell).get("solution"):
            notes.append(f"cell #{s} has grading metadata of no cell of the assignment "
                         f"({str(_nbmeta(cell).get('grade_id'))[:40]!r}): kept as an "
                         "ungraded cell")
        extras.setdefault(anchor, []).append(_plain(cell, max_cell_bytes, notes, f"cell #{s}"))

    cells = list(extras.get(-1, []))
    for i, icell in enumerate(icells):
        role, gid = _role(icell), _gid(icell) or f"#{i}"
        s = taken.get(i)
        scell = student.cells[s] if s is not None else None
        if role == "answer":
            new = copy.deepcopy(icell)
            new.pop("outputs", None) if icell.cell_type != "code" else None
            if icell.cell_type == "code":
                new.outputs, new.execution_count = [], None
            if scell is None:
                new.source = ""
                notes.append(f"answer cell {gid} missing: graded as empty")
            else:
                new.source, cut = _cut(_source(scell), max_cell_bytes)
                if cut:
                    notes.append(f"answer cell {gid}: source cut to {max_cell_bytes:,} bytes")
                if _grading(scell) != _grading(icell):
                    notes.append(f"answer cell {gid}: grading metadata restored")
                if icell.cell_type != "code" and isinstance(scell.get("attachments"), dict):
                    new["attachments"] = scell["attachments"]
            cells.append(new)
        elif role in ("test", "locked"):
            new = copy.deepcopy(icell)
            if icell.cell_type == "code":
                new.outputs, new.execution_count = [], None
            if scell is None:
                if role == "test":
                    notes.append(f"test cell {gid} was deleted (restored)")
            elif _source(scell) not in (_source(icell), source_locked.get(_gid(icell))):
                notes.append(f"locked cell {gid} was edited (restored)")
            elif _grading(scell) != _grading(icell) or scell.get("cell_type") != icell.cell_type:
                notes.append(f"{role} cell {gid}: grading metadata restored")
            cells.append(new)
        elif scell is not None:
            new = _plain(scell, max_cell_bytes, notes, f"cell {gid}")
            if _nbmeta(scell):
                notes.append(f"cell #{s}: grading metadata removed (an ungraded cell)")
            new.id = icell.get("id", new.id)
            cells.append(new)
        cells += extras.get(i, [])

    nb = nbformat.v4.new_notebook()
    nb.metadata = copy.deepcopy(instructor.metadata)
    nb.cells = cells
    seen = set()
    for cell in nb.cells:  # ids unique, as nbformat requires
        if cell.get("id") in seen:
            cell.id = nbformat.v4.new_code_cell().id
        seen.add(cell.id)
    return nb, list(dict.fromkeys(notes))


# ------------------------------------------------------------------ one submission
def _instructor_notebooks(root: Path, assignment: str) -> dict[str, Path]:
    for folder in ("release", "source"):
        found = {p.name: p for p in sorted((root / folder / assignment).glob("*.ipynb"))}
        if found:
            return found
    return {}


def _shipped(root: Path, assignment: str) -> set[str]:
    release = root / "release" / assignment
    if not release.is_dir():
        return set()
    return {str(p.relative_to(release)) for p in release.rglob("*")
            if p.is_file() and not p.is_symlink() and p.suffix != ".ipynb"}


def take(root: Path, assignment: str, student: str, config=None) -> Taken:
    """Build the clean intake of ``submitted/<student>/<assignment>/`` (module docstring)."""
    limits = Intake(config=config)
    out = Taken()
    folder = root / FOLDER / student / assignment
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    out.folder = folder
    submitted = root / "submitted" / student / assignment
    try:
        fd = open_dir(submitted, trusted=root)
    except OSError as exc:
        out.failed = f"submitted/{student}/{assignment} cannot be opened as a folder ({exc})"
        return out
    left_out: list[tuple[str, str]] = []
    try:
        entries, skipped = walk(fd, limits.max_entries)
        notebooks = _instructor_notebooks(root, assignment)
        shipped, allowed = _shipped(root, assignment), limits.allowed(assignment)
        total = 0
        for e in entries:
            if tamper.IMPORTABLE.match(e.rel.rsplit("/", 1)[-1]) and e.kind != "dir":
                out.findings.append(tamper.Finding(
                    "", "folder", f"brings a file Python could import: {e.rel}", e.rel))
            if e.kind == "dir":
                continue
            if e.rel == COLLECT_RECORD and e.kind == "file":
                left_out += _collect_record(fd)
                continue
            if e.kind != "file":
                left_out.append((e.rel, e.kind))
                continue
            is_notebook = e.rel in notebooks
            expected = (is_notebook or e.rel in NBGRADER_FILES or e.rel in shipped
                        or any(fnmatch.fnmatch(e.rel, p) for p in allowed))
            cap = (limits.max_notebook_mb if is_notebook else limits.max_file_mb) * 2**20
            if e.size > cap:  # apparent size: a sparse file counts in full
                left_out.append((e.rel, f"{e.size:,} bytes, over {cap:,}"))
                if is_notebook:
                    out.notes.append(f"{e.rel}: {e.size:,} bytes, over {cap:,}: graded as empty")
                    _write_notebook(folder / e.rel, _empty(notebooks[e.rel]))
            elif not expected:
                left_out.append((e.rel, "not a file of the assignment"))
            elif total + e.size > limits.max_total_mb * 2**20:
                left_out.append((e.rel, f"the submission's files reached "
                                        f"{limits.max_total_mb} MiB"))
            else:
                try:
                    data = read_regular(fd, e.rel, cap)
                except OSError as exc:
                    left_out.append((e.rel, f"not taken: {exc}"))
                    continue
                total += len(data)
                if is_notebook:
                    problem = _take_notebook(data, notebooks[e.rel], folder / e.rel, out.notes,
                                             limits.max_cell_bytes, e.rel)
                    if problem:
                        out.failed = problem
                else:
                    (folder / e.rel).parent.mkdir(parents=True, exist_ok=True)
                    (folder / e.rel).write_bytes(data)
    finally:
        os.close(fd)
    if skipped:
        out.notes.insert(0, f"more than {limits.max_entries:,} entries in the folder: "
                            f"{skipped:,} more entries not looked at")
    for rel, why in left_out[:SHOWN_IN_REVIEW]:
        out.findings.append(tamper.Finding("", "folder", f"left out: {rel} ({why})", rel))
    if len(left_out) > SHOWN_IN_REVIEW:
        out.findings.append(tamper.Finding(
            "", "folder", f"left out: {len(left_out) - SHOWN_IN_REVIEW:,} more entries"))
    if left_out:
        shown = ", ".join(f"{rel} ({why})" for rel, why in left_out[:3])
        more = f" and {len(left_out) - 3} more" if len(left_out) > 3 else ""
        out.notes.insert(0, f"left out: {shown}{more}")
    return out


def _collect_record(fd: int) -> list[tuple[str, str]]:
    try:
        items = json.loads(read_regular(fd, COLLECT_RECORD, 2**20))
        return [(str(r), f"{w}, at collect") for r, w in items][:1000]
    except (OSError, ValueError, TypeError):
        return []


def _empty(instructor_path: Path):
    instructor = nbformat.read(instructor_path, as_version=4)
    return repair(nbformat.v4.new_notebook(), instructor)[0]


def _write_notebook(path: Path, nb) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def _take_notebook(data: bytes, instructor_path: Path, dest: Path, notes: list[str],
                   max_cell_bytes: int, name: str) -> str:
    """Repair the student's notebook ``data`` into ``dest``; the reason when it cannot be
    read as a notebook at all (then nothing is written and the student is not graded)."""
    try:
        student = nbformat.reads(data.decode("utf-8"), as_version=4)
        if not isinstance(student.get("cells"), list):
            raise ValueError("no list of cells")
        for cell in student.cells:
            if not isinstance(cell, dict):
                raise ValueError("a cell is not a JSON object")
    except Exception as exc:  # noqa: BLE001 -- any parse failure is the student's file
        return f"{name} is not a readable notebook: {type(exc).__name__}: {str(exc)[:100]}"
    instructor = nbformat.read(instructor_path, as_version=4)
    source_path = instructor_path.parents[2] / "source" / instructor_path.parent.name / name
    source = nbformat.read(source_path, as_version=4) if source_path.is_file() else None
    nb, repaired = repair(student, instructor, max_cell_bytes, source)
    notes += [f"{Path(name).stem}: {n}" for n in repaired]
    _write_notebook(dest, nb)
    return ""


def release(root: Path, student: str) -> None:
    """Remove a student's intake (after grading)."""
    shutil.rmtree(root / FOLDER / student, ignore_errors=True)
    try:
        (root / FOLDER).rmdir()
    except OSError:
        pass
