"""The reference run: the instructor's solution through the same hidden checks, before anyone
is graded.

``tools.grading`` runs each notebook of ``source/<assignment>/`` (solutions and hidden
tests) with the grader's own executor, in the same sandbox and environment as the
students' notebooks, and keeps the records of every graded test cell, each with the
tolerance declared at its ``record`` call. The judge compares every student with them.

The run is cached in ``autograded/.reference/<assignment>/<notebook>.json``, keyed by
a hash of the source notebook and of the environment (Python, every installed
distribution, the source of ``dp`` and ``hidden_checks``, the variables passed into
the sandbox, sandboxed or not): any change runs it again.

The reference must be complete, or nobody is graded (:class:`ReferenceError` says
why): every graded test cell runs without error, records at least one value, under
names unique in the cell, of kinds that can be compared, and at least one of them
real numbers at a tight tolerance (a cell of booleans, short strings or exception
names alone could be guessed). A sandbox that cannot import ``dp``, say, fails here
with its error instead of giving the whole class zeros.

:func:`authoring_problems` is the static half, run by ``make release`` too: a hidden
test records and never compares, so no expected value or threshold reaches a
student's kernel.
"""

from __future__ import annotations

import ast
import fnmatch
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from tools.grading import execute, judge, metadata

HERE = Path(__file__).resolve().parent
# Calls that compare: a hidden test that uses one holds an expected value.
COMPARING_CALLS = {"allclose", "isclose", "array_equal", "array_equiv", "assert_allclose",
                   "assert_array_equal", "assert_array_almost_equal", "assert_almost_equal",
                   "assert_equal", "assert_approx_equal", "approx", "gradcheck"}


class ReferenceError(Exception):
    """The reference run is incomplete: grading must not start."""


# ------------------------------------------------------------------ static: hidden code
def _hidden_code(cell) -> str | None:
    return execute.split_hidden(cell.source)[1]


def _test_cells(nb, notebook: str):
    """(cell, "<notebook>: <grade_id>") for each graded test cell of ``nb``."""
    for cell in nb.cells:
        if execute.is_test_cell(cell):
            gid = cell.metadata["nbgrader"]["grade_id"]
            yield cell, f"{notebook}: {gid}" if notebook else gid


def authoring_problems(nb, notebook: str = "") -> list[str]:
    """Hidden tests that compare instead of record, or record nothing (``make release``)."""
    problems = []
    for cell, where in _test_cells(nb, notebook):
        code = _hidden_code(cell)
        if code is None:
            problems.append(f"{where}: no hidden tests (every graded test cell needs hidden "
                            "checks that record, see hidden_checks)")
            continue
        try:
            tree = ast.parse(code)
        except SyntaxError as error:
            problems.append(f"{where}: the hidden tests do not parse ({error.msg})")
            continue
        records = 0
        for node in ast.walk(tree):
            if isinstance(node, ast.Assert):
                problems.append(f"{where}: line {node.lineno} of the hidden tests asserts; "
                                "hidden tests record values (record(...)) and never compare")
            elif isinstance(node, ast.Call):
                name = (node.func.attr if isinstance(node.func, ast.Attribute)
                        else getattr(node.func, "id", ""))
                if name in COMPARING_CALLS:
                    problems.append(f"{where}: line {node.lineno} of the hidden tests calls "
                                    f"{name}; hidden tests record values and never compare")
                if name == "record" or (isinstance(node.func, ast.Attribute)
                                        and node.func.attr == "raises"):
                    records += 1
        if not records:
            problems.append(f"{where}: the hidden tests call record(...) nowhere")
    return problems


# ------------------------------------------------------------------ runtime: the records
def record_problems(nb, notebook: str = "") -> list[str]:
    """Why the reference run of ``nb`` (as executed) cannot judge anyone; empty when it can."""
    problems = []
    for cell, where in _test_cells(nb, notebook):
        if not metadata.ran_ok(cell):
            errors = [f"{o.get('ename')}: {o.get('evalue', '')}"[:300]
                      for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            reply = metadata.hidden(cell) or metadata.run(cell) or {}
            why = errors[-1] if errors else reply.get("ename") or reply.get("status", "no reply")
            problems.append(f"{where}: the instructor's solution fails this cell: {why}")
            continue
        records = metadata.records(cell)
        if metadata.records_dropped(cell):
            problems.append(f"{where}: {metadata.records_dropped(cell)}")
        if not records:
            problems.append(f"{where}: records nothing")
            continue
        names = [r["name"] for r in records]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            problems.append(f"{where}: record names used twice: {', '.join(twice)}")
        bad = [r["name"] for r in records if "unconvertible" in judge._kinds(r["value"])]
        if bad:
            problems.append(f"{where}: values that cannot be compared: {', '.join(bad)} "
                            "(record numbers, arrays, strings, lists or dicts of them)")
        if not any(judge.is_real_and_tight(r) for r in records):
            problems.append(f"{where}: no check records real numbers at a tight tolerance "
                            f"(rtol <= {judge.TIGHT_RTOL:g}, atol <= {judge.TIGHT_ATOL:g}); "
                            "booleans, strings and exception names alone can be guessed")
    return problems


# ------------------------------------------------------------------ the cache key
def _tree_hash(folder: Path, digest) -> None:
    for path in sorted(folder.rglob("*.py")):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())


def fingerprint(config) -> str:
    """A hash of everything besides the notebook that can change a reference value."""
    from tools.grading.sandbox import Sandbox

    import dp
    import hidden_checks

    sandbox = Sandbox(config=config)
    digest = hashlib.sha256()
    digest.update(f"{sys.version}|{platform.machine()}|{sandbox.enabled}".encode())
    dists = sorted(f"{d.metadata['Name']}=={d.version}"
                   for d in importlib.metadata.distributions())
    digest.update("\n".join(dists).encode())
    for package in (dp, hidden_checks):
        _tree_hash(Path(package.__file__).parent, digest)
    env = {k: v for k, v in sorted(os.environ.items())
           if any(fnmatch.fnmatchcase(k, p) for p in sandbox.pass_env)}
    env.update(sandbox.extra_env)
    digest.update(json.dumps(env, sort_keys=True).encode())
    digest.update(json.dumps(config.get("Execute", {}).get("timeout", None)).encode())
    return digest.hexdigest()


def folder_of(root: Path, assignment: str) -> Path:
    return root / "autograded" / ".reference" / assignment


# ------------------------------------------------------------------ the run
def run_notebook(source: Path, config, log=print):
    """Execute one source notebook as the grader executes a student's; return it."""
    nb = nbformat.read(source, as_version=4)
    with tempfile.TemporaryDirectory(prefix="dp-reference-") as tmp:
        work = Path(tmp) / "work"
        shutil.copytree(source.parent, work,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints",
                                                      "__pycache__"))
        executor = execute.RecordingExecute(config=config)
        executor.preprocess(nb, {"metadata": {"path": str(work)}})
    return nb


def ensure_reference(root: Path, assignment: str, config, log=print) -> Path:
    """The folder of ``assignment``'s reference records, run (or reused) and checked.

    Raises:
        ReferenceError: a notebook's reference run is incomplete (the message lists why).
    """
    folder = folder_of(root, assignment)
    folder.mkdir(parents=True, exist_ok=True)
    env_key = fingerprint(config)
    for source in sorted((root / "source" / assignment).glob("*.ipynb")):
        key = hashlib.sha256(source.read_bytes() + env_key.encode()).hexdigest()
        target = folder / f"{source.stem}.json"
        if target.exists():
            try:
                if json.loads(target.read_text()).get("key") == key:
                    continue
            except ValueError:
                pass
        static = authoring_problems(nbformat.read(source, as_version=4), source.stem)
        if static:
            raise ReferenceError("\n".join(static))
        log(f"reference run of source/{assignment}/{source.name} (the instructor's solution, "
            "sandboxed as the students' notebooks)")
        nb = run_notebook(source, config, log)
        problems = record_problems(nb, source.stem)
        if problems:
            raise ReferenceError("\n".join(problems))
        cells = {c.metadata["nbgrader"]["grade_id"]: metadata.records(c)
                 for c in nb.cells if execute.is_test_cell(c)}
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(json.dumps({"key": key, "notebook": source.name, "cells": cells}))
        tmp.replace(target)
    return folder
