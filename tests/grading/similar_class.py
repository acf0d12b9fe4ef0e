"""A generated class of 01_scalar_autodiff for the similarity proof and benchmark.

Honest students: for each answer cell, the instructor's solution or one of the cell's
plausible wrong answers (``tests/mistakes/``), then rewritten the way people differ
when they write the same thing: a result kept in a variable or returned at once,
``a = a + b`` or ``a += b``, keyword arguments in another order, operands of ``*`` and
``+`` swapped, ``x ** 2`` or ``x * x``, other names. Each choice is random per student
(seeded), so no two honest students are alike by construction.

Planted copies, of an honest student's notebook: every local name and argument renamed
(``renamed_copy``), and the functions of every answer cell in reverse order
(``reordered_copy``).
"""

from __future__ import annotations

import ast
import copy
import random
from pathlib import Path

import nbformat

from tests.grading.builders import MISTAKES, REPO, grade_id, is_answer, submit

ASSIGNMENT = "01_scalar_autodiff"
NOTEBOOK = "scalar_autodiff"


def _solutions(nb) -> dict[str, str]:
    return {grade_id(c): c.source for c in nb.cells if is_answer(c)}


def _mistakes() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted((MISTAKES / ASSIGNMENT).glob("*.py")):
        out.setdefault(path.name.split("__")[0], []).append(path.read_text())
    return out


class _Vary(ast.NodeTransformer):
    """Random, meaning-preserving rewrites (see the module docstring)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.temps = 0

    def _coin(self, p=0.5) -> bool:
        return self.rng.random() < p

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        body = []
        for stmt in node.body:
            if (isinstance(stmt, ast.Return) and stmt.value is not None
                    and not isinstance(stmt.value, ast.Name) and self._coin()):
                self.temps += 1
                name = self.rng.choice(["result", "out", "res", "value_out", "r"])
                body.append(ast.Assign([ast.Name(name, ast.Store())], stmt.value))
                body.append(ast.Return(ast.Name(name, ast.Load())))
            else:
                body.append(stmt)
        node.body = body
        return node

    def visit_Assign(self, node):
        self.generic_visit(node)
        target, value = node.targets[0], node.value
        if (len(node.targets) == 1 and isinstance(target, ast.Name)
                and isinstance(value, ast.BinOp) and isinstance(value.left, ast.Name)
                and value.left.id == target.id and self._coin()):
            return ast.AugAssign(ast.Name(target.id, ast.Store()), value.op, value.right)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        if len(node.keywords) >= 2 and self._coin():
            node.keywords = node.keywords[::-1]
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if (isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant)
                and node.right.value == 2 and self._coin()):
            return ast.BinOp(node.left, ast.Mult(), copy.deepcopy(node.left))
        if isinstance(node.op, (ast.Mult, ast.Add)) and self._coin(0.4):
            return ast.BinOp(node.right, node.op, node.left)
        return node


def vary(code: str, rng: random.Random) -> str:
    tree = ast.parse(code)
    tree = ast.fix_missing_locations(_Vary(rng).visit(tree))
    return ast.unparse(tree)


class _Rename(ast.NodeTransformer):
    def __init__(self, names: set[str]):
        self.names = names

    def visit_Name(self, node):
        if node.id in self.names:
            node.id = f"my_{node.id}_x"
        return node

    def visit_arg(self, node):
        if node.arg in self.names:
            node.arg = f"my_{node.arg}_x"
        return node


def rename_locals(code: str) -> str:
    tree = ast.parse(code)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
             and isinstance(n.ctx, ast.Store)}
    names |= {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    names.discard("self")
    return ast.unparse(_Rename(names).visit(tree))


def reverse_functions(code: str) -> str:
    tree = ast.parse(code)
    tree.body = tree.body[::-1]
    return ast.unparse(tree)


def released():
    return nbformat.read(REPO / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)


def honest(seed: int, nb=None, solutions=None, mistakes=None):
    """An honest student's notebook (see the module docstring)."""
    rng = random.Random(seed)
    nb = copy.deepcopy(nb or released())
    solutions = solutions or _solutions(nbformat.read(
        REPO / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4))
    mistakes = _mistakes() if mistakes is None else mistakes
    for cell in nb.cells:
        if is_answer(cell):
            gid = grade_id(cell)
            options = mistakes.get(gid, [])
            code = rng.choice(options) if options and rng.random() < 0.4 else solutions[gid]
            cell.source = vary(code, rng)
    return nb


def transformed(nb, how):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if is_answer(cell):
            cell.source = how(cell.source)
    return nb


def renamed_copy(nb):
    return transformed(nb, rename_locals)


def reordered_copy(nb):
    return transformed(nb, reverse_functions)


def write_class(course: Path, n_honest: int, copies: bool = True) -> dict[str, str]:
    """``n_honest`` honest students (``s000``...) in ``course/submitted/``, and with
    ``copies`` two planted copies: {copier: original}."""
    source = nbformat.read(REPO / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    base, solutions, mistakes = released(), _solutions(source), _mistakes()
    notebooks = {}
    for i in range(n_honest):
        notebooks[f"s{i:03d}"] = honest(i, base, solutions, mistakes)
        submit(course, f"s{i:03d}", ASSIGNMENT, NOTEBOOK, notebooks[f"s{i:03d}"])
    planted = {}
    if copies:
        submit(course, "renamer", ASSIGNMENT, NOTEBOOK, renamed_copy(notebooks["s003"]))
        submit(course, "reorderer", ASSIGNMENT, NOTEBOOK, reordered_copy(notebooks["s007"]))
        planted = {"renamer": "s003", "reorderer": "s007"}
    return planted
