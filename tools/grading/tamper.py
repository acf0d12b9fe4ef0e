"""Tamper checks: advice for a person, never a score.

Since the judge (``judge.py``) scores a test cell only by comparing the values the
student's code computed with the instructor's, no finding here changes a score: a
kernel that hides failures, patches a checker or lies about its state earns nothing
by it. What these checks are for is the instructor's attention: a submission that
reaches for the kernel's internals, brings its own modules, or imports what the
exercise asks students to write is worth a look. Each is a ``REVIEW: <reason>``
finding and a row of ``autograded/review.csv``; the score is recorded as judged.

Four kinds of evidence:

1. **Static scan** (:func:`scan_source`) of every code cell a student could have
   written (answer cells and cells they added or edited; the instructor's own cells
   are skipped by exact source). It parses the cell (IPython magics first turned
   into Python by IPython's own ``TransformerManager``) and flags:

   * names: ``get_ipython``, ``exec``, ``eval``, ``compile``, ``__import__``,
     ``globals``, ``locals``, ``vars``, ``breakpoint``;
   * imports of kernel, interpreter or system modules (:data:`FORBIDDEN_MODULES`:
     IPython internals, ``importlib``, ``builtins``, ``ctypes``, ``subprocess``,
     ``socket``, ``signal``, ``sqlite3``, ``gc``, ``inspect``, threads, ...);
   * attributes that reach interpreter internals (``__builtins__``, ``__globals__``,
     ``__code__``, ``__subclasses__``, frames, ...), ``sys.modules`` and friends,
     ``os.system`` and the other process/file-system calls of :data:`OS_CALLS`;
   * assignment to (or deletion of) an attribute of an imported module
     (``np.allclose = ...``, ``np.testing.assert_allclose = ...``) and
     ``setattr``/``delattr`` on one;
   * file paths outside the working folder (absolute, ``~``, ``..``) and files
     opened at a computed path;
   * magics other than :data:`HARMLESS_MAGICS` (``!cmd``, ``%run``, ``%%bash`` ...).

   It proves that the cell's TEXT contains none of these; code built at run time
   from strings can only get past it through one of the flagged names.

2. **After-run probes**, run by the grader's Execute preprocessor
   (``tools.grading.execute.RecordingExecute``) in the student's kernel with a fresh random
   nonce, in cells the student's notebook does not contain and cannot have seen:

   * a *state probe* before the first cell and after the last one reports the
     kernel's input and AST transformers, event callbacks, ``sys.excepthook``,
     ``sys.displayhook`` and ``run_cell``; :func:`judge_probes` compares the two
     reports (additions by non-library code and removals are findings) and checks
     that every checking function the tests call is still the library's own;
   * *canaries*: cells that MUST fail (``assert 3 == 8``; each checking function
     the notebook's tests use, called on values that differ). Their execute-reply
     status is read outside the kernel. A canary that "passes" means the kernel
     hides failures: assert-to-pass input transformers, ``try/except`` AST
     transformers, patched ``np.testing.assert_allclose``/``np.allclose``, a faked
     reply status.

   What this does NOT prove: student code runs in the kernel the probes run in, so
   a kernel rewritten to recognise the probes can answer them honestly. That is why
   they are advice only.

3. **Files that Python could import** in the submission folder (``*.py``, packages,
   ``.pth``, compiled modules): nothing an assignment needs, and a way to replace a
   module the kernel imports (:func:`review_folder`).

4. **Answers that import the exercise's own work** (:class:`OwnWork`, per assignment in
   ``nbgrader_config.py``): e.g. ``dp``'s ``Node`` in the scalar and matrix autodiff
   assignments, or another autodiff library (``autograd``, ``torch``, ``jax``).
"""

from __future__ import annotations

import ast
import csv
import functools
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from traitlets import Dict, List, Unicode
from traitlets.config import Configurable

#: Names an honest answer to these assignments never calls.
FORBIDDEN_NAMES = {"get_ipython", "exec", "eval", "compile", "__import__", "globals", "locals",
                   "vars", "breakpoint", "__builtins__", "__loader__", "__spec__"}
#: Top-level modules whose import means reaching for the kernel, the interpreter or the system.
FORBIDDEN_MODULES = {"IPython", "ipykernel", "traitlets", "jupyter_client", "zmq", "nbclient",
                     "nbgrader", "importlib", "builtins", "ctypes", "cffi", "subprocess", "socket",
                     "signal", "sqlite3", "gc", "inspect", "threading", "_thread",
                     "multiprocessing", "concurrent", "asyncio", "atexit", "code", "codeop",
                     "runpy", "pty", "pickle", "marshal", "shutil", "tempfile", "urllib", "http",
                     "requests", "sys_monitoring", "faulthandler", "resource", "mmap"}
#: Attributes that lead into interpreter internals.
FORBIDDEN_ATTRIBUTES = {"__builtins__", "__globals__", "__code__", "__subclasses__", "__import__",
                        "__closure__", "__loader__", "__spec__", "__dict__", "__bases__", "__mro__",
                        "__getattribute__", "__reduce__", "__reduce_ex__", "f_back", "f_globals",
                        "f_locals", "f_builtins", "f_code", "gi_frame", "cr_frame", "ag_frame",
                        "tb_frame", "tb_next", "func_globals", "__self__", "__base__",
                        # exit._ip and quit._ip are the kernel's shell, without get_ipython
                        "_ip"}
#: ``sys.<attr>`` that rewires the interpreter.
SYS_ATTRIBUTES = {"modules", "_getframe", "settrace", "setprofile", "excepthook", "displayhook",
                  "meta_path", "path_hooks", "path_importer_cache", "addaudithook", "monitoring",
                  "__excepthook__", "__displayhook__"}
#: ``sys.<attr>`` that is harmless to read (``print(..., file=sys.stderr)``) but not to replace.
SYS_STREAMS = {"stdout", "stderr", "stdin", "__stdout__", "__stderr__", "__stdin__"}
#: ``os.<attr>`` that runs programs, signals processes or changes files and the environment.
OS_CALLS = re.compile(r"^(system|popen|exec\w*|spawn\w*|fork\w*|kill\w*|posix_spawn\w*|"
                      r"remove|unlink|rmdir|removedirs|rename|renames|replace|"
                      r"chdir|chmod|chown|symlink|link|truncate|putenv|unsetenv|environ|"
                      r"_exit|abort|setsid|dup2?|open|write|fdopen|walk|scandir|listdir)$")
#: Functions that take a path as first argument.
PATH_FUNCTIONS = {"open", "Path", "load", "save", "savez", "savez_compressed", "loadtxt", "savetxt",
                  "genfromtxt", "fromfile", "tofile", "memmap", "savefig", "imread", "imsave",
                  "read_csv"}
ABSOLUTE_OR_PARENT = re.compile(r"^(/[\w.~-]|~[\w/]|[A-Za-z]:[\\/]|\\\\\w)|(^|[\\/])\.\.([\\/]|$)")
#: Magics an honest notebook may use (timing, plotting set-up).
HARMLESS_MAGICS = {"time", "timeit", "matplotlib", "precision", "pprint", "capture"}
#: Well-known aliases treated as modules even when the import is in another cell.
KNOWN_MODULE_ALIASES = {"np", "numpy", "math", "random", "sys", "os", "dp", "plt", "matplotlib",
                        "scipy", "torch", "time", "functools", "itertools", "collections",
                        "builtins"}
#: Checking functions test cells call: canaries prove each still fails when it must.
ASSERTING_CHECKERS = {"assert_allclose", "assert_array_equal", "assert_equal",
                      "assert_almost_equal", "assert_array_almost_equal", "assert_array_less",
                      "assert_approx_equal"}
BOOLEAN_CHECKERS = {"allclose", "isclose", "array_equal", "array_equiv"}
#: Packages whose functions may sit in kernel hooks or be the checking functions
#: (plot set-up, numpy).
LIBRARY_PACKAGES = {"IPython", "ipykernel", "matplotlib", "matplotlib_inline", "traitlets",
                    "ipywidgets", "comm", "jupyter_client", "debugpy", "tqdm", "numpy", "dp", "zmq"}


@dataclass(frozen=True)
class Finding:
    """One reason for an instructor to look at a submission."""

    notebook: str
    cell: str  # grade_id, or "#<index>" for a cell without one, or "kernel" for probes
    reason: str
    excerpt: str = ""

    def note(self) -> str:
        where = f"{self.notebook}: " if self.notebook else ""
        return f"REVIEW: {where}{self.cell}: {self.reason}"


# ------------------------------------------------------------------ static scan
def _python_source(source: str) -> tuple[str, list[str]]:
    """The cell as plain Python (magics translated by IPython) and the magics it used."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        code = TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 -- IPython gave up on it; parse it as it is
        code = source
    magics = re.findall(r"get_ipython\(\)\.run_(?:line|cell)_magic\('(\w+)'", code)
    if re.search(r"get_ipython\(\)\.(system|getoutput)\(", code):
        magics.append("!")
    return code, magics


def _dotted(node) -> str | None:
    """``np.testing.assert_allclose`` for an Attribute/Name chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _base_name(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def module_aliases(sources: list[str]) -> set[str]:
    """Names bound to modules by ``import x`` / ``import x as y`` in any of ``sources``."""
    names = set(KNOWN_MODULE_ALIASES)
    for source in sources:
        try:
            tree = ast.parse(_python_source(source)[0])
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update((a.asname or a.name.split(".")[0]) for a in node.names)
    return names


def scan_source(source: str,
                modules: set[str] = frozenset(KNOWN_MODULE_ALIASES)) -> list[tuple[str, str]]:
    """What in one cell's source an honest answer never needs.

    Args:
        source: the cell's source (IPython syntax allowed).
        modules: names bound to modules in the notebook (see :func:`module_aliases`).

    Returns:
        ``(reason, excerpt)`` pairs, one per finding, in source order; empty for a clean
        cell. A cell that does not parse is not a finding (it fails its tests anyway).
    """
    code, magics = _python_source(source)
    found = [(f"magic {'!' if m == '!' else '%' + m}", m)
             for m in magics if m not in HARMLESS_MAGICS]
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return found
    lines = code.splitlines()

    def excerpt(node) -> str:
        if not (getattr(node, "lineno", 0) and node.lineno <= len(lines)):
            return ""
        return lines[node.lineno - 1].strip()[:120]

    def hit(node, reason):
        found.append((reason, excerpt(node)))

    # names a magic's translation introduced are the magic's finding, not the student's text
    user_wrote_get_ipython = "get_ipython" in source
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            if node.id != "get_ipython" or user_wrote_get_ipython:
                hit(node, f"uses {node.id}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            else:
                mods = [node.module or ""]
            for mod in mods:
                if mod.split(".")[0] in FORBIDDEN_MODULES:
                    hit(node, f"imports {mod}")
            if (isinstance(node, ast.ImportFrom)
                    and (node.module or "").split(".")[0] in ("os", "sys")):
                for alias in node.names:
                    if (node.module == "sys" and alias.name in SYS_ATTRIBUTES) or (
                            node.module == "os" and OS_CALLS.match(alias.name)):
                        hit(node, f"imports {node.module}.{alias.name}")
        elif isinstance(node, ast.Attribute):
            base = _base_name(node)
            if node.attr in FORBIDDEN_ATTRIBUTES:
                hit(node, f"uses .{node.attr}")
            elif base == "sys" and node.attr in SYS_ATTRIBUTES:
                hit(node, f"uses sys.{node.attr}")
            elif (base == "sys" and node.attr in SYS_STREAMS
                  and isinstance(node.ctx, (ast.Store, ast.Del))):
                hit(node, f"replaces sys.{node.attr}")
            elif base == "os" and OS_CALLS.match(node.attr):
                hit(node, f"uses os.{node.attr}")
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                for t in (target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]):
                    if isinstance(t, ast.Attribute) and _base_name(t) in modules:
                        verb = "deletes" if isinstance(node, ast.Delete) else "assigns to"
                        hit(node, f"{verb} module attribute {_dotted(t) or _base_name(t)}")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                fname = func.id
            else:
                fname = func.attr if isinstance(func, ast.Attribute) else ""
            if (fname == "getattr" and isinstance(func, ast.Name) and len(node.args) >= 2
                    and not (isinstance(node.args[1], ast.Constant)
                             and isinstance(node.args[1].value, str))):
                hit(node, "getattr with a computed name")
            if fname in ("setattr", "delattr") and isinstance(func, ast.Name) and node.args:
                if _base_name(node.args[0]) in modules:
                    module = _dotted(node.args[0]) or _base_name(node.args[0])
                    hit(node, f"{fname} on module {module}")
            if fname in PATH_FUNCTIONS and node.args:
                arg = node.args[0]
                literal_path = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                if fname == "open" and not literal_path:
                    hit(node, "opens a file at a computed path")
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and ABSOLUTE_OR_PARENT.search(node.value)):
            if "\n" not in node.value and len(node.value) < 300 and " " not in node.value.strip():
                hit(node, f"path outside the working folder {node.value[:60]!r}")
    return found


# ------------------------------------------------------------------ which cells to scan
def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def cell_label(cell, index: int) -> str:
    return _meta(cell).get("grade_id") or f"#{index}"


def scan_notebook(nb, instructor_sources: set[str], notebook: str = "") -> list[Finding]:
    """Static findings for every code cell of ``nb`` that is not the instructor's own.

    Args:
        nb: the notebook as graded (locked cells already restored by nbgrader).
        instructor_sources: the exact sources of the instructor's code cells (the
            released and the source notebook); such cells are not the student's work.
        notebook: the notebook's name, for the findings.
    """
    code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    modules = module_aliases([c.source for _, c in code_cells])
    findings = []
    for index, cell in code_cells:
        if cell.source in instructor_sources or not cell.source.strip():
            continue
        seen = set()
        for reason, excerpt in scan_source(cell.source, modules):
            if reason not in seen:  # one row per reason and cell
                seen.add(reason)
                findings.append(Finding(notebook, cell_label(cell, index), reason, excerpt))
    return findings


# ------------------------------------------------------------------ after-run probes
STATE_PROBE = r'''
def _grader_probe_{nonce}():
    import json, sys
    ip = get_ipython()
    def name(f):
        f = getattr(f, "__func__", f)
        mod = getattr(f, "__module__", None) or type(f).__module__
        qual = getattr(f, "__qualname__", None) or type(f).__qualname__
        return f"{{mod}}:{{qual}}"
    def lookup(expr):
        try:
            return name(eval(expr, ip.user_ns))
        except Exception as exc:
            return "missing:" + type(exc).__name__
    report = {{
        "input_transformers_cleanup": [name(f) for f in ip.input_transformers_cleanup],
        "input_transformers_post": [name(f) for f in ip.input_transformers_post],
        "ast_transformers": [name(f) for f in ip.ast_transformers],
        "events": {{ev: [name(f) for f in cbs] for ev, cbs in sorted(ip.events.callbacks.items())}},
        "excepthook": name(sys.excepthook),
        "displayhook": name(type(sys.displayhook)),
        "custom_exceptions": repr(ip.custom_exceptions),
        "run_cell": name(ip.run_cell),
        "run_cell_class": name(type(ip).run_cell),
        "run_cell_async": name(ip.run_cell_async),
        "run_cell_async_class": name(type(ip).run_cell_async),
        "checkers": {{expr: lookup(expr) for expr in {checkers!r}}},
    }}
    print("{nonce}" + json.dumps(report))
_grader_probe_{nonce}()
del _grader_probe_{nonce}
'''


@dataclass(frozen=True)
class Probe:
    """A cell the grader runs in the student's kernel (see the module docstring)."""

    kind: str  # "state-before", "state-after" or "canary"
    source: str
    what: str = ""  # for canaries: the check that must fail


def test_checkers(nb) -> list[str]:
    """Dotted names of the known checking functions the notebook's test cells call."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not _meta(cell).get("grade") or _meta(cell).get("solution"):
            continue
        try:
            tree = ast.parse(_python_source(cell.source)[0])
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _dotted(node.func)
                checker = name and name.split(".")[-1] in ASSERTING_CHECKERS | BOOLEAN_CHECKERS
                if checker and name not in found:
                    found.append(name)
    return found


def probes(nb, nonce: str) -> tuple[list[Probe], list[Probe]]:
    """The probes to run before the first cell and after the last one."""
    import random

    checkers = test_checkers(nb)
    state = STATE_PROBE.format(nonce=nonce, checkers=checkers)
    rng = random.Random(nonce)
    a, b = rng.randint(2, 999), rng.randint(1000, 1999)
    after = [Probe("state-after", state),
             Probe("canary", f'assert {a} == {b}, "{nonce}"', f"assert {a} == {b}")]
    for name in checkers:
        x, y = a / 7, b / 7
        if name.split(".")[-1] in ASSERTING_CHECKERS:
            source = f"{name}({x!r}, {y!r})"
        else:
            source = f'assert {name}({x!r}, {y!r}), "{nonce}"'
        after.append(Probe("canary", source, f"{name}({x:.3g}, {y:.3g})"))
    return [Probe("state-before", state)], after


def _state(result: dict, nonce: str) -> dict | None:
    for line in result.get("stdout", "").splitlines():
        if line.startswith(nonce):
            try:
                return json.loads(line[len(nonce):])
            except ValueError:
                return None
    return None


def _is_library(name: str) -> bool:
    """``name`` (``module:qualname``, as the state probe gives it) comes from a library package."""
    return name.split(":", 1)[0].split(".", 1)[0] in LIBRARY_PACKAGES


def _is_itself(expr: str, name: str) -> bool:
    """``name`` is the function ``expr`` names, in its own module: ``math.isclose`` is
    ``math:isclose`` (a function written in C has no library package around it)."""
    module, _, attribute = expr.rpartition(".")
    return name == f"{module}:{attribute}"


def judge_probes(record: dict | None, notebook: str = "") -> list[Finding]:
    """Findings from the probe results the grader's Execute stored in the notebook.

    Args:
        record: ``nb.metadata["grading"]`` of the autograded notebook (see
            ``tools.grading.execute``): ``{"nonce": ..., "probes": [{"kind", "what", "status",
            "ename", "stdout"}, ...]}``; None when it is missing.
    """
    def finding(reason, excerpt=""):
        return Finding(notebook, "kernel", reason, excerpt)

    if not record or not record.get("probes"):
        return [finding("the grader's after-run checks did not run "
                        "(kernel died or notebook unreadable)")]
    nonce = record["nonce"]
    results = record["probes"]
    out = []
    for r in results:
        # any error is a failure (NameError: no `np`, so the tests cannot pass through it either)
        if r["kind"] == "canary" and r.get("status") != "error":
            reason = (f"kernel hides failures: {r['what']} must fail, "
                      f"kernel replied {r.get('status')}")
            out.append(finding(reason, r["what"]))
    before = next((_state(r, nonce) for r in results if r["kind"] == "state-before"), None)
    after = next((_state(r, nonce) for r in results if r["kind"] == "state-after"), None)
    if before is None or after is None:
        out.append(finding("kernel state could not be read before and after the notebook"))
        return out
    for key in ("input_transformers_cleanup", "input_transformers_post", "ast_transformers"):
        out += [finding(f"{key} gained {n}", n) for n in after[key]
                if n not in before[key] and not _is_library(n)]
        out += [finding(f"{key} lost {n}", n) for n in before[key] if n not in after[key]]
    for event, callbacks in after["events"].items():
        old = before["events"].get(event, [])
        out += [finding(f"event {event} gained callback {n}", n) for n in callbacks
                if n not in old and not _is_library(n)]
        out += [finding(f"event {event} lost callback {n}", n) for n in old if n not in callbacks]
    for key in ("excepthook", "displayhook", "custom_exceptions", "run_cell", "run_cell_class",
                "run_cell_async", "run_cell_async_class"):
        if after.get(key) != before.get(key):
            out.append(finding(f"{key} replaced: {before[key]} -> {after[key]}", after[key]))
    for expr, name in after["checkers"].items():
        if not name.startswith("missing:") and not _is_library(name) and not _is_itself(expr, name):
            out.append(finding(f"{expr} is not the library's own ({name})", name))
    return out


# ------------------------------------------------------------------ review.csv
REVIEW_FIELDS = ["student", "assignment", "notebook", "cell", "reason", "excerpt"]


def write_review_csv(path: Path, assignment: str, findings: dict[str, list[Finding]]) -> None:
    """Replace the rows of the students in ``findings`` (for ``assignment``) in ``path``.

    The file is replaced atomically.

    Rows of other students and assignments (graded in earlier runs) are kept.
    """
    rows = []
    if path.exists():
        with path.open(newline="") as fh:
            rows = [r for r in csv.DictReader(fh)
                    if not (r.get("assignment") == assignment and r.get("student") in findings)]
    for student, items in findings.items():
        rows += [{"student": student, "assignment": assignment, "notebook": f.notebook,
                  "cell": f.cell, "reason": f.reason, "excerpt": f.excerpt} for f in items]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REVIEW_FIELDS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write(path, buffer.getvalue())


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


# ------------------------------------------------------------------ own work
class OwnWork(Configurable):
    """What answers must not import, per assignment (``c.OwnWork.modules`` in nbgrader_config.py).

    Keys are assignment ids (``"*"``: every assignment); values are dotted names. An
    import matches a name when it imports it, something inside it, or a package that
    contains it (``import dp`` gives ``dp.node``).
    """

    modules = Dict(key_trait=Unicode(), value_trait=List(Unicode()), default_value={},
                   help="assignment id (or '*') -> modules and names an answer must not "
                        "import").tag(config=True)

    def forbidden(self, assignment: str) -> list[str]:
        return [*self.modules.get("*", []), *self.modules.get(assignment, [])]


def _imported(code: str) -> list[tuple[str, int]]:
    """Every dotted name an import statement of ``code`` brings in, with its line."""
    try:
        tree = ast.parse(_python_source(code)[0])
    except SyntaxError:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.append((node.module, node.lineno))
            out += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
    return out


def own_work_findings(nb, forbidden: list[str], instructor: set[str],
                      notebook: str = "") -> list[Finding]:
    """Answers (cells not the instructor's) importing a name of ``forbidden``."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell.source in instructor:
            continue
        hits = sorted({name for name, _ in _imported(cell.source) for f in forbidden
                       if name == f or name.startswith(f + ".") or f.startswith(name + ".")})
        found += [Finding(notebook, cell_label(cell, index),
                          f"imports {name}, which this exercise asks students to write "
                          "themselves", name) for name in hits]
    return found


# ------------------------------------------------------------------ the submission folder
IMPORTABLE = re.compile(r".*\.(py|pyc|pyo|pyd|so|pth)$")


def review_folder(folder: Path) -> list[Finding]:
    """Files in a submission folder that Python could import (none is ever needed)."""
    found = []
    if not folder.is_dir():
        return found
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            continue
        if path.is_file() and IMPORTABLE.match(path.name):
            found.append(Finding("", "folder", f"brings a file Python could import: {rel}",
                                 str(rel)))
        elif path.is_dir() and (path / "__init__.py").is_file():
            found.append(Finding("", "folder", f"brings a Python package: {rel}/", str(rel)))
    return found


# ------------------------------------------------------------------ one notebook
@functools.lru_cache(maxsize=64)
def _sources(path: Path, mtime: float) -> frozenset[str]:
    import nbformat

    return frozenset(c.source for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "code")


def instructor_sources(root: Path, assignment: str, notebook: str) -> set[str]:
    """Exact sources of the code cells of the released and the source notebook (read once
    per run)."""
    sources = set()
    for folder in ("release", "source"):
        path = root / folder / assignment / f"{notebook}.ipynb"
        if path.exists():
            sources |= _sources(path, path.stat().st_mtime)
    return sources


def review_notebook(root: Path, assignment: str, notebook: str, nb, config=None) -> list[Finding]:
    """Every finding for one graded notebook ``nb``: static scan, own work, probe results."""
    from tools.grading import metadata

    instructor = instructor_sources(root, assignment, notebook)
    findings = scan_notebook(nb, instructor, notebook)
    forbidden = OwnWork(config=config).forbidden(assignment)
    findings += own_work_findings(nb, forbidden, instructor, notebook)
    findings += judge_probes(metadata.probes(nb), notebook)
    return findings
