"""Scores a submission cannot fake, REVIEW marks, safe feedback, capped output (issue 15).

One real ``tools.grade`` run on ``01_scalar_autodiff`` (module fixture ``honest``)
grades, together: a perfect, an untouched and a wrong-answer student, the source
notebook submitted as is, one student per trick of the issue (patched
``np.testing.assert_allclose``/``np.allclose``/``np.isclose``; an input transformer
turning asserts into ``pass``; an AST transformer wrapping every statement in
``try/except``; a ``pre_run_cell`` event calling ``displayhook("ok")``), a student who
pre-fills the grader's run records, three output bombs and a script in an output.
Every test below reads that one run (about 13 notebooks of a few seconds each, plus
kernel starts: 1-3 minutes on a loaded 2-core machine); the others are cheap (static
scans, a browser page, pure functions).
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from grading import builders as b
from grading import runs
from grading import tricks as t
from grading.mistakes import assignment_mistakes

sys.path.insert(0, str(b.REPO))
from tools import scoring, tamper  # noqa: E402

ASSIGNMENT = "01_scalar_autodiff"
NOTEBOOK = "scalar_autodiff"
# what an instructor can live with per submission, whatever the student prints
MAX_AUTOGRADED_BYTES = 4 * 1024 * 1024
MAX_FEEDBACK_BYTES = 5 * 1024 * 1024
pytestmark = pytest.mark.xdist_group("honest-scores")


def prefilled_records(released):
    """Untouched answers, but every test cell claims the grader saw it succeed."""
    nb = nbformat.reads(nbformat.writes(released), as_version=4)
    for cell in nb.cells:
        if b.is_test(cell):
            cell.metadata["grading"] = {"run": {"status": "ok"}, "partial_credit": False}
    nb.metadata["grading"] = {"nonce": "x", "probes": []}
    return nb


@pytest.fixture(scope="module")
def honest(tmp_path_factory):
    course = b.new_course(tmp_path_factory.mktemp("honest"), [ASSIGNMENT])
    shutil.copytree(b.REPO / "release" / ASSIGNMENT, course / "release" / ASSIGNMENT)
    released = nbformat.read(course / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    students = t.students(released, source, ASSIGNMENT)
    students["prefilled_records"] = prefilled_records(released)
    for student, nb in students.items():
        b.submit(course, student, ASSIGNMENT, NOTEBOOK, nb)
    proc = runs.run_grade(course, ASSIGNMENT)
    run = runs.ClassRun(course, ASSIGNMENT, proc.returncode, proc.stdout, proc.stderr,
                        b.gradebook_scores(course, ASSIGNMENT), full=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-5000:]
    return run


def read(run, folder: str, student: str | None = None):
    """The assignment's notebook in ``folder`` (per student for submitted/ and autograded/)."""
    base = run.course / folder / (student or "")
    return nbformat.read(base / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)


def total(run, student) -> float:
    return sum(score for score, _ in run.scores[student].values())


def review_rows(run) -> list[dict]:
    with (run.course / "autograded" / "review.csv").open(newline="") as fh:
        return list(csv.DictReader(fh))


def hidden_lines(source_nb) -> list[str]:
    """Every line between BEGIN and END HIDDEN TESTS of the source notebook."""
    lines = []
    for cell in source_nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and line.strip():
                lines.append(line.strip())
    return lines


def page_text(path: Path) -> str:
    return BeautifulSoup(path.read_text(errors="replace"), "html.parser").get_text()


# ------------------------------------------------------------------ scores
@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_healthy_students_score_as_they_should_and_are_not_marked(honest):
    maximum = sum(m for _, m in honest.scores["perfect"].values())
    assert maximum > 0 and total(honest, "perfect") == maximum, honest.stdout
    assert total(honest, "source_as_is") == maximum, honest.stdout
    assert total(honest, "untouched") == 0, honest.stdout
    assert 0 <= total(honest, "wrong") < maximum, honest.stdout
    for student in t.HEALTHY:
        assert "REVIEW" not in honest.status(student), honest.status(student)
    assert "was edited" not in honest.status("source_as_is"), honest.status("source_as_is")
    for student in ("perfect", "untouched", "source_as_is", "wrong"):
        assert "(" not in honest.status(student), honest.status(student)  # nothing to report
    flagged = {r["student"] for r in review_rows(honest)}
    assert flagged.isdisjoint(t.HEALTHY), flagged


@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_each_trick_gains_nothing_or_is_marked_review(honest):
    rows = review_rows(honest)
    for student in t.TRICKS:
        status = honest.status(student)
        assert "REVIEW: " in status, f"{student} not marked: {status}"
        mine = [r for r in rows if r["student"] == student and r["assignment"] == ASSIGNMENT]
        assert mine and all(r["reason"] for r in mine), student
    # the displayed "ok" no longer scores: exactly what the same wrong answers earn
    assert total(honest, "displayhook_ok") == total(honest, "wrong"), honest.stdout
    # and each kernel trick is seen from outside the kernel, not only in the text
    kernel = {r["student"] for r in rows if r["cell"] == "kernel"}
    assert set(t.TRICKS) <= kernel, kernel
    hides = {r["student"] for r in rows if r["reason"].startswith("kernel hides failures")}
    assert {"patched_checks", "asserts_to_pass", "try_except_ast"} <= hides, hides


@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_prefilled_run_records_earn_nothing(honest):
    assert total(honest, "prefilled_records") == 0, honest.stdout


@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_summary_table_and_grades_csv_are_the_same_data(honest):
    rows = honest.csv_rows()
    for student in honest.scores:
        line = honest.status(student).split()
        assert float(rows[student]["score"]) == total(honest, student) == float(line[1]), line
        assert float(line[2]) == float(rows[student]["max_score"]), line
    folder = honest.course / "autograded"
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert not leftovers, leftovers


# ------------------------------------------------------------------ feedback
@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_no_hidden_test_line_in_any_feedback(honest):
    source = read(honest, "source")
    released = read(honest, "release")
    visible = "\n".join(c.source for c in released.cells)
    # lines also in the student's version (a blank-ish `)` or a repeated call) give nothing away
    secret = [line for line in hidden_lines(source) if line not in visible and len(line) > 8]
    assert len(secret) > 20, secret
    autograded = "\n".join(c.source for c in read(honest, "autograded", "perfect").cells)
    assert all(line in autograded for line in secret[:5]), "oracle: the graded copy keeps them"
    feedbacks = sorted((honest.course / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))
    assert len(feedbacks) == len(honest.scores), feedbacks
    some_visible_test = next(c.source.splitlines()[0] for c in released.cells if b.is_test(c))
    for path in feedbacks:
        student = path.parent.parent.name
        text = page_text(path)
        assert some_visible_test.strip() in text, f"oracle: {path} should show the visible tests"
        # a hidden test may repeat a line of an answer (`costs = []`): the student wrote that one
        submitted = read(honest, "submitted", student)
        own = "\n".join(c.source for c in submitted.cells if not b.is_test(c))
        leaked = [line for line in secret if line in text and line not in own]
        assert not leaked, f"{student}: {leaked[:3]}"
    # failing hidden tests still tell the student their message, without the traceback
    wrong = page_text(honest.course / "feedback" / "wrong" / ASSIGNMENT / f"{NOTEBOOK}.html")
    assert "traceback hidden: this test cell has hidden tests" in wrong


@pytest.mark.grading
@pytest.mark.needs("sandbox")
@pytest.mark.browser
@pytest.mark.needs("chromium")
def test_script_in_output_does_not_run_in_feedback(honest, tmp_path):
    from browser import chromium_page

    feedback = honest.course / "feedback" / "script_in_output" / ASSIGNMENT / f"{NOTEBOOK}.html"
    assert "poke" in feedback.read_text(), "the student's HTML output should be in the feedback"
    # oracle: the same markup, unsanitized, does run in this browser
    control = tmp_path / "control.html"
    control.write_text(f"<html><body>{t.SCRIPT_HTML}</body></html>")
    with chromium_page(screenshots=tmp_path) as page:
        page.goto(control.as_uri())
        page.wait_for_load_state("load")
        if page.locator("#poke").count():
            page.locator("#poke").first.click()
        assert page.evaluate(f"window.{t.SCRIPT_MARK}") in (1, 2, 3)
        page.goto(feedback.as_uri())
        page.wait_for_load_state("load")
        if page.locator("#poke").count():
            page.locator("#poke").first.click()
        page.wait_for_timeout(300)
        assert page.evaluate(f"typeof window.{t.SCRIPT_MARK}") == "undefined"
        assert page.locator("[onerror], [onclick], script:not([src])").evaluate_all(
            "els => els.filter(e => e.outerHTML.includes('feedback_script_ran')).length") == 0


# ------------------------------------------------------------------ output caps
@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_output_bombs_leave_files_under_the_cap(honest):
    for student in t.BOMBS:
        assert "output truncated" in honest.status(student), honest.status(student)
        graded = honest.course / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        feedback = honest.course / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html"
        assert graded.stat().st_size < MAX_AUTOGRADED_BYTES, (student, graded.stat().st_size)
        assert feedback.stat().st_size < MAX_FEEDBACK_BYTES, (student, feedback.stat().st_size)
    assert "image/png" in honest.status("png_15mb"), honest.status("png_15mb")
    assert "error of" in honest.status("error_20mb"), honest.status("error_20mb")
    assert "outputs dropped" in honest.status("html_1500"), honest.status("html_1500")


# ------------------------------------------------------------------ cheap: static scan, rule
def course_answer_sources():
    for path in sorted((b.REPO / "source").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        modules = tamper.module_aliases([c.source for c in nb.cells if c.cell_type == "code"])
        for cell in nb.cells:
            if b.is_answer(cell):
                yield f"{path.parent.name}/{b.grade_id(cell)}", cell.source, modules


def test_static_scan_has_no_false_alarm_on_any_solution_or_mistake():
    checked = 0
    alarms = []
    for where, source, modules in course_answer_sources():
        alarms += [(where, f) for f in tamper.scan_source(source, modules)]
        checked += 1
    for assignment in sorted(p.name for p in b.MISTAKES.iterdir() if p.is_dir()):
        for mistake in assignment_mistakes(assignment):
            alarms += [(mistake.path.name, f) for f in tamper.scan_source(mistake.source)]
            checked += 1
    assert checked > 150 and not alarms, alarms


@pytest.mark.parametrize("source, reason", [
    (t.PATCH_CHECKS, "assigns to module attribute np.testing.assert_allclose"),
    (t.ASSERTS_TO_PASS, "uses get_ipython"),
    (t.TRY_EXCEPT_EVERYTHING, "uses get_ipython"),
    (t.DISPLAYHOOK_OK, "uses get_ipython"),
    ("import builtins\nbuiltins.print = len", "imports builtins"),
    ("setattr(np, 'allclose', lambda *a: True)", "setattr on module np"),
    ("import sys\nsys.modules['numpy'] = None", "uses sys.modules"),
    ("import sys\nsys.stdout = None", "replaces sys.stdout"),
    ("exec('x = 1')", "uses exec"),
    ("f = eval\n", "uses eval"),
    ("__import__('os').system('true')", "uses __import__"),
    ("import os\nos.system('ls')", "uses os.system"),
    ("from subprocess import run", "imports subprocess"),
    ("import ctypes", "imports ctypes"),
    ("import socket", "imports socket"),
    ("import signal", "imports signal"),
    ("import sqlite3", "imports sqlite3"),
    ("from importlib import reload", "imports importlib"),
    ("open('/etc/passwd').read()", "path outside the working folder '/etc/passwd'"),
    ("open('../../gradebook.db', 'rb')", "path outside the working folder '../../gradebook.db'"),
    ("name = 'x'\nopen(name)", "opens a file at a computed path"),
    ("(lambda: 0).__globals__['np'] = None", "uses .__globals__"),
    ("!ls /", "magic !"),
    ("%run other.py", "magic %run"),
])
def test_static_scan_flags_each_kind_of_tampering(source, reason):
    reasons = [r for r, _ in tamper.scan_source(source, tamper.module_aliases([source]))]
    assert reason in reasons, reasons


def test_static_scan_lets_harmless_code_pass():
    assert tamper.scan_source("%timeit sum(range(10))\n%matplotlib inline\nx = 1") == []
    assert tamper.scan_source("import sys\nprint('slow', file=sys.stderr)") == []
    assert tamper.scan_source("import numpy as np\nw = np.zeros(3)\nw.shape = (3, 1)") == []


def cell_with(record=None, outputs=(), partial=False):
    cell = nbformat.v4.new_code_cell("pass")
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    if record is not None or partial:
        cell.metadata["grading"] = {"run": record, "partial_credit": partial}
    return cell


def result(text):
    return {"output_type": "execute_result", "execution_count": 1, "metadata": {},
            "data": {"text/plain": text}}


ERROR = {"output_type": "error", "ename": "AssertionError", "evalue": "", "traceback": []}


@pytest.mark.parametrize("cell, points", [
    (cell_with(None), 0.0),  # never ran (or a record the grader never wrote)
    (cell_with("ok"), 0.0),  # not a record the grader writes
    (cell_with({"status": "error", "ename": "AssertionError"}), 0.0),
    (cell_with({"status": "ok"}, [ERROR]), 0.0),  # an error output counts even if the reply says ok
    (cell_with({"status": "ok"}, [result("'ok'")]), 2.0),
    (cell_with({"status": "ok"}, [result("0.5")]), 2.0),  # numbers count only where marked
    (cell_with({"status": "ok"}, [result("9"), result("0.5")], partial=True), 0.5),  # the last one
    (cell_with({"status": "ok"}, [result("7")], partial=True), 2.0),  # never above the points
    (cell_with({"status": "ok"}, [result("nan")], partial=True), 0.0),
    (cell_with({"status": "error"}, [result("2")], partial=True), 0.0),
])
def test_scoring_rule(cell, points):
    assert scoring.earned(cell, 2.0) == points


def test_probe_judgement_needs_the_probes():
    assert [f.reason for f in tamper.judge_probes(None)] == [
        "the grader's after-run checks did not run (kernel died or notebook unreadable)"]


def probe_record(after_events=None, canary_status="error",
                 checker="numpy.testing._private.utils:assert_allclose",
                 expr="np.testing.assert_allclose"):
    import json

    state = {"input_transformers_cleanup": ["IPython.core.inputtransformer2:leading_indent"],
             "input_transformers_post": [], "ast_transformers": [],
             "events": {"post_execute": ["IPython.core.displaypub:DisplayPublisher.post"]},
             "excepthook": "IPython.core.interactiveshell:InteractiveShell.excepthook",
             "displayhook": "ipykernel.displayhook:ZMQShellDisplayHook", "custom_exceptions": "()",
             "run_cell": "ipykernel.zmqshell:ZMQInteractiveShell.run_cell",
             "run_cell_class": "ipykernel.zmqshell:ZMQInteractiveShell.run_cell",
             "checkers": {expr: "missing:NameError"}}
    after = json.loads(json.dumps(state))
    after["checkers"][expr] = checker
    after["events"]["post_execute"] += after_events or []
    def probe(kind, status, stdout="", what=""):
        return {"kind": kind, "what": what, "status": status, "ename": "", "stdout": stdout}

    return {"nonce": "N", "probes": [
        probe("state-before", "ok", "N" + json.dumps(state)),
        probe("state-after", "ok", "N" + json.dumps(after)),
        probe("canary", canary_status, what="assert 3 == 8")]}


def test_probe_judgement():
    assert tamper.judge_probes(probe_record()) == []
    # a top-level numpy function is the library's own too
    assert tamper.judge_probes(probe_record(checker="numpy:array_equal")) == []
    # plot set-up by a library is not tampering; a callback defined in the notebook is
    inline = "matplotlib_inline.backend_inline:flush_figures"
    assert tamper.judge_probes(probe_record([inline])) == []
    reasons = [f.reason for f in tamper.judge_probes(probe_record(["__main__:<lambda>"]))]
    assert reasons == ["event post_execute gained callback __main__:<lambda>"]
    reasons = [f.reason for f in tamper.judge_probes(probe_record(canary_status="ok"))]
    assert reasons == ["kernel hides failures: assert 3 == 8 must fail, kernel replied ok"]
    reasons = [f.reason for f in tamper.judge_probes(probe_record(checker="__main__:<lambda>"))]
    assert reasons == ["np.testing.assert_allclose is not the library's own (__main__:<lambda>)"]
    # a function of the standard library written in C is its own module's (10's tests use it)
    assert tamper.judge_probes(probe_record(checker="math:isclose", expr="math.isclose")) == []
    reasons = [f.reason for f in tamper.judge_probes(
        probe_record(checker="math:isfinite", expr="math.isclose"))]
    assert reasons == ["math.isclose is not the library's own (math:isfinite)"]


def test_review_csv_keeps_other_students_rows(tmp_path):
    path = tmp_path / "review.csv"
    ann = tamper.Finding("nb", "c1", "uses exec", "exec('1')")
    bob = tamper.Finding("nb", "c2", "uses eval", "eval('1')")
    tamper.write_review_csv(path, "a1", {"ann": [ann], "bob": [bob]})
    tamper.write_review_csv(path, "a1", {"ann": []})
    rows = list(csv.DictReader(path.open()))
    assert [(r["student"], r["cell"], r["reason"], r["excerpt"]) for r in rows] == [
        ("bob", "c2", "uses eval", "eval('1')")]
