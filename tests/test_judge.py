"""Scores no code in a notebook can forge (issue 24), and what issue 15 built around them.

One real ``tools.grading`` run per assignment (module fixture ``judged``, on
``01_scalar_autodiff`` and on the part-2 assignment ``PART2``) grades together: a
perfect, an untouched and a one-mistake student, an honest classmate graded last,
and one submission per attack of the issue, each built on honest answers whose score
it must equal exactly:

* on the untouched notebook (must earn 0): a launcher file in the submission folder
  that wraps every cell in ``try/except``; the same wrap of ``run_cell_async`` from a
  cell and from an imported helper module; an input transformer turning asserts into
  ``pass``; an AST transformer wrapping every statement in ``try/except``; records
  pre-filled in the notebook's metadata; records sent under the hidden checks' names
  with made-up values (and a tolerance that would accept anything);
* on the one-mistake answers (must earn what they earn): a replaced checker carrying
  numpy's names; patched ``np.testing``/``np.allclose``; a displayhook "ok";
* on the perfect answers (must earn full marks, leaking nothing): an audit hook and a
  traceback/linecache reader that print the hidden tests wherever they can;
* in 01, answers returning objects whose comparisons always succeed (a dict subclass
  whose ``==`` is always true): 0, like the untouched notebook.

Then: no line of a hidden test is in any feedback file, the bombs leave files under
the cap, scripts in outputs do not run, the table and CSV agree. The refusal (a
reference run that cannot record grades nobody) is proven on the fixture assignment.
"""

from __future__ import annotations

import csv
import shutil
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from bs4 import BeautifulSoup

from grading import builders as b
from grading import runs
from grading import tricks as t
from grading.mistakes import assignment_mistakes

sys.path.insert(0, str(b.REPO))
from tools.grading import judge, tamper  # noqa: E402

PART2 = "05_activations"
ASSIGNMENTS = ("01_scalar_autodiff", PART2)
# what an instructor can live with per submission, whatever the student prints
MAX_AUTOGRADED_BYTES = 4 * 1024 * 1024
MAX_FEEDBACK_BYTES = 5 * 1024 * 1024
CLASSMATE = "zz_classmate"  # sorted last: graded after every attack

ON_UNTOUCHED = ("launcher_file", "run_cell_async_wrap", "run_cell_async_helper",
                "asserts_to_pass", "try_except_ast", "prefilled_records", "emits_records")
ON_WRONG = ("patched_checker_names", "patched_checks", "displayhook_ok")
ON_PERFECT = ("audit_hook_leak", "traceback_leak")


def one_mistake(released, source, assignment):
    """The perfect answers with one answer cell replaced by its first mistake file."""
    nb = b.perfect(released, source)
    mistake = assignment_mistakes(assignment)[0]
    for cell in nb.cells:
        if b.is_answer(cell) and b.grade_id(cell) == mistake.grade_id:
            cell.source = mistake.source
    return nb


def hidden_names(source) -> list[str]:
    """The hidden checks' names, read from the source notebook's record calls."""
    import re

    names = []
    for cell in source.cells:
        if b.is_test(cell):
            names += re.findall(r"record(?:\.raises)?\(\s*[\"']([^\"']+)[\"']", cell.source)
    return names


LYING_DICT = """\
class _AlwaysEqual(dict):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = None

def combine_dicts(a, b):
    return _AlwaysEqual()
"""


def class_of(assignment: str, released, source) -> dict:
    """student -> (notebook, extra files) for one judged class."""
    perfect = b.perfect(released, source)
    wrong = one_mistake(released, source, assignment)
    students = {
        "perfect": (perfect, {}),
        "untouched": (released, {}),
        "one_mistake": (wrong, {}),
        "source_as_is": (source, {}),
        CLASSMATE: (perfect, {}),
        "launcher_file": (released, {"ipykernel_launcher.py": t.LAUNCHER_FILE}),
        "run_cell_async_wrap": (t.with_added_cell(released, t.RUN_CELL_ASYNC_WRAP), {}),
        "run_cell_async_helper": (t.with_added_cell(released, "import helper"),
                                  {"helper.py": t.HELPER_MODULE}),
        "asserts_to_pass": (t.with_added_cell(released, t.ASSERTS_TO_PASS), {}),
        "try_except_ast": (t.with_added_cell(released, t.TRY_EXCEPT_EVERYTHING), {}),
        "prefilled_records": (t.with_prefilled_records(released, source), {}),
        "emits_records": (t.with_added_cell(released, t.emitting_records(hidden_names(source))),
                          {}),
        "patched_checker_names": (b.with_first_answer_prefixed(wrong, t.PATCHED_CHECKER_NAMES),
                                  {}),
        "patched_checks": (b.with_first_answer_prefixed(wrong, t.PATCH_CHECKS), {}),
        "displayhook_ok": (t.with_added_cell(wrong, t.DISPLAYHOOK_OK), {}),
        "audit_hook_leak": (t.with_added_cell(perfect, t.AUDIT_HOOK_LEAK), {}),
        "traceback_leak": (t.with_added_cell(perfect, t.TRACEBACK_LEAK), {}),
    }
    if assignment == "01_scalar_autodiff":
        lying = t.with_added_cell(released, "pass")
        next(c for c in lying.cells if b.is_answer(c)).source = LYING_DICT
        students["lying_objects"] = (lying, {})
        students.update({
            "error_20mb": (t.with_added_cell(released, t.ERROR_20MB), {}),
            "png_15mb": (t.with_added_cell(released, t.PNG_15MB), {}),
            "html_1500": (t.with_added_cell(released, t.HTML_1500), {}),
            "script_in_output": (t.with_added_cell(released, t.SCRIPT_IN_OUTPUT), {}),
        })
    return students


def _in_group(assignment):
    return pytest.param(assignment, marks=pytest.mark.xdist_group(f"judge-{assignment}"))


# The lying dict, the output bombs and the script in an output are graded once, in 01's
# run: tests of them take only that run (one graded class per assignment either way).
ONLY_01 = pytest.mark.parametrize("judged", [_in_group("01_scalar_autodiff")], indirect=True)


@pytest.fixture(scope="module", params=[_in_group(a) for a in ASSIGNMENTS])
def judged(request, tmp_path_factory):
    assignment = request.param
    course = b.new_course(tmp_path_factory.mktemp("judged"), [assignment])
    shutil.copytree(b.REPO / "release" / assignment, course / "release" / assignment)
    (name,) = b.notebooks(course / "release" / assignment)
    released = nbformat.read(course / "release" / assignment / f"{name}.ipynb", as_version=4)
    source = nbformat.read(course / "source" / assignment / f"{name}.ipynb", as_version=4)
    for student, (nb, files) in class_of(assignment, released, source).items():
        path = b.submit(course, student, assignment, name, nb)
        for filename, text in files.items():
            (path.parent / filename).write_text(text)
    proc = runs.run_grade(course, assignment)
    run = runs.ClassRun(course, assignment, proc.returncode, proc.stdout, proc.stderr,
                        b.gradebook_scores(course, assignment), full=False)
    run.notebook = name
    assert proc.returncode == 0, proc.stdout + proc.stderr[-5000:]
    return run


def read(run, folder: str, student: str | None = None):
    """The assignment's notebook in ``folder`` (per student for submitted/ and autograded/)."""
    base = run.course / folder / (student or "")
    return nbformat.read(base / run.assignment / f"{run.notebook}.ipynb", as_version=4)


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
def test_healthy_students_score_exactly(judged):
    maximum = sum(m for _, m in judged.scores["perfect"].values())
    assert maximum > 0 and total(judged, "perfect") == maximum, judged.stdout
    assert total(judged, CLASSMATE) == maximum, judged.stdout
    assert total(judged, "source_as_is") == maximum, judged.stdout
    assert total(judged, "untouched") == 0, judged.stdout
    assert 0 < total(judged, "one_mistake") < maximum, judged.stdout
    for student in ("perfect", "untouched", "one_mistake", "source_as_is", CLASSMATE):
        assert "REVIEW" not in judged.status(student), judged.status(student)
        assert "(" not in judged.status(student), judged.status(student)  # nothing to report
    assert judged.scores[CLASSMATE] == judged.scores["perfect"]


@pytest.mark.grading
@pytest.mark.needs("sandbox")
@pytest.mark.parametrize("student", ON_UNTOUCHED)
def test_attack_on_untouched_answers_earns_nothing(judged, student):
    assert total(judged, student) == 0, judged.status(student)


@pytest.mark.grading
@pytest.mark.needs("sandbox")
@pytest.mark.parametrize("student", ON_WRONG)
def test_attack_on_wrong_answers_earns_what_they_earn(judged, student):
    assert judged.scores[student] == judged.scores["one_mistake"], judged.status(student)


@pytest.mark.grading
@pytest.mark.needs("sandbox")
@pytest.mark.parametrize("student", ON_PERFECT)
def test_leaking_hidden_tests_costs_and_gains_nothing(judged, student):
    assert judged.scores[student] == judged.scores["perfect"], judged.status(student)


@pytest.mark.grading
@pytest.mark.needs("sandbox")
@ONLY_01
def test_lying_objects_earn_what_the_untouched_notebook_earns(judged):
    assert total(judged, "lying_objects") == 0, judged.status("lying_objects")


@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_what_reaches_for_the_kernel_is_marked_for_review(judged):
    rows = review_rows(judged)
    flagged = {r["student"] for r in rows}
    expected = {"run_cell_async_wrap", "asserts_to_pass", "try_except_ast", "emits_records",
                "patched_checker_names", "patched_checks", "displayhook_ok", "audit_hook_leak",
                "traceback_leak", "launcher_file", "run_cell_async_helper"}
    assert expected <= flagged, expected - flagged
    files = {r["student"] for r in rows if r["reason"].startswith("brings a file Python")}
    assert {"launcher_file", "run_cell_async_helper"} <= files, files
    assert flagged.isdisjoint({"perfect", "untouched", "one_mistake", CLASSMATE}), flagged


@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_summary_table_and_grades_csv_are_the_same_data(judged):
    rows = judged.csv_rows()
    for student in judged.scores:
        line = judged.status(student).split()
        assert float(rows[student]["score"]) == total(judged, student) == float(line[1]), line
        assert float(line[2]) == float(rows[student]["max_score"]), line
    folder = judged.course / "autograded"
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert not leftovers, leftovers


# ------------------------------------------------------------------ feedback
@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_no_hidden_test_line_in_any_feedback(judged):
    source = read(judged, "source")
    released = read(judged, "release")
    visible = "\n".join(c.source for c in released.cells)
    secret = [line for line in hidden_lines(source) if line not in visible and len(line) > 8]
    assert len(secret) > 5, secret
    autograded = "\n".join(c.source for c in read(judged, "autograded", "perfect").cells)
    assert all(line in autograded for line in secret[:5]), "oracle: the graded copy keeps them"
    feedbacks = sorted((judged.course / "feedback").glob(f"*/{judged.assignment}/*.html"))
    assert len(feedbacks) == len(judged.scores), feedbacks
    some_visible_test = next(c.source.splitlines()[0] for c in released.cells if b.is_test(c))
    for path in feedbacks:
        student = path.parent.parent.name
        text = page_text(path)
        assert some_visible_test.strip() in text, f"oracle: {path} should show the visible tests"
        submitted = read(judged, "submitted", student)
        own = "\n".join(c.source for c in submitted.cells if not b.is_test(c))
        leaked = [line for line in secret if line in text and line not in own]
        assert not leaked, f"{student}: {leaked[:3]}"
        assert "LEAKED:" not in text and "CALLER:" not in text or student in ON_PERFECT, student
    # oracle for the leaks: the autograded notebooks (kept from students) hold them
    for student, mark in (("audit_hook_leak", "LEAKED:"), ("traceback_leak", "CALLER:")):
        graded = read(judged, "autograded", student)
        shown = "".join(o.get("text", "") for c in graded.cells if c.cell_type == "code"
                        for o in c.get("outputs", []))
        assert any(line in shown for line in secret), f"oracle: {student} did print hidden code"
        assert mark in shown, student


@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_feedback_says_which_hidden_checks_failed_in_the_instructors_words(judged):
    text = page_text(judged.course / "feedback" / "one_mistake" / judged.assignment
                     / f"{judged.notebook}.html")
    assert "Hidden checks:" in text and "your value differs" in text or "not reached" in text
    perfect = page_text(judged.course / "feedback" / "perfect" / judged.assignment
                        / f"{judged.notebook}.html")
    assert "your value differs" not in perfect and "not reached" not in perfect


@pytest.mark.grading
@pytest.mark.needs("sandbox")
@pytest.mark.browser
@pytest.mark.needs("chromium")
@ONLY_01
def test_script_in_output_does_not_run_in_feedback(judged, tmp_path):
    from browser import chromium_page

    feedback = (judged.course / "feedback" / "script_in_output" / judged.assignment
                / f"{judged.notebook}.html")
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


# ------------------------------------------------------------------ output caps
@pytest.mark.grading
@pytest.mark.needs("sandbox")
@ONLY_01
def test_output_bombs_leave_files_under_the_cap(judged):
    for student in t.BOMBS:
        assert "output truncated" in judged.status(student), judged.status(student)
        graded = judged.course / "autograded" / student / judged.assignment / (
            f"{judged.notebook}.ipynb")
        feedback = judged.course / "feedback" / student / judged.assignment / (
            f"{judged.notebook}.html")
        assert graded.stat().st_size < MAX_AUTOGRADED_BYTES, (student, graded.stat().st_size)
        assert feedback.stat().st_size < MAX_FEEDBACK_BYTES, (student, feedback.stat().st_size)
    assert "image/png" in judged.status("png_15mb"), judged.status("png_15mb")
    assert "error of" in judged.status("error_20mb"), judged.status("error_20mb")
    assert "outputs dropped" in judged.status("html_1500"), judged.status("html_1500")


# ------------------------------------------------------------------ the reference run refuses
@pytest.mark.grading
@pytest.mark.needs("sandbox")
@pytest.mark.xdist_group("grading-fixture-refusal")
def test_an_incomplete_reference_run_grades_nobody(tmp_path):
    """A sandbox without the recorder (a broken environment): a clear refusal, no grades."""
    course = b.new_course(tmp_path / "course", fixture=True)
    released = b.fixture_notebook()  # source as released: enough to be graded
    b.submit(course, "ann", b.FIXTURE, b.FIXTURE_NOTEBOOK, released)
    proc = runs.run_grade(course, b.FIXTURE, '--Sandbox.packages=["dp"]')
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "graded nobody" in proc.stderr, proc.stderr
    assert "No module named 'hidden_checks'" in proc.stderr, proc.stderr
    assert b.gradebook_scores(course, b.FIXTURE).get("ann", {}) == {}
    assert not (course / "autograded" / "ann").exists()


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
    ('getattr(print.__self__, "ex" + "ec")("x = 1")', "uses .__self__"),
    ('getattr(print.__self__, "ex" + "ec")("x = 1")', "getattr with a computed name"),
    ("().__class__.__base__.__subclasses__()", "uses .__base__"),
    ("shell = exit._ip", "uses ._ip"),
    ('import pickle\npickle.loads(b"")', "imports pickle"),
    ("%run other.py", "magic %run"),
])
def test_static_scan_flags_each_kind_of_tampering(source, reason):
    reasons = [r for r, _ in tamper.scan_source(source, tamper.module_aliases([source]))]
    assert reason in reasons, reasons


def test_static_scan_lets_harmless_code_pass():
    assert tamper.scan_source("%timeit sum(range(10))\n%matplotlib inline\nx = 1") == []
    assert tamper.scan_source("import sys\nprint('slow', file=sys.stderr)") == []
    assert tamper.scan_source("import numpy as np\nw = np.zeros(3)\nw.shape = (3, 1)") == []


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


# ------------------------------------------------------------------ cheap: records and the rule
def recorded(value, rtol=1e-7, atol=1e-10):
    from hidden_checks import plain

    return {"name": "check", "value": plain(value), "rtol": rtol, "atol": atol}


class LyingFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__

    def __repr__(self):
        return "1.5"


class LyingDict(dict):
    def __eq__(self, other):
        return True

    def items(self):
        return [("w", 6.5)]


class LyingArray(np.ndarray):
    def __array_function__(self, func, types, args, kwargs):
        return True

    def tolist(self):
        return [1.5, 1.5]


def test_lying_objects_are_recorded_as_what_they_are():
    assert judge.same(recorded(LyingFloat(2.0))["value"], recorded(2.0)["value"], 0, 0)
    assert not judge.same(recorded(LyingFloat(2.0))["value"], recorded(1.5)["value"], 0, 0)
    assert not judge.same(recorded(LyingDict(w=1.0))["value"], recorded({"w": 6.5})["value"],
                          1e-7, 0)
    lying = np.array([3.0, 4.0]).view(LyingArray)
    assert judge.same(recorded(lying)["value"], recorded(np.array([3.0, 4.0]))["value"], 0, 0)
    assert not judge.same(recorded(lying)["value"], recorded(np.array([1.5, 1.5]))["value"], 1, 0)
    assert recorded(object())["value"]["kind"] == "unconvertible"
    assert not judge.same(recorded(object())["value"], recorded(object())["value"], 1, 1)


@pytest.mark.parametrize("got, want, rtol, atol, match", [
    (1.0 + 1e-9, 1.0, 1e-7, 0.0, True),
    (1.0 + 1e-6, 1.0, 1e-7, 0.0, False),
    (1e-12, 0.0, 1e-7, 1e-10, True),
    (float("nan"), float("nan"), 0, 0, True),
    (float("nan"), 1.0, 1e9, 1e9, False),
    (float("inf"), float("inf"), 0, 0, True),
    (float("-inf"), float("inf"), 1e9, 1e9, False),
    (3, 3.0, 0, 0, True),  # ints and floats are both numbers
    (True, 1.0, 1, 1, False),  # a bool is not a number
    ("1.0", 1.0, 1, 1, False),
    ([1.0, 2.0], (1.0, 2.0), 0, 0, True),
    ([1.0, 2.0], [1.0], 1, 1, False),
    ({"x": 1.0}, {"x": 1.0 + 1e-12}, 1e-7, 0, True),
    ({"x": 1.0}, {"y": 1.0}, 1, 1, False),
    (np.ones((2, 3)), np.ones((3, 2)), 1, 1, False),
    (np.ones(3, dtype="float32"), np.ones(3), 1e-7, 0, True),
    (None, 0.0, 1, 1, False),
])
def test_values_match_by_kind_and_tolerance(got, want, rtol, atol, match):
    ref = recorded(want, rtol, atol)
    assert judge.same(recorded(got)["value"], ref["value"], ref["rtol"], ref["atol"]) is match


@pytest.mark.parametrize("student", [
    None, "records", [1, 2], [{"name": 3}], [{"name": "check", "value": "0x1p+0"}],
    [{"name": "check", "value": {"kind": "number", "value": 1.0}}],
    [{"name": "check", "value": {"kind": "array", "dtype": "object", "shape": [1], "data": ""}}],
    [{"name": "check", "value": {"kind": "array", "dtype": "float64", "shape": [10**9],
                                 "data": ""}}],
    [{"name": "check", "value": {"kind": "seq", "items": "xx"}}],
])
def test_malformed_student_records_never_match(student):
    verdict = judge.judge_cell([recorded([1.0])], student)
    assert not verdict.passed and verdict.matched == 0


def test_a_cell_passes_only_with_the_same_names_in_the_same_order():
    a = {**recorded(1.0), "name": "a"}
    c = {**recorded(2.0), "name": "c"}
    assert judge.judge_cell([a, c], [a, c]).passed
    verdict = judge.judge_cell([a, c], [c, a])
    assert not verdict.passed and verdict.problems == ["records in a different order"]
    verdict = judge.judge_cell([a, c], [a, c, a])
    assert not verdict.passed and verdict.failed == ["a: recorded 2 times"]
    verdict = judge.judge_cell([a, c], [a])
    assert not verdict.passed and verdict.failed == ["c: not reached"]
    verdict = judge.judge_cell([a, c], [a, c, {**a, "name": "extra"}])
    assert not verdict.passed and verdict.problems == ["unexpected record 'extra'"]
    loose = {**c, "value": recorded(99.0)["value"], "rtol": 1e9, "atol": 1e9}
    verdict = judge.judge_cell([a, c], [a, loose])  # the student's tolerance is never read
    assert not verdict.passed and verdict.failed == ["c: your value differs"]
    assert not judge.judge_cell([], []).passed  # a cell without reference checks never scores


def test_a_guessable_cell_is_not_tight_and_real():
    assert judge.is_real_and_tight(recorded(0.5))
    assert judge.is_real_and_tight(recorded({"w": [0.5, 1.0]}))
    assert not judge.is_real_and_tight(recorded(True))
    assert not judge.is_real_and_tight(recorded("ValueError"))
    assert not judge.is_real_and_tight(recorded(0.5, rtol=0.1))
    assert not judge.is_real_and_tight(recorded(np.array([True, False])))
