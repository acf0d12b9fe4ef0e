"""Dishonest and hostile submissions for tests/test_judge.py (issues 15 and 24).

Each builder takes the released notebook (and the source notebook for answers) and
changes only what a student can change: answer cells, cells they add, files in the
submission folder, the notebook's metadata. The tricks are the ones issues 15 and 24
found to earn points when the score was read from the student's kernel.
"""

from __future__ import annotations

import copy

import nbformat

from . import builders as b
from .mistakes import assignment_mistakes

MB = 1024 * 1024

# --------------------------------------------------------------- tricks (kernel)
PATCH_CHECKS = """\
import numpy as np
np.testing.assert_allclose = lambda *args, **kwargs: None
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True
"""

ASSERTS_TO_PASS = """\
def _no_asserts(lines):
    return ["pass\\n"] if any("assert" in line for line in lines) else lines
get_ipython().input_transformers_cleanup.append(_no_asserts)
"""

TRY_EXCEPT_EVERYTHING = """\
import ast

class _Forgive(ast.NodeTransformer):
    def visit_Module(self, node):
        node.body = [ast.Try(body=[stmt],
                             handlers=[ast.ExceptHandler(type=None, name=None, body=[ast.Pass()])],
                             orelse=[], finalbody=[]) for stmt in node.body]
        return ast.fix_missing_locations(node)

get_ipython().ast_transformers.append(_Forgive())
"""

DISPLAYHOOK_OK = """\
get_ipython().events.register("pre_run_cell", lambda *args: get_ipython().displayhook("ok"))
"""

# --------------------------------------------------------------- output bombs
ERROR_20MB = f"raise ValueError('x' * {20 * MB})\n"
# a 15 MB PNG: a real PNG header, random bytes after it, sent as image/png
PNG_15MB = f"""\
import base64, os as _os
display({{"image/png": base64.b64encode(
    b"\\x89PNG\\r\\n\\x1a\\n" + _os.urandom({15 * MB})).decode()}}, raw=True)
"""
HTML_1500 = """\
for i in range(1500):
    display({"text/html": f"<p>output {i}</p>" + "<b>x</b>" * 200,
             "text/plain": f"output {i}"}, raw=True)
"""
# what would run when the feedback opens in a browser, were it not sanitized
SCRIPT_MARK = "__feedback_script_ran"
SCRIPT_HTML = (f"<script>window.{SCRIPT_MARK} = 1;</script>"
               f"<img src='data:,' onerror='window.{SCRIPT_MARK} = 2'>"
               f"<a id='poke' href='#' onclick='window.{SCRIPT_MARK} = 3'>poke</a>")
SCRIPT_IN_OUTPUT = (f"display({{'text/html': {SCRIPT_HTML!r}, "
                    f"'application/javascript': 'window.{SCRIPT_MARK} = 4;'}}, raw=True)\n")


# --------------------------------------------------------------- tricks (issue 24)
# A file in the submission folder that takes the kernel's launcher's place: every cell
# it runs is wrapped in try/except, so nothing fails.
LAUNCHER_FILE = """\
import textwrap
from IPython.core.interactiveshell import InteractiveShell

_original = InteractiveShell.run_cell_async


async def _forgiving(self, raw_cell, *args, **kwargs):
    raw_cell = ("try:\\n" + textwrap.indent(raw_cell, "    ")
                + "\\n    pass\\nexcept BaseException:\\n    pass\\n")
    return await _original(self, raw_cell, *args, **kwargs)


InteractiveShell.run_cell_async = _forgiving
from ipykernel import kernelapp

kernelapp.launch_new_instance()
"""

# The same from a cell, reaching the shell without the name get_ipython.
RUN_CELL_ASYNC_WRAP = """\
import textwrap as _tw
_shell = exit._ip
_run = _shell.run_cell_async
async def _forgive(raw_cell, store_history=False, *args, **kwargs):
    if store_history:
        raw_cell = ("try:\\n" + _tw.indent(raw_cell, "    ")
                    + "\\n    pass\\nexcept BaseException:\\n    pass\\n")
    return await _run(raw_cell, store_history, *args, **kwargs)
_shell.run_cell_async = _forgive
"""
HELPER_MODULE = RUN_CELL_ASYNC_WRAP.replace("exit._ip", "__import__('IPython').get_ipython()")

# A replaced checker that even carries numpy's own names.
PATCHED_CHECKER_NAMES = """\
import numpy as np
def _fake(*args, **kwargs):
    return None
_real = np.testing.assert_allclose
_fake.__module__, _fake.__qualname__, _fake.__name__ = (
    _real.__module__, _real.__qualname__, _real.__name__)
_t = np.testing
_t.assert_allclose = _fake
"""

# An audit hook that sees every compiled cell and prints the hidden ones whenever
# anything is compiled later (so also in later cells' output).
AUDIT_HOOK_LEAK = """\
import sys as _s
_hidden_seen = []
def _hook(event, args):
    if event == "compile" and args and isinstance(args[0], (str, bytes)):
        text = args[0] if isinstance(args[0], str) else args[0].decode("utf-8", "replace")
        if "HIDDEN" in text and text not in _hidden_seen:
            _hidden_seen.append(text)
        for seen in _hidden_seen:
            print("LEAKED:", seen)
_s.addaudithook(_hook)
"""

# Every function the notebook defines later prints the source of whatever called it.
TRACEBACK_LEAK = """\
import functools as _ft, linecache as _lc, traceback as _tb
_printed = set()
def _leaky(function):
    @_ft.wraps(function)
    def wrapper(*args, **kwargs):
        for frame in _tb.extract_stack()[:-1]:
            if frame.filename not in _printed:
                _printed.add(frame.filename)
                print("CALLER:", "".join(_lc.getlines(frame.filename)))
        return function(*args, **kwargs)
    return wrapper
_shell = exit._ip
def _wrap_new_functions(result):
    for name, value in list(_shell.user_ns.items()):
        if callable(value) and getattr(value, "__module__", "") == "__main__" \\
                and not name.startswith("_") and not hasattr(value, "__wrapped__") \\
                and not isinstance(value, type):
            _shell.user_ns[name] = _leaky(value)
_shell.events.register("post_run_cell", _wrap_new_functions)
"""


def emitting_records(names: list[str]) -> str:
    """After every cell, send records under the hidden checks' names with made-up values
    (and a tolerance that would accept anything, were it read from the student's run)."""
    from hidden_checks import MIME

    return f"""\
from IPython.display import publish_display_data as _pub
def _emit(*args):
    for name in {names!r}:
        _pub({{{MIME!r}: {{"name": name, "value": {{"kind": "number", "value": "0x1p+0"}},
                         "rtol": 1e9, "atol": 1e9}}}})
exit._ip.events.register("post_run_cell", _emit)
"""


def with_prefilled_records(released, source_nb) -> object:
    """Untouched answers, but every test cell brings records, replies and a verdict that
    claim it passed (the names of the source's checks, made-up values)."""
    nb = copy.deepcopy(released)
    for cell in nb.cells:
        if b.is_test(cell):
            cell.metadata["grading"] = {
                "run": {"status": "ok"}, "hidden": {"status": "ok", "sent": True,
                                                    "outputs_from": 0},
                "records": [{"name": "anything", "value": {"kind": "number", "value": "0x1p+0"},
                             "rtol": 1e9, "atol": 1e9}],
                "verdict": {"passed": True, "checks": 1, "matched": 1}}
    nb.metadata["grading"] = {"nonce": "x", "probes": []}
    return nb


def answers_from(released, source):
    """The perfect notebook (released + the source's solutions)."""
    return b.perfect(released, source)


def wrong(released, source, assignment: str):
    """Every answer cell replaced by its first mistake file: runs, but wrong."""
    nb = b.perfect(released, source)
    first = {}
    for mistake in assignment_mistakes(assignment):
        first.setdefault(mistake.grade_id, mistake.source)
    for cell in nb.cells:
        if b.is_answer(cell) and b.grade_id(cell) in first:
            cell.source = first[b.grade_id(cell)]
    return nb


def with_added_cell(nb, code: str):
    """A new cell, right before the first answer cell (students may add cells)."""
    nb = copy.deepcopy(nb)
    index = nb.cells.index(b.first_answer(nb))
    nb.cells.insert(index, nbformat.v4.new_code_cell(code))
    return nb


def students(released, source, assignment: str) -> dict:
    """name -> notebook: healthy, wrong, one per trick, output bombs, script in output."""
    perfect = answers_from(released, source)
    wrong_answers = wrong(released, source, assignment)
    return {
        "perfect": perfect,
        "untouched": released,
        "source_as_is": source,  # the instructor's own cells, hidden tests included
        "wrong": wrong_answers,
        "patched_checks": b.with_first_answer_prefixed(wrong_answers, PATCH_CHECKS),
        "asserts_to_pass": with_added_cell(released, ASSERTS_TO_PASS),
        "try_except_ast": with_added_cell(released, TRY_EXCEPT_EVERYTHING),
        "displayhook_ok": with_added_cell(wrong_answers, DISPLAYHOOK_OK),
        # on the untouched notebook: its stubs fail fast, and the bombs need no answers
        "error_20mb": with_added_cell(released, ERROR_20MB),
        "png_15mb": with_added_cell(released, PNG_15MB),
        "html_1500": with_added_cell(released, HTML_1500),
        "script_in_output": with_added_cell(released, SCRIPT_IN_OUTPUT),
    }


TRICKS = ("patched_checks", "asserts_to_pass", "try_except_ast", "displayhook_ok")
BOMBS = ("error_20mb", "png_15mb", "html_1500")
HEALTHY = ("perfect", "untouched", "source_as_is", "wrong", "script_in_output") + BOMBS
