"""Dishonest and hostile submissions for tests/test_honest_scores.py (issue 15).

Each builder takes the released notebook (and the source notebook for answers) and
changes only what a student can change: answer cells, and cells they add. The
tricks are the ones the issue found to earn points under plain nbgrader 0.9.6.
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
