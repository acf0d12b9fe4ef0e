"""The student's JupyterLab, as a student meets it, in a real browser (issue 21).

One lab (`python -m tools.lab`, what `make lab` runs) serves a temporary copy of the
course: its own workspace, Jupyter config, data and runtime folders, so neither the
developer's `work/` nor their Jupyter settings are used or touched. One Chromium page
(tests/browser.py) visits it. Every test here shares both; the lab, its kernels and
the browser are stopped at the end, also on failure.

Cost: one lab start, one Chromium, two Validate runs of 01_scalar_autodiff (each runs
the notebook in a kernel): about 30 s of CPU; 116 s wall-clock measured on 2 cores
shared by 8 busy sessions, much of it waiting for the lab and the kernels to start.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

from browser import chromium_page, chromium_path
from grading.builders import grade_id, is_answer, perfect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "01_scalar_autodiff"
NOTEBOOK = "scalar_autodiff.ipynb"
LECTURE = "course/01_dp_library_guide.ipynb"  # stores graph drawings as SVG
TOKEN = "dp-course-lab-browser-test"
# Copied into the temporary course: what the lab and nbgrader's Validate need.
COURSE_PARTS = ["course", "config", "release", "tools", "nbgrader_config.py"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base: str, path: str, method: str = "GET"):
    request = urllib.request.Request(f"{base}{path}", method=method,
                                     headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        body = response.read()
        return response.status, (json.loads(body) if body else None)


def _stop(lab: subprocess.Popen, base: str) -> None:
    """Shut down the lab's kernels (they run in sessions of their own), then the lab."""
    try:
        for kernel in _api(base, "/api/kernels")[1]:
            _api(base, f"/api/kernels/{kernel['id']}", method="DELETE")
    except OSError:
        pass  # the lab is already gone; killing its group below is all that is left
    finally:
        # SIGTERM: the server shuts down whatever kernels are left, then exits.
        try:
            os.killpg(lab.pid, signal.SIGTERM)
            lab.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(lab.pid, signal.SIGKILL)
            lab.wait(timeout=10)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running student lab on a copy of the course; yields (base URL, course root)."""
    chromium_path()  # skip before starting anything when there is no browser
    tmp = tmp_path_factory.mktemp("lab")
    course = tmp / "course-root"
    course.mkdir()
    for part in COURSE_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, course / part, ignore=shutil.ignore_patterns(
                "__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(src, course / part)
    port = _free_port()
    env = dict(os.environ, **{f"JUPYTER_{kind}_DIR": str(tmp / kind.lower())
                              for kind in ("CONFIG", "DATA", "RUNTIME")})
    env.pop("JUPYTER_CONFIG_PATH", None)
    args = ["--ServerApp.ip=127.0.0.1", f"--port={port}", "--no-browser",
            f"--IdentityProvider.token={TOKEN}"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    log = open(tmp / "lab.log", "wb")
    lab = subprocess.Popen([sys.executable, "-m", "tools.lab", "--root", str(course), "--", *args],
                           cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                           start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, error = time.monotonic() + 60, None
        while time.monotonic() < deadline and lab.poll() is None:
            try:
                _api(base, "/api/status")
                break
            except OSError as e:
                error = e
                time.sleep(0.3)
        else:
            pytest.fail(f"the lab did not start (last error: {error}):\n"
                        f"{(tmp / 'lab.log').read_text(errors='replace')[-3000:]}")
        yield base, course
    finally:
        _stop(lab, base)
        log.close()


@pytest.fixture(scope="module")
def page(lab, tmp_path_factory):
    with chromium_page(screenshots=tmp_path_factory.mktemp("shots"), timeout_ms=60_000) as page:
        yield page


def _open(page, base: str, path: str):
    """Open ``path`` in the lab (its default viewer) and return the visible document panel."""
    page.goto(f"{base}/lab/tree/{urllib.parse.quote(path)}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-LabShell", timeout=60_000)
    return page.locator(".jp-MainAreaWidget:visible")


def _current_tab(page):
    return page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")


def test_the_start_page_is_rendered_and_its_links_open_what_they_name(lab, page):
    base, course = lab
    _open(page, base, "course/README.md")
    rendered = page.locator(".jp-MainAreaWidget:visible .jp-RenderedMarkdown")
    rendered.locator("table a").first.wait_for(timeout=60_000)
    assert rendered.locator("h1").first.inner_text().strip().startswith("Course index")
    hrefs = rendered.locator("table a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(hrefs) >= 12, hrefs
    for href in hrefs:
        path = urllib.parse.unquote(urllib.parse.urlparse(href).path)
        assert path.startswith("/files/"), f"{href}: not a link to a file of the course"
        rel = path.removeprefix("/files/")
        assert (course / rel).is_file(), f"the start page links to {rel}, which does not exist"
        assert _api(base, f"/api/contents/{urllib.parse.quote(rel)}?content=0")[0] == 200
    # Clicking a link opens that notebook in the lab: the student's copy, in work/.
    rendered.locator("table a", has_text="01 – Automatic differentiation").click()
    page.wait_for_function(
        "name => [...document.querySelectorAll("
        "'#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current')]"
        ".some(t => t.textContent.includes(name))", arg=NOTEBOOK, timeout=60_000)


def test_a_lecture_shows_its_stored_drawings_without_running_and_stays_unmodified(lab, page):
    base, course = lab
    stored = nbformat.read(course / LECTURE, as_version=4)
    n_svg = sum("image/svg+xml" in out.get("data", {}) for cell in stored.cells
                if cell.cell_type == "code" for out in cell.outputs)
    assert n_svg > 0, f"{LECTURE} stores no SVG drawing: this test needs one"
    panel = _open(page, base, LECTURE)
    drawing = panel.locator(".jp-OutputArea-output.jp-RenderedSVG img").first
    drawing.wait_for(state="attached", timeout=60_000)
    drawing.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=drawing.element_handle())
    box = drawing.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 10, box
    # The untrusted fallback is the drawing's text repr: it must not be what is shown.
    assert "GraphDrawing at 0x" not in panel.locator(".jp-Notebook").inner_text()
    # Nothing ran: every code cell still shows its stored execution count.
    prompts = panel.locator(".jp-InputArea-prompt").all_inner_texts()
    assert not any("*" in p for p in prompts), prompts
    # Opening starts a kernel; its spec and language info must not mark the lecture modified.
    panel.locator(".jp-KernelName", has_text="Python").wait_for(timeout=60_000)
    toolbar = panel.locator(".jp-NotebookPanel-toolbar", has_text="Kernel status: Idle")
    toolbar.wait_for(timeout=60_000)
    for _ in range(6):
        assert "jp-mod-dirty" not in (_current_tab(page).get_attribute("class") or ""), (
            f"opening {LECTURE} marked it modified")
        time.sleep(0.5)


def _validate(page, base: str, path: str) -> tuple[str, str]:
    """Click Validate on the notebook at ``path``; return the dialog's result class and text."""
    panel = _open(page, base, path)
    panel.locator(".jp-Notebook").wait_for(timeout=60_000)
    panel.locator(".jp-NotebookPanel-toolbar .jp-ToolbarButton", has_text="Validate").click()
    message = page.locator(".jp-Dialog #validation-message")
    message.wait_for(timeout=120_000)
    result = (message.get_attribute("class") or "").split()
    text = message.inner_text()
    page.locator(".jp-Dialog .jp-Dialog-button").last.click()
    message.wait_for(state="detached")
    return " ".join(c for c in result if c.startswith("validation-")), text


def _workspace_notebooks(course: Path):
    """The student's workspace copy, with solutions filled in, and a copy whose first answer
    has an indentation error; both saved in ``work/01_scalar_autodiff``."""
    folder = course / "work" / ASSIGNMENT
    copy = nbformat.read(folder / NOTEBOOK, as_version=4)  # made by the lab's set-up
    assert copy == nbformat.read(course / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    solved = perfect(copy, nbformat.read(ROOT / "source" / ASSIGNMENT / NOTEBOOK, as_version=4))
    nbformat.write(solved, folder / NOTEBOOK)
    broken = nbformat.from_dict(json.loads(json.dumps(solved)))
    answer = next(c for c in broken.cells if is_answer(c))
    lines = answer.source.split("\n")
    body = lines.index(next(line for line in lines if "BEGIN SOLUTION" in line)) + 1
    lines[body] = "  " + lines[body]  # two spaces too many: "unexpected indent"
    answer.source = "\n".join(lines)
    nbformat.write(broken, folder / "broken.ipynb")
    return f"work/{ASSIGNMENT}/{NOTEBOOK}", f"work/{ASSIGNMENT}/broken.ipynb", answer


def test_validate_in_the_workspace_passes_the_solutions_and_names_an_indentation_error(lab, page):
    base, course = lab
    solved, broken, answer = _workspace_notebooks(course)

    status, text = _validate(page, base, solved)
    assert status == "validation-success", text
    assert "Success! Your notebook passes all the tests." in text

    status, text = _validate(page, base, broken)
    assert status == "validation-failed", text
    first_failure = text.split("The following cell failed:")[1]
    assert answer.source.split("\n")[0] in first_failure, (
        f"the first cell reported should be the broken answer {grade_id(answer)}:\n{text[:2000]}")
    assert "IndentationError" in first_failure, text[:2000]
    assert "NameError" in text, "the test cells below the broken answer fail too, after it"
    assert text.index("IndentationError") < text.index("NameError")
    assert (course / "release" / ASSIGNMENT / NOTEBOOK).read_bytes() == \
        (ROOT / "release" / ASSIGNMENT / NOTEBOOK).read_bytes(), "release/ must stay pristine"


def test_no_instructor_tools_in_the_student_lab(lab, page):
    base, course = lab
    _open(page, base, "course/README.md")
    page.locator(".lm-MenuBar-item").first.wait_for()
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    assert "File" in menus and "Nbgrader" not in menus, menus
    # The command palette lists every command the lab has: no Formgrader, no Create Assignment.
    page.locator(".jp-MainAreaWidget:visible .jp-RenderedMarkdown h1").first.click()
    page.keyboard.press("Control+Shift+C")
    search = page.locator(".lm-CommandPalette-input:visible")
    search.wait_for()
    # "Close All Tabs" shows that the search finds what exists.
    for words, present in (("Close All Tabs", True), ("Formgrader", False),
                           ("Assignment List", False), ("Course List", False),
                           ("Create Assignment", False)):
        search.fill(words)
        page.wait_for_timeout(300)
        items = page.locator(".lm-CommandPalette-item .lm-CommandPalette-itemLabel")
        labels = items.all_inner_texts()
        assert any(words.lower() in label.lower() for label in labels) is present, (words, labels)
    # The formgrader's server side is off too, so nothing can create a gradebook.
    with pytest.raises(urllib.error.HTTPError) as error:
        _api(base, "/formgrader")
    assert error.value.code == 404
    assert not (course / "gradebook.db").exists()
    # The course's own extension (labextension/: due dates in the hub's Assignments tab) is
    # loaded here too and harmless: nothing logged as an error in this page all module long.
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    assert "dp-assignment-due-dates" in {e["name"] for e in config["federated_extensions"]}
    assert not page.console_errors, page.console_errors
