"""The instructors' server extension on the course hub (``tools/hub.py`` installs it
into the course environment and turns it on in the instructors' role config only).

What it changes in nbgrader 0.9.6's formgrader, each for a reason an instructor meets:

* **Links open the notebooks.** In its own browser tab the formgrader links an
  assignment's folders and notebooks to ``/tree/...`` and ``/notebooks/...``, absolute
  paths without the server's base URL: on a hub they land on ``/hub/tree/...`` (404).
  Its ``utils.js`` is served with those links pointing at this server's JupyterLab
  (``<base_url>/lab/tree/...``). Inside JupyterLab (the Nbgrader menu) it already
  opens them in the lab; that needs the frame policy ``tools/hub.py`` sets for
  instructors (``frame-ancestors 'self'``).
* **Release feedback waits for the written answers.** Formgrader's "Release
  Feedback" refuses while written answers are ungraded (naming the students; ``?force=1``
  or ``python -m tools.release_feedback <A> --force`` releases anyway) and regenerates
  the feedback first, so it carries the graders' points.
* **Autograde goes through the grading service.** The Autograde button would run
  the student's code as the instructor, outside the sandbox (which needs root). Here it
  asks the hub's grading service (``hub/dp_grading_service.py``) to grade that one
  submission, with this server's own token (it carries ``custom:grading`` for
  instructors only), waits for the job and answers as nbgrader would.
* **The mark scheme on the grading page.** Below each written (manually graded)
  answer, the instructor's answer from ``source/`` (or its ``BEGIN MARK SCHEME``
  region, where a cell has one) is shown to the grader. Only the page changes: the
  autograded notebook and the students' feedback do not contain it.
* **Math typeset offline.** The grading page loads MathJax 3 from this server
  (``<base_url>/dp-mathjax/``, the copy ``sphinx-mathjax-offline`` installs in the
  course environment), not MathJax 2 from a CDN.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import re
from pathlib import Path

import nbformat
from jupyter_server.utils import url_path_join
from tornado import httpclient, web

MATHJAX_CDN = re.compile(r'<script src="https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/[^"]*">'
                         r"\s*</script>")
MATHJAX_CONFIG = """<script>
window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']],
                        displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
                        processEscapes: true, processEnvironments: true}};
</script>
<script src="%s/dp-mathjax/tex-chtml-full.js"></script>"""
MARK_SCHEME = re.compile(r"=== BEGIN MARK SCHEME ===(.*?)=== END MARK SCHEME ===", re.S)
SOLUTION_MARKERS = re.compile(r"^\s*#+\s*(BEGIN|END) SOLUTION\s*$", re.M)
POLL_SECONDS = 2
GRADING_TIMEOUT = 3600


def mathjax_folder() -> Path | None:
    """MathJax 3 as sphinx-mathjax-offline installs it (in site-packages)."""
    import sysconfig

    purelib = Path(sysconfig.get_paths()["purelib"])
    folder = purelib / "sphinx-mathjax-offline" / "static" / "mathjax"
    return folder if (folder / "tex-chtml-full.js").is_file() else None


def mark_scheme(source_cell) -> str:
    """What the grader sees: the cell's mark-scheme regions, else its solution."""
    text = source_cell.source
    regions = MARK_SCHEME.findall(text)
    if regions:
        return "\n\n".join(r.strip() for r in regions)
    return SOLUTION_MARKERS.sub("", text).strip()


def with_mark_schemes(nb, source_nb):
    """A copy of ``nb`` with a mark-scheme cell below each written (manually graded) answer."""
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in source_nb.cells}
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        meta = cell.metadata.get("nbgrader", {})
        source = by_id.get(meta.get("grade_id"))
        if meta.get("grade") and meta.get("solution") and source is not None:
            text = mark_scheme(source)
            if text:
                cells.append(nbformat.v4.new_markdown_cell(
                    '<div class="dp-mark-scheme" style="border-left: 4px solid #2a7;'
                    ' padding-left: 1em">\n\n**Mark scheme** (from `source/`; graders only, not'
                    f" in the feedback)\n\n{text}\n\n</div>"))
    nb.cells = cells
    return nb


def patch_exporter(course_root: Path):
    """The formgrader's HTML exporter, with mark schemes and offline MathJax."""
    from nbconvert import HTMLExporter

    class GradingPageExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            resources = resources or {}
            assignment, name = resources.get("assignment_id"), resources.get("notebook_id")
            source = course_root / "source" / str(assignment) / f"{name}.ipynb"
            if assignment and name and source.is_file():
                nb = with_mark_schemes(nb, nbformat.read(source, as_version=4))
            html, out = super().from_notebook_node(nb, resources, **kw)
            base = resources.get("base_url", "")
            return MATHJAX_CDN.sub(lambda _m: MATHJAX_CONFIG % base, html, count=1), out

    from nbgrader.server_extensions.formgrader import formgrader

    formgrader.HTMLExporter = GradingPageExporter
    return GradingPageExporter


def patch_autograde():
    """Formgrader's Autograde button: a job of the grading service instead of a local run."""
    from nbgrader.server_extensions.formgrader import apihandlers
    from nbgrader.server_extensions.formgrader.base import check_notebook_dir, check_xsrf

    @web.authenticated
    @check_xsrf
    @check_notebook_dir
    async def post(self, assignment_id, student_id):
        try:
            job = await request_grading(assignment_id, [student_id])
            result = {"success": job["state"] == "done", "log": job.get("output", "")}
            if not result["success"]:
                result["error"] = job.get("output", "")[-4000:] or job.get("error", "")
        except Exception as exc:  # noqa: BLE001 -- shown in the formgrader
            result = {"success": False, "error": f"grading service: {exc}", "log": ""}
        self.write(json.dumps(result))

    apihandlers.AutogradeHandler.post = post

    @web.authenticated
    @check_xsrf
    @check_notebook_dir
    def release_all(self, assignment_id):
        waiting = {}
        for submission in self.gradebook.assignment_submissions(assignment_id):
            for notebook in submission.notebooks:
                count = sum(1 for grade in notebook.grades if grade.needs_manual_grade)
                if count:
                    waiting[submission.student_id] = waiting.get(submission.student_id, 0) + count
        if waiting and self.get_argument("force", "") != "1":
            names = ", ".join(f"{s} ({n})" for s, n in sorted(waiting.items()))
            self.write(json.dumps({"success": False, "error": (
                f"Feedback not released: {sum(waiting.values())} written answer(s) still "
                f"ungraded, of {names}. Grade them (Manual Grading) first, or release anyway "
                f"with python -m tools.release_feedback {assignment_id} --force.")}))
            return
        generated = self.api.generate_feedback(assignment_id)  # with the graders' points
        if not generated["success"]:
            self.write(json.dumps(generated))
            return
        # the course's page hook on every feedback page, as tools.grading applies it
        from tools.grading.feedback import secure_folder

        root = Path(self.coursedir.root)
        for folder in sorted((root / "feedback").glob(f"*/{assignment_id}")):
            secure_folder(folder)
        self.write(json.dumps(self.api.release_feedback(assignment_id)))

    apihandlers.ReleaseAllFeedbackHandler.post = release_all


async def request_grading(assignment: str, students: list[str], force: bool = True) -> dict:
    """Ask the grading service for one job and wait for its end; the job's model."""
    url = os.environ.get("DP_GRADING_URL")
    if not url:
        raise RuntimeError("DP_GRADING_URL is not set (not on the course hub)")
    headers = {"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}",
               "Content-Type": "application/json"}
    client = httpclient.AsyncHTTPClient()
    body = json.dumps({"assignment": assignment, "students": students, "force": force})
    response = await client.fetch(url_path_join(url, "jobs"), method="POST", headers=headers,
                                  body=body, raise_error=False, request_timeout=60)
    job = json.loads(response.body or b"{}")
    if response.code != 202:
        raise RuntimeError(f"{response.code}: {job.get('error', response.reason)}")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + GRADING_TIMEOUT
    while job["state"] in ("queued", "running") and loop.time() < deadline:
        await asyncio.sleep(POLL_SECONDS)
        response = await client.fetch(url_path_join(url, "jobs", job["id"]), headers=headers,
                                      request_timeout=60)
        job = json.loads(response.body)
    return job


class UtilsJsHandler(web.RequestHandler):
    """nbgrader's formgrader ``utils.js``, its links for a top-level tab pointed at the lab."""

    def initialize(self, text: str):
        self.text = text

    def get(self):
        self.set_header("Content-Type", "application/javascript")
        self.set_header("Cache-Control", "no-cache")
        self.finish(self.text)


def patched_utils_js() -> str:
    from nbgrader.server_extensions.formgrader import handlers

    text = (Path(handlers.static_path) / "js" / "utils.js").read_text()
    old = re.search(r"var prefix = \{.*?\}\[type\];", text, re.S)
    if old is None:
        raise RuntimeError("nbgrader's formgrader utils.js changed: links not patched")
    new = ('var prefix = base_url + "/lab/tree/";\n'
           '        path = path.replace(/^(\\.\\/)+/, "");')
    return text[:old.start()] + new + text[old.end():]


def _load_jupyter_server_extension(serverapp):
    base = serverapp.web_app.settings["base_url"]
    course_root = Path(serverapp.root_dir)
    patch_exporter(course_root)
    patch_autograde()
    handlers = [(url_path_join(base, "formgrader/static/js/utils.js"), UtilsJsHandler,
                 {"text": patched_utils_js()})]
    folder = mathjax_folder()
    if folder:
        handlers.append((url_path_join(base, "dp-mathjax/(.*)"), web.StaticFileHandler,
                         {"path": str(folder)}))
    else:
        serverapp.log.warning("dp_hub_instructor: no MathJax 3 (sphinx-mathjax-offline)")
    serverapp.web_app.add_handlers(".*$", handlers)
    serverapp.log.info("dp_hub_instructor: formgrader links, autograde through the grading "
                       "service, mark schemes, MathJax from %s", folder)


def _jupyter_server_extension_points():
    return [{"module": "dp_hub_instructor"}]
