"""Issue 25: what a submission brings stays inside it (tools/grading/intake.py, sandbox.py,
limit_output.py, feedback.py).

One real ``tools.grading`` run grades a class of the fixture assignment: a perfect, an
untouched and an honest classmate (graded last), and one submission per attack: four
links (to source/'s solution, gradebook.db, /etc/shadow, the classmate's notebook) plus
a hard link and a FIFO; a module-shadowing ``ipykernel_launcher.py``; a 200 MB sparse
file; a 30 MB attachment; 20,000 empty files in the folder, and 20,000 created by the
notebook in the sandbox; each structure break of nbgrader issues #1941 #1682 #1083; a
``javascript:`` link and a remote image. Then:

* no file in autograded/ or feedback/ holds text from outside the student's own regular
  files, and none is over the cap;
* structure-broken notebooks are graded, the repair is named, and they score what their
  answers earn; healthy scores are exact;
* the feedback pages, opened in Chromium, run no student script when every link is
  clicked and make no request.

``test_real_class_01`` runs the same attacks on 01_scalar_autodiff.
"""

from __future__ import annotations

import base64
import copy
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from test_sandbox import LoopbackServer  # a remote image's fetch would be a connection
from grading import builders as b

sys.path.insert(0, str(b.REPO))
from tools.course import subprocess_env  # noqa: E402
from tools.grading import feedback, intake  # noqa: E402

MARK = "classmate-only-7f3a9c"  # text that only the honest classmate's notebook holds
CAP = 6 * 2**20  # every file grading writes stays under this, whatever was submitted
LIMITS = ["--Sandbox.memory_mb=1024", "--Sandbox.max_processes=48", "--Sandbox.tmp_mb=64",
          "--Sandbox.notebook_timeout=600", "--Execute.timeout=60", "--jobs=2"]


# ------------------------------------------------------------------ submissions
def answer_index(nb, gid: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if b.nbgrader_meta(c).get("grade_id") == gid)


def structure_breaks(perfect) -> dict[str, tuple]:
    """name -> (notebook, expected score, words its status must contain)."""
    out = {}
    nb = copy.deepcopy(perfect)
    for cell in nb.cells:
        if b.is_test(cell):
            b.nbgrader_meta(cell).update(points=100, partial_credit=True)
    out["break_points"] = (nb, 3, "test cell test_square: grading metadata restored")
    nb = copy.deepcopy(perfect)
    dup = copy.deepcopy(nb.cells[answer_index(nb, "test_square")])
    dup.id = "duplicated-test"
    nb.cells.insert(answer_index(nb, "halve"), dup)
    out["break_duplicate_test"] = (nb, 3, "duplicate of test cell test_square removed")
    nb = copy.deepcopy(perfect)
    b.nbgrader_meta(nb.cells[answer_index(nb, "square")])["grade_id"] = "test_square"
    out["break_answer_has_test_id"] = (nb, 3, "answer cell square: grading metadata restored")
    nb = copy.deepcopy(perfect)
    b.nbgrader_meta(nb.cells[answer_index(nb, "halve")])["grade_id"] = "halve\n"
    out["break_newline_id"] = (nb, 3, "answer cell halve: grading metadata restored")
    nb = copy.deepcopy(perfect)
    del nb.cells[answer_index(nb, "halve")]
    out["break_answer_deleted"] = (nb, 2, "answer cell halve missing: graded as empty")
    nb = copy.deepcopy(perfect)
    del nb.cells[answer_index(nb, "test_halve")]
    out["break_test_deleted"] = (nb, 3, "test cell test_halve was deleted (restored)")
    return out


def build_class(course: Path, port: int) -> dict[str, tuple]:
    """Submit everyone; student -> (expected score, words its status must contain)."""
    a = b.FIXTURE
    released = nbformat.read(course / "release" / a / f"{b.FIXTURE_NOTEBOOK}.ipynb",
                             as_version=4)
    source = nbformat.read(course / "source" / a / f"{b.FIXTURE_NOTEBOOK}.ipynb", as_version=4)
    perfect = b.perfect(released, source)
    expect = {}

    def submit(student, nb, score, words=None):
        path = b.submit(course, student, a, b.FIXTURE_NOTEBOOK, nb)
        expect[student] = (score, words)
        return path.parent

    submit("perfect", perfect, 3)
    submit("untouched", released, 0)
    honest = copy.deepcopy(perfect)
    honest.cells[answer_index(honest, "halve")].source = (
        f"# {MARK}\ndef halve(x):\n    return x // 2\n")
    submit("zz_honest", honest, 2)

    folder = submit("links", perfect, 3, "left out")
    os.symlink(course / "source" / a / f"{b.FIXTURE_NOTEBOOK}.ipynb", folder / "sol.txt")
    os.symlink("../../../gradebook.db", folder / "gradebook.txt")
    os.symlink("/etc/shadow", folder / "shadow.txt")
    os.symlink(f"../../zz_honest/{a}/{b.FIXTURE_NOTEBOOK}.ipynb", folder / "classmate.txt")
    os.link(course / "nbgrader_config.py", folder / "hard.txt")
    os.mkfifo(folder / "pipe")

    folder = submit("shadow_module", perfect, 3, "ipykernel_launcher.py")
    (folder / "ipykernel_launcher.py").write_text(
        "import sys\nprint('HIJACKED')\nsys.exit(3)\n")
    (folder / "numpy.py").write_text("raise ImportError('HIJACKED numpy')\n")

    folder = submit("sparse", perfect, 3, "sparse.bin (209,715,200 bytes")
    with open(folder / "sparse.bin", "wb") as fh:
        fh.truncate(200 * 2**20)

    nb = copy.deepcopy(perfect)
    image = base64.b64encode(os.urandom(30 * 2**20 * 3 // 4)).decode()
    cell = nbformat.v4.new_markdown_cell("![big](attachment:big.png)")
    cell.attachments = {"big.png": {"image/png": image}}
    nb.cells.insert(1, cell)
    submit("attachment", nb, 3, "attachment 'big.png' of 31,457,")

    folder = submit("many_files", perfect, 3, "more entries not looked at")
    many = folder / "many"
    many.mkdir()
    for i in range(20_000):
        (many / f"f{i}").touch()

    nb = b.with_first_answer_prefixed(perfect, (
        "import os\nos.makedirs('/tmp/many', exist_ok=True)\n"
        "for _i in range(20_000):\n    open(f'/tmp/many/{_i}', 'w').close()\n"))
    submit("many_files_made", nb, 1, "filled its disk space")

    for student, (nb, score, words) in structure_breaks(perfect).items():
        submit(student, nb, score, words)

    nb = copy.deepcopy(perfect)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(
        "[click me](javascript:document.title='PWNED') "
        "[or me](  JaVaScRiPt:document.title='PWNED') "
        "<a href=\"javascript:document.title='PWNED'\">html</a> "
        f"![remote](http://127.0.0.1:{port}/pixel.png) "
        f"<img src=\"http://127.0.0.1:{port}/img.png\"> "
        f"<iframe src=\"http://127.0.0.1:{port}/frame\"></iframe> "
        "$x^2$ math"))
    first = b.first_answer(nb)
    first.source = ("from IPython.display import HTML, Markdown, display\n"
                    "display(HTML(\"<a href='javascript:document.title=1'>out</a>"
                    f"<img src='http://127.0.0.1:{port}/out.png'>"
                    "<script>document.title='PWNED'</script>\"))\n"
                    "display(Markdown('[md](javascript:document.title=2)'))\n" + first.source)
    submit("active_content", nb, 3)
    return expect


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = b.new_course(tmp_path_factory.mktemp("intake"), fixture=True)
    gen = subprocess.run([sys.executable, "-m", "tools.release", b.FIXTURE, "--course-dir",
                          str(course)], cwd=course, env=subprocess_env(), capture_output=True,
                         text=True)
    assert gen.returncode == 0, gen.stdout + gen.stderr
    server = LoopbackServer()
    try:
        expect = build_class(course, server.port)
        runtime = tmp_path_factory.mktemp("rt")
        start = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "tools.grading", b.FIXTURE, "--course-dir", str(course),
             *LIMITS, f"--Sandbox.runtime_dir={runtime}"],
            cwd=course, env=subprocess_env({"MPLBACKEND": "Agg"}), capture_output=True,
            text=True, timeout=1500)
        seconds = time.monotonic() - start
        print(f"\nclass of {len(expect)} graded in {seconds:.1f} s\n{proc.stdout}")
        yield {"course": course, "proc": proc, "expect": expect, "server": server,
               "scores": b.gradebook_scores(course, b.FIXTURE)}
    finally:
        server.close()


def status(proc, student: str) -> str:
    return next((ln for ln in proc.stdout.splitlines() if ln.split(" ", 1)[0] == student),
                f"<no line for {student}>")


# ------------------------------------------------------------------ the class
@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_every_student_graded_and_scores_what_their_answers_earn(graded):
    proc, problems = graded["proc"], []
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    for student, (score, words) in graded["expect"].items():
        cells = graded["scores"].get(student, {})
        got = sum(s or 0 for s, _ in cells.values())
        if not cells or got != score:
            problems.append(f"{student}: {got} (want {score}): {status(proc, student)}")
        if words and words not in status(proc, student):
            problems.append(f"{student}: status lacks {words!r}: {status(proc, student)}")
        if "FAILED" in status(proc, student) or "no feedback" in status(proc, student):
            problems.append(status(proc, student))
    for student in ("perfect", "untouched", "zz_honest"):
        if "(" in status(proc, student):
            problems.append(f"healthy student with notes: {status(proc, student)}")
    assert not problems, "\n".join(problems)


@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_nothing_from_outside_and_every_file_under_the_cap(graded):
    course, problems = graded["course"], []
    outside = [b"SQLite format 3", MARK.encode()]
    shadow = Path("/etc/shadow").read_bytes().split(b"\n")[0]
    if shadow:
        outside.append(shadow)
    for top in ("autograded", "feedback"):
        for path in (course / top).rglob("*"):
            if path.is_symlink() or (path.is_file() and path.stat().st_nlink > 1):
                problems.append(f"{path}: a link")
                continue
            if not path.is_file() or path.name in ("gradebook-backup.db",):
                continue
            rel = path.relative_to(course)
            student = rel.parts[1] if len(rel.parts) > 2 else ""
            if student.startswith(("links", "shadow", "sparse", "many", "attach", "break",
                                   "active", "perfect", "untouched")) and path.name not in (
                    f"{b.FIXTURE_NOTEBOOK}.ipynb", f"{b.FIXTURE_NOTEBOOK}.html",
                    "timestamp.txt"):
                problems.append(f"{rel}: a file the assignment does not have")
            if path.stat().st_size > CAP:
                problems.append(f"{rel}: {path.stat().st_size:,} bytes")
            if student == "zz_honest" or path.suffix not in (".ipynb", ".html"):
                continue
            data = path.read_bytes()
            problems += [f"{rel}: holds {w[:20]!r}" for w in outside if w in data]
    review = (course / "autograded" / "review.csv").read_text()
    for name in ("sol.txt", "gradebook.txt", "shadow.txt", "classmate.txt", "hard.txt",
                 "pipe", "ipykernel_launcher.py", "sparse.bin"):
        if name not in review:
            problems.append(f"review.csv does not name {name}")
    sizes = {p.relative_to(course): p.stat().st_size
             for p in (course / "feedback").rglob("*.html")}
    print("largest feedback pages:", sorted(sizes.items(), key=lambda x: -x[1])[:3])
    assert not problems, "\n".join(problems)


@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_output_is_quiet_and_the_log_is_named(graded):
    proc, course = graded["proc"], graded["course"]
    assert "Ctrl-C will not work" not in proc.stdout + proc.stderr
    assert "SAWarning" not in proc.stdout + proc.stderr
    log = course / "autograded" / "grading.log"
    assert f"Kernel messages and warnings: {log}" in proc.stdout
    assert "Ctrl-C will not work" in log.read_text()


@pytest.mark.grading
@pytest.mark.needs("sandbox")
@pytest.mark.browser
@pytest.mark.needs("chromium")
def test_feedback_runs_no_student_script_and_fetches_nothing(graded, tmp_path):
    from browser import chromium_page

    course = graded["course"]
    page_path = course / "feedback" / "active_content" / b.FIXTURE / f"{b.FIXTURE_NOTEBOOK}.html"
    html = page_path.read_text()
    assert "Content-Security-Policy" in html
    from bs4 import BeautifulSoup

    for tag in BeautifulSoup(html, "html.parser").find_all(True):
        for name, value in tag.attrs.items():
            assert not (name in ("href", "src") and re.match(r"\s*(java|vb)script|data:text",
                                                              str(value), re.I)), (tag, name)
            assert not name.lower().startswith("on"), tag
        assert tag.name not in ("iframe", "object", "embed"), tag
    requests, dialogs = [], []
    with chromium_page(screenshots=tmp_path) as page:
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(page_path.as_uri())
        page.wait_for_timeout(1500)
        title = page.title()
        for link in page.query_selector_all("a"):
            try:
                link.click(timeout=2000, no_wait_after=True)
            except Exception:  # noqa: BLE001 -- hidden or covered: nothing to click
                pass
        page.wait_for_timeout(500)
        assert page.title() == title != "PWNED"
        typeset = page.evaluate("document.querySelectorAll('mjx-container').length")
    others = [u for u in requests if u != page_path.as_uri() and not u.startswith("data:")]
    assert not others, others
    assert not dialogs and graded["server"].accepted == []
    assert typeset >= 1, "math was not typeset offline"


# ------------------------------------------------------------------ units
def test_intake_never_opens_a_link_and_names_everything_it_left_out(tmp_path):
    course = b.new_course(tmp_path / "course", fixture=True)
    source = course / "source" / b.FIXTURE / f"{b.FIXTURE_NOTEBOOK}.ipynb"
    folder = b.submit(course, "s", b.FIXTURE, b.FIXTURE_NOTEBOOK, b.fixture_notebook()).parent
    os.symlink("/etc/shadow", folder / "shadow.txt")
    (folder / "sub").mkdir()
    os.symlink(source.parent, folder / "sub" / "dirlink")
    os.link(source, folder / "hard.txt")
    (folder / "helper.py").write_text("x = 1\n")
    taken = intake.take(course, b.FIXTURE, "s")
    try:
        names = sorted(p.name for p in taken.folder.rglob("*"))
        assert names == [f"{b.FIXTURE_NOTEBOOK}.ipynb"], names
        reasons = " | ".join(f.reason for f in taken.findings)
        for words in ("shadow.txt (symbolic link)", "sub/dirlink (symbolic link)",
                      "hard.txt (hard link", "Python could import: helper.py"):
            assert words in reasons, reasons
    finally:
        intake.release(course, "s")
    assert not (course / intake.FOLDER).exists()


def test_intake_refuses_a_submission_folder_that_is_a_link(tmp_path):
    course = b.new_course(tmp_path / "course", fixture=True)
    (course / "submitted" / "s").mkdir(parents=True)
    os.symlink(course / "source" / b.FIXTURE, course / "submitted" / "s" / b.FIXTURE)
    taken = intake.take(course, b.FIXTURE, "s")
    intake.release(course, "s")
    assert taken.failed and "cannot be opened" in taken.failed


def test_secure_page_removes_active_and_remote_content():
    html, removed = feedback.secure_page(
        "<html><head><script src='https://cdn/x.js'></script></head><body>"
        "<a href=' java\tscript:alert(1)'>a</a><a href='vbscript:x'>b</a>"
        "<a href='data:text/html,<script>alert(1)</script>'>c</a><a href='#top'>d</a>"
        "<img src='https://e/x.png' onerror='alert(1)'><img src='data:image/png;base64,AA'>"
        "<object data='x.swf'></object><p style='background:url(http://e/)'>p</p>"
        "</body></html>")
    lower = html.lower()
    for bad in ("script:", "vbscript", "data:text", "https://", "http://", "onerror", "<object",
                "<script"):
        assert bad not in lower, (bad, html)
    assert 'href="#top"' in html and "data:image/png;base64,AA" in html
    assert "default-src 'none'" in html and "script-src 'none'" in html
    assert len(removed) >= 6, removed


@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_sandbox_python_is_isolated_and_the_tmpfs_counts_files(tmp_path):
    from test_sandbox import run_cells

    (tmp_path / "ipykernel_launcher.py").write_text("raise SystemExit('HIJACKED')\n")
    (tmp_path / "math.py").write_text("raise ImportError('HIJACKED')\n")
    # (dp and hidden_checks import in the class run: its reference run records through
    # hidden_checks; here the test's own sys.path may name another checkout of them)
    nb, _ = run_cells(["import sys, os, json, math\n"
                       "print(json.dumps([p for p in sys.path if p in ('', '.', os.getcwd())]))\n"
                       "print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])\n"
                       "n = 0\ntry:\n    while n < 50_000:\n"
                       "        open(f'/tmp/f{n}', 'w').close(); n += 1\n"
                       "except OSError as e:\n    print(n, e.errno)"],
                      tmp_path, Sandbox__tmp_files=2000)
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert "HIJACKED" not in text and "error" not in [o.output_type for o in nb.cells[0].outputs]
    path_line, caps, made = text.splitlines()
    assert path_line == "[]" and int(caps, 16) == 0
    count, errno = made.split()
    assert int(count) < 2000 and int(errno) == 28, made


@pytest.mark.grading
@pytest.mark.needs("sandbox")
def test_collect_follows_no_link_and_grading_names_what_it_left_out(tmp_path):
    course = b.new_course(tmp_path / "course", fixture=True)
    downloads = tmp_path / "downloads"
    (downloads / "alice").mkdir(parents=True)
    nbformat.write(b.fixture_notebook(), downloads / "alice" / f"{b.FIXTURE_NOTEBOOK}.ipynb")
    os.symlink("/etc/shadow", downloads / "alice" / "shadow.txt")
    os.mkfifo(downloads / "alice" / "pipe")
    os.symlink(course / "source" / b.FIXTURE / f"{b.FIXTURE_NOTEBOOK}.ipynb",
               downloads / f"bob_{b.FIXTURE_NOTEBOOK}.ipynb")
    proc = subprocess.run([sys.executable, "-m", "tools.collect", b.FIXTURE, "--from",
                           str(downloads), "--course-dir", str(course)], cwd=course,
                          env=subprocess_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # bob's link fits no convention
    assert "LEFT OUT alice/shadow.txt" in proc.stdout and "bob_" in proc.stdout
    assert not (course / "submitted" / "bob").exists()
    alice = course / "submitted" / "alice" / b.FIXTURE
    assert sorted(p.name for p in alice.iterdir()) == [
        intake.COLLECT_RECORD, f"{b.FIXTURE_NOTEBOOK}.ipynb", "timestamp.txt"]
    taken = intake.take(course, b.FIXTURE, "alice")
    intake.release(course, "alice")
    reasons = " | ".join(f.reason for f in taken.findings)
    assert "shadow.txt (symbolic link, at collect)" in reasons, reasons
    assert "pipe (FIFO, at collect)" in reasons, reasons


def test_exchange_collect_copies_regular_files_only(tmp_path):
    from tools.collect import safe_exchange_collect

    src, dest = tmp_path / "inbound", tmp_path / "dest"
    src.mkdir()
    (src / "a.ipynb").write_text("{}")
    os.symlink("/etc/shadow", src / "shadow.txt")
    os.link(src / "a.ipynb", src / "hard.ipynb")
    from nbgrader.coursedir import CourseDirectory

    collect = safe_exchange_collect()(coursedir=CourseDirectory(root=str(tmp_path)))
    collect.do_copy(str(src), str(dest))
    # both a.ipynb and hard.ipynb are names of one file with two links: neither is taken
    # (the arrival time is the server's, deadlines.record_arrival)
    assert sorted(p.name for p in dest.iterdir()) == [intake.COLLECT_RECORD, "timestamp.txt"]
    linked = tmp_path / "linked"
    os.symlink(src, linked)
    collect.do_copy(str(linked), str(tmp_path / "dest2"))
    assert not (tmp_path / "dest2").exists()


# ------------------------------------------------------------------ the real assignment
REAL = "01_scalar_autodiff"


def generic_class(course: Path, assignment: str, port: int) -> dict[str, tuple]:
    """Every attack on each notebook of a real assignment; student -> (expected score: "full",
    0 or another student's name, words its status must contain)."""
    expect = {}
    for name, path in b.notebooks(course / "release" / assignment).items():
        released = nbformat.read(path, as_version=4)
        source = nbformat.read(course / "source" / assignment / f"{name}.ipynb", as_version=4)
        perfect = b.perfect(released, source)
        answers = [b.grade_id(c) for c in perfect.cells if b.is_answer(c)]
        tests = [b.grade_id(c) for c in perfect.cells if b.is_test(c)]

        def submit(student, nb, score, words=None, _name=name):
            expect[student] = (score, words)
            return b.submit(course, student, assignment, _name, nb).parent

        submit("perfect", perfect, "full")
        submit("untouched", released, 0)
        folder = submit("links", perfect, "full", "left out")
        os.symlink(course / "source" / assignment / f"{name}.ipynb", folder / "sol.txt")
        os.symlink("../../../gradebook.db", folder / "gradebook.txt")
        os.symlink("/etc/shadow", folder / "shadow.txt")
        os.symlink(f"../../zz_honest/{assignment}/{name}.ipynb", folder / "classmate.txt")
        folder = submit("shadow_module", perfect, "full", "ipykernel_launcher.py")
        (folder / "ipykernel_launcher.py").write_text("import sys\nsys.exit(3)\n")
        folder = submit("sparse", perfect, "full", "209,715,200 bytes")
        with open(folder / "sparse.bin", "wb") as fh:
            fh.truncate(200 * 2**20)
        nb = copy.deepcopy(perfect)
        cell = nbformat.v4.new_markdown_cell("![big](attachment:big.png)")
        cell.attachments = {"big.png": {"image/png": "A" * (30 * 2**20)}}
        nb.cells.insert(1, cell)
        submit("attachment", nb, "full", "attachment 'big.png'")
        folder = submit("many_files", perfect, "full", "more entries not looked at")
        (folder / "many").mkdir()
        for i in range(20_000):
            (folder / "many" / f"f{i}").touch()
        nb = copy.deepcopy(perfect)
        for cell in nb.cells:
            if b.is_test(cell):
                b.nbgrader_meta(cell).update(points=100, partial_credit=True)
        submit("break_points", nb, "full", "grading metadata restored")
        nb = copy.deepcopy(perfect)
        first_test = next(i for i, c in enumerate(nb.cells) if b.is_test(c))
        dup = copy.deepcopy(nb.cells[first_test])
        dup.id = "duplicated-test"
        nb.cells.insert(first_test + 1, dup)
        submit("break_duplicate_test", nb, "full", f"duplicate of test cell {tests[0]} removed")
        nb = copy.deepcopy(perfect)
        b.nbgrader_meta(b.first_answer(nb))["grade_id"] = tests[0]
        submit("break_answer_has_test_id", nb, "full", f"answer cell {answers[0]}")
        nb = copy.deepcopy(perfect)
        b.nbgrader_meta(b.first_answer(nb))["grade_id"] = answers[0] + "\n"
        submit("break_newline_id", nb, "full", f"answer cell {answers[0]}")
        nb = copy.deepcopy(perfect)
        last = max(i for i, c in enumerate(nb.cells) if b.is_answer(c))
        empty = copy.deepcopy(nb)
        empty.cells[last].source = ""
        submit("zz_honest", empty, None)  # the classmate: everything but the last answer
        del nb.cells[last]
        submit("break_answer_deleted", nb, "zz_honest", "missing: graded as empty")
        nb = copy.deepcopy(perfect)
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(
            "[click](javascript:document.title='PWNED') "
            f"![remote](http://127.0.0.1:{port}/pixel.png)"))
        submit("active_content", nb, "full", "feedback page: removed")
    return expect


@pytest.mark.grading
@pytest.mark.needs("sandbox")
@pytest.mark.xdist_group("intake-01")  # a class of its own: not behind this file's fixture class
def test_real_class_01(tmp_path):
    """The attacks on 01_scalar_autodiff, graded in one run."""
    course = b.new_course(tmp_path / "course", [REAL])
    shutil.copytree(b.REPO / "release" / REAL, course / "release" / REAL)
    server = LoopbackServer()
    try:
        expect = generic_class(course, REAL, server.port)
        proc = subprocess.run(
            [sys.executable, "-m", "tools.grading", REAL, "--course-dir", str(course), *LIMITS],
            cwd=course, env=subprocess_env({"MPLBACKEND": "Agg"}), capture_output=True,
            text=True, timeout=2800)
    finally:
        server.close()
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    scores = {s: sum(x or 0 for x, _ in cells.values())
              for s, cells in b.gradebook_scores(course, REAL).items()}
    full = {s: sum(m for _, m in cells.values())
            for s, cells in b.gradebook_scores(course, REAL).items()}
    problems = []
    for student, (want, words) in expect.items():
        target = full.get(student) if want == "full" else scores.get(want, want)
        if want is not None and scores.get(student) != target:
            problems.append(f"{student}: {scores.get(student)} (want {target}): "
                            f"{status(proc, student)}")
        if words and words not in status(proc, student):
            problems.append(f"{student}: status lacks {words!r}: {status(proc, student)}")
    for student in ("perfect", "untouched", "zz_honest"):
        if "(" in status(proc, student):
            problems.append(f"healthy student with notes: {status(proc, student)}")
    shadow = Path("/etc/shadow").read_bytes().split(b"\n")[0] or b"\0never"
    for top in ("autograded", "feedback"):
        for path in (course / top).rglob("*"):
            if path.is_file() and path.suffix in (".ipynb", ".html", ".txt"):
                if path.stat().st_size > CAP:
                    problems.append(f"{path}: {path.stat().st_size:,} bytes")
                data = path.read_bytes()
                if shadow in data or b"SQLite format 3" in data:
                    problems.append(f"{path}: holds text from outside the submission")
    assert not problems, "\n".join(problems)
