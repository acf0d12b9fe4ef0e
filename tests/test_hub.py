"""A whole class on the course's JupyterHub, end to end, on 127.0.0.1 only.

One hub (``tools.hub up``: real Unix users and groups, PAM, LocalProcessSpawner,
configurable-http-proxy, nbgrader's filesystem exchange) serves one module; it is
taken down at the end, also on failure, and the module checks nothing is left. The
flow: the instructor releases ``01_scalar_autodiff`` through the formgrader's REST
API; three students, each through their own server's REST API with their own
JupyterHub token, list, fetch, write (perfect / untouched / wrong answers) and
submit; students attack the exchange, the course root and each other's homes, and
the file system refuses; the instructor collects in a terminal of their lab (over its
websocket: the course environment on PATH, no "root '.'" warning); students' tokens get
403 from the grading service, the instructor's 200, malformed requests 400; Formgrader's
Autograde grades one student through the service, the instructor's terminal grades the
other two through it (``--jobs 2``) while the teaching assistant gives points to a
written answer in their own Formgrader (both edits are in the gradebook afterwards;
outputs group-writable, setgid); feedback is refused while a written answer is ungraded
(Formgrader and ``tools.release_feedback``, naming the student), then released with the
points in it; each student fetches their own feedback only; the scores equal the same
notebooks graded alone. In Chromium, the instructor opens Formgrader inside the lab
(the assignment list, not an error frame), its links go into the lab, and the grading
page shows the mark scheme and typesets math with the server's own MathJax; the perfect
student opens their feedback from their own server and its math is typeset (MathJax
inlined in the page, nothing from outside the hub); a fourth student sees in the
Assignments tab the due date the instructor set in Formgrader (in the browser's time
zone) and then their own extension from deadlines.csv, fetches from the tab and the
notebook opens unmodified.

Needs Linux and root (CI runs as root); the hub's name is random so a crashed
earlier run cannot collide. Cost: the hub and five servers, two gradings of three
students (run concurrently), three short browser sessions; the whole module took
about 190 s on 2 cores shared with other engineers' test runs (load average 4; 590 s
at load 12).
"""

from __future__ import annotations

import copy
import datetime
import grp
import json
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import requests

from grading import builders as b
from tools import hub as hubtool
from tools.course import subprocess_env

# The hub creates Unix users and grades in the sandbox (Linux, root, bubblewrap: the
# sandbox check covers all three) behind JupyterHub's proxy (Node.js).
needs_hub = pytest.mark.needs("sandbox", "node")
pytestmark = [pytest.mark.xdist_group("hub"), pytest.mark.hub]

ASSIGNMENT = "01_scalar_autodiff"
NOTEBOOK = "scalar_autodiff"
COURSE_ID = hubtool.COURSE_ID
TIMEOUT = 180  # seconds for any one server to start or any one action to finish


def written_answers(hub, grader, student):
    """The written answers of ``student``'s submission still waiting for a grader, through
    ``grader``'s formgrader (what its Manual Grading page lists)."""
    r = hub.call(grader, "GET", f"formgrader/api/submitted_notebooks/{ASSIGNMENT}/{NOTEBOOK}")
    assert r.status_code == 200, r.text
    [submission] = [s for s in r.json() if s["student"] == student]
    r = hub.call(grader, "GET", "formgrader/api/grades",
                 params={"submission_id": submission["id"]})
    assert r.status_code == 200, r.text
    return [g for g in r.json() if g["needs_manual_grade"]]


def wrong_answers(released, source):
    """The released notebook answered with the first listed mistake of every answer cell
    (tests/mistakes: each must run and lose points), the other answers correct."""
    nb = b.perfect(released, source)
    folder = b.MISTAKES / ASSIGNMENT
    for cell in nb.cells:
        if b.is_answer(cell):
            mistakes = sorted(folder.glob(f"{b.grade_id(cell)}__*.py"))
            if mistakes:
                cell.source = mistakes[0].read_text()
    return nb


class Terminal:
    """A JupyterLab terminal over its websocket: commands typed, output read back."""

    def __init__(self, ws_url: str, token: str):
        import websocket

        self.ws = websocket.create_connection(
            ws_url, header=[f"Authorization: token {token}"], timeout=TIMEOUT)
        self.count = 0

    def start(self, command: str) -> str:
        """Type ``command``; returns the marker its exit status will be printed with."""
        self.count += 1
        marker = f"__done{self.count}__"
        self.ws.send(json.dumps(["stdin", f"{command}; echo {marker}$?{marker}\r"]))
        return marker

    def finish(self, marker: str, timeout: float = 900) -> tuple[int, str]:
        """Output until the command of ``marker`` ends, and its exit status."""
        out, deadline = "", time.monotonic() + timeout
        pattern = re.compile(re.escape(marker) + r"(\d+)" + re.escape(marker))
        while time.monotonic() < deadline:
            kind, *data = json.loads(self.ws.recv())
            if kind == "stdout":
                out += data[0]
                found = pattern.search(out)
                if found:
                    return int(found.group(1)), out
        raise AssertionError(f"no end of the command after {timeout} s:\n{out[-3000:]}")

    def run(self, command: str, timeout: float = 900) -> tuple[int, str]:
        return self.finish(self.start(command), timeout)

    def close(self):
        self.ws.close()


class Hub:
    """A running course hub and REST access to it as each of its users."""

    def __init__(self, info: dict, admin_token: str):
        self.info, self.url = info, info["url"]
        self.admin = {"Authorization": f"token {admin_token}"}
        self.tokens: dict[str, str] = {}

    def token(self, user: str) -> str:
        if user not in self.tokens:
            r = requests.post(
                f"{self.url}hub/api/users/{user}/tokens",
                headers=self.admin,
                json={"note": "end-to-end test", "expires_in": 1800},
                timeout=30,
            )
            r.raise_for_status()
            self.tokens[user] = r.json()["token"]
        return self.tokens[user]

    def start_servers(self, users: list[str]) -> None:
        for user in users:
            r = requests.post(
                f"{self.url}hub/api/users/{user}/server", headers=self.admin, timeout=60
            )
            assert r.status_code in (201, 202), (user, r.status_code, r.text)
        waiting, deadline = set(users), time.monotonic() + TIMEOUT
        while waiting and time.monotonic() < deadline:
            for user in sorted(waiting):
                model = requests.get(
                    f"{self.url}hub/api/users/{user}", headers=self.admin, timeout=30
                ).json()
                if model.get("servers", {}).get("", {}).get("ready"):
                    waiting.discard(user)
            time.sleep(1)
        log = hubtool.tail(Path(self.info["state"]) / "hub.log")
        assert not waiting, f"servers not ready after {TIMEOUT} s: {waiting}\n{log}"

    def call(self, user: str, method: str, path: str, **kwargs) -> requests.Response:
        """A request to ``user``'s own server, authenticated as ``user``."""
        return requests.request(
            method,
            f"{self.url}user/{user}/{path}",
            headers={"Authorization": f"token {self.token(user)}"},
            timeout=TIMEOUT,
            **kwargs,
        )

    def terminal(self, user: str) -> Terminal:
        """A new terminal of ``user``'s JupyterLab (what File > New > Terminal opens)."""
        r = self.call(user, "POST", "api/terminals")
        assert r.status_code == 200, r.text
        ws_url = self.url.replace("http", "ws", 1) + (
            f"user/{user}/terminals/websocket/{r.json()['name']}")
        return Terminal(ws_url, self.token(user))

    def grading_service(self, user: str, method: str, path: str = "jobs", **kwargs):
        """A request to the hub's grading service with ``user``'s token."""
        return requests.request(
            method, f"{self.url}services/grading/{path}", timeout=60,
            headers={"Authorization": f"token {self.token(user)}"}, **kwargs)

    def as_user(self, user: str, *cmd: str, cwd: str | None = None) -> subprocess.CompletedProcess:
        """Run ``cmd`` as the Unix user ``user`` (what a terminal in their JupyterLab would do)."""
        home = pwd.getpwnam(user).pw_dir
        env = [
            "env",
            "-i",
            f"HOME={home}",
            f"USER={user}",
            "LANG=C.UTF-8",
            f"PATH={self.info['env']}/bin:/usr/bin:/bin",
            "MPLBACKEND=Agg",
            "OPENBLAS_NUM_THREADS=1",
            "OMP_NUM_THREADS=1",
            "MKL_NUM_THREADS=1",
        ]
        return subprocess.run(
            ["runuser", "-u", user, "--", *env, *cmd],
            cwd=cwd or home,
            capture_output=True,
            text=True,
            timeout=600,
        )


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    name = "dph" + secrets.token_hex(4)
    admin_token = secrets.token_hex(32)
    info = None
    try:
        info = hubtool.up(name, port=hubtool.free_port(), students=4, admin_token=admin_token)
        yield Hub(info, admin_token)
    finally:
        if info:  # keep the hub's log for a failing run: pytest's temporary folder
            log = Path(info["state"]) / "hub.log"
            if log.exists():
                shutil.copy(log, tmp_path_factory.mktemp("hub-log") / "hub.log")
        uids = set()
        for user in (info or {}).get("instructors", []) + (info or {}).get("students", []):
            try:
                uids.add(pwd.getpwnam(user).pw_uid)
            except KeyError:
                pass
        hubtool.down(name)
        leftovers = [u.pw_name for u in pwd.getpwall() if u.pw_name.startswith(name)]
        assert not leftovers, f"users left behind: {leftovers}"
        assert not Path("/srv", name).exists(), f"/srv/{name} left behind"
        assert not hubtool.processes_of(uids), "processes of the course's users left behind"


@pytest.fixture(scope="module")
def released(hub):
    """The instructor's server is up and ``01_scalar_autodiff`` is in the exchange,
    released with the formgrader's own REST API (what its Release button calls)."""
    instructor = hub.info["instructors"][0]
    hub.start_servers([instructor])
    r = hub.call(instructor, "POST", f"formgrader/api/assignment/{ASSIGNMENT}/release")
    assert r.status_code == 200 and r.json()["success"], r.text
    assert (
        Path(hub.info["course"]).parent
        / "exchange"
        / COURSE_ID
        / "outbound"
        / ASSIGNMENT
        / f"{NOTEBOOK}.ipynb"
    ).is_file()
    return instructor


@needs_hub
def test_a_class_releases_fetches_submits_is_graded_in_parallel_and_gets_feedback(
    hub, released, tmp_path
):
    instructor, ta = released, hub.info["instructors"][1]
    students = hub.info["students"][:3]
    base = Path(hub.info["course"]).parent
    course, exchange = base / "course", base / "exchange" / COURSE_ID
    release_nb = nbformat.read(
        base / "course" / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4
    )
    source_nb = nbformat.read(b.REPO / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    notebooks = {
        students[0]: b.perfect(release_nb, source_nb),
        students[1]: copy.deepcopy(release_nb),
        students[2]: wrong_answers(release_nb, source_nb),
    }

    # The oracle, started now and collected at the end: the same three notebooks graded
    # alone, one at a time (--jobs 1), by the repository's tools in a course of their own.
    alone = b.new_course(tmp_path / "alone", [ASSIGNMENT])
    (alone / "release").mkdir()
    (alone / "release" / ASSIGNMENT).symlink_to(b.REPO / "release" / ASSIGNMENT)
    for student, nb in notebooks.items():
        b.submit(alone, student, ASSIGNMENT, NOTEBOOK, nb)
    oracle = subprocess.Popen(
        [sys.executable, "-m", "tools.grading", ASSIGNMENT, "--jobs=1", "--course-dir", str(alone)],
        cwd=alone,
        env=subprocess_env({"MPLBACKEND": "Agg"}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        hub.start_servers(students)

        # Formgrader for instructors only.
        assert hub.call(instructor, "GET", "formgrader/api/status").status_code == 200
        for student in students:
            assert hub.call(student, "GET", "formgrader/api/status").status_code == 404
        # Each user reaches their own server only.
        r = requests.get(
            f"{hub.url}user/{students[1]}/api/contents",
            timeout=60,
            headers={"Authorization": f"token {hub.token(students[0])}"},
            allow_redirects=False,
        )
        assert r.status_code in (302, 403, 404), r.status_code

        for student in students:
            listed = hub.call(student, "GET", "assignments", params={"course_id": COURSE_ID}).json()
            assert listed["success"], listed
            assert [(a["assignment_id"], a["status"]) for a in listed["value"]] == [
                (ASSIGNMENT, "released")
            ]
            r = hub.call(
                student,
                "POST",
                "assignments/fetch",
                data={"course_id": COURSE_ID, "assignment_id": ASSIGNMENT},
            )
            assert r.json()["success"], r.text
            r = hub.call(
                student,
                "PUT",
                f"api/contents/{ASSIGNMENT}/{NOTEBOOK}.ipynb",
                json={"type": "notebook", "format": "json", "content": notebooks[student]},
            )
            assert r.status_code == 200, r.text
            r = hub.call(
                student,
                "POST",
                "assignments/submit",
                data={"course_id": COURSE_ID, "assignment_id": ASSIGNMENT},
            )
            assert r.json()["success"], r.text

        # Attacks: every one refused by the file system, each next to a control that works.
        first = next((exchange / "inbound").glob(f"{students[0]}+{ASSIGNMENT}+*"))
        theirs = first / f"{NOTEBOOK}.ipynb"
        attacker = students[1]
        assert hub.as_user(instructor, "cat", str(theirs)).returncode == 0  # the path is right
        for cmd in (
            ["cat", str(theirs)],
            ["ls", str(exchange / "inbound")],
            ["ls", str(first)],
            ["cat", str(course / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")],
            ["ls", str(base / "home" / students[0])],
            ["mv", str(exchange), str(exchange) + "-moved"],
            ["cp", "/etc/hostname", str(first / "planted.txt")],
        ):
            attack = hub.as_user(attacker, *cmd)
            refused = (
                "Permission denied" in attack.stderr or "Operation not permitted" in attack.stderr
            )
            assert attack.returncode != 0 and refused, (cmd, attack)
        assert hub.as_user(students[0], "ls", str(base / "home" / students[0])).returncode == 0

        # The instructor collects in a terminal of their lab, as the README says.
        term = hub.terminal(instructor)
        status, out = term.run(f"python -m tools.collect {ASSIGNMENT}")
        assert status == 0, out
        assert "is not absolute" not in out, out
        assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted(students)

        # The grading service: a student's token is refused, an instructor's accepted.
        for student in students:
            assert hub.grading_service(student, "GET").status_code == 403
            r = hub.grading_service(student, "POST", json={"assignment": ASSIGNMENT})
            assert r.status_code == 403, r.text
        assert hub.grading_service(instructor, "GET").status_code == 200
        r = hub.grading_service(instructor, "POST",
                                json={"assignment": ASSIGNMENT, "students": ["; rm -rf /"]})
        assert r.status_code == 400, r.text  # only what it can check
        r = hub.grading_service(instructor, "POST", json={"assignment": ASSIGNMENT, "x": 1})
        assert r.status_code == 400, r.text

        # Formgrader's Autograde button (its REST call) grades the first student through
        # the grading service; the sandbox runs as root there, the instructor is not root.
        t0 = time.monotonic()
        r = hub.call(instructor, "POST",
                     f"formgrader/api/submission/{ASSIGNMENT}/{students[0]}/autograde")
        assert r.status_code == 200 and r.json()["success"], r.text[-3000:]
        assert "Sandboxed" in r.json()["log"], r.json()["log"][-3000:]
        timings = {"formgrader autograde, 1 student": time.monotonic() - t0}

        # The other two in the instructor's terminal (the service again, --jobs 2) while
        # the teaching assistant grades the first student's written answer.
        t0 = time.monotonic()
        grading = term.start(f"python -m tools.grading {ASSIGNMENT} --jobs 2")
        hub.start_servers([ta])
        answers = written_answers(hub, ta, students[0])
        listed = hub.call(ta, "GET", f"formgrader/api/submitted_notebooks/{ASSIGNMENT}/{NOTEBOOK}")
        assert answers, ("the perfect notebook's written answer waits for a grader", listed.text)
        for grade in answers:
            r = hub.call(ta, "PUT", f"formgrader/api/grade/{grade['id']}",
                         json={"manual_score": grade["max_score"], "extra_credit": 0})
            assert r.status_code == 200, r.text
        ta_done = time.monotonic() - t0
        status, out = term.finish(grading)
        timings["terminal grading, 2 students, --jobs 2"] = time.monotonic() - t0
        assert status == 0, out[-4000:]
        assert "Sandboxed" in out and "3 submission(s), 2 at a time" in out, out[-4000:]
        assert ta_done < timings["terminal grading, 2 students, --jobs 2"], (
            "the assistant graded after grading had finished: not at the same time")
        # the written answers are counted: the wrong notebook's is still ungraded
        assert f"written answer(s) of {ASSIGNMENT} still ungraded" in out, out[-2000:]
        assert students[2] in out.split("still ungraded")[1], out[-2000:]
        # no lost update: the assistant's points and the autograder's scores are both there
        assert not written_answers(hub, ta, students[0])
        scores = b.gradebook_scores(course, ASSIGNMENT)
        assert sorted(scores) == sorted(students) and all(scores.values()), scores

        # What grading wrote belongs to the instructors' group, group-writable (the
        # assistant writes the gradebook too).
        group = grp.getgrnam(hub.info["instructors_group"]).gr_gid
        for path in [course / "gradebook.db", *(course / d for d in
                                                 ("submitted", "autograded", "feedback"))]:
            info = path.stat()
            assert info.st_gid == group and info.st_uid != 0, path
            assert info.st_mode & 0o060 == 0o060, (path, oct(info.st_mode))
            if path.is_dir():
                assert info.st_mode & 0o2070 == 0o2070, (path, oct(info.st_mode))

        # Feedback is refused while written answers are ungraded (the wrong notebook's),
        # by Formgrader and by the command, which name the student; then released.
        refused = hub.call(instructor, "POST",
                           f"formgrader/api/assignment/{ASSIGNMENT}/release_feedback")
        assert refused.status_code == 200 and not refused.json()["success"], refused.text
        assert students[2] in refused.json()["error"], refused.text
        status, out = term.run(f"python -m tools.release_feedback {ASSIGNMENT}")
        assert status == 1 and students[2] in out and "--force" in out, out
        assert not list(exchange.glob("feedback/*")), "feedback was released"
        for grade in written_answers(hub, ta, students[2]):
            r = hub.call(ta, "PUT", f"formgrader/api/grade/{grade['id']}",
                         json={"manual_score": 1, "extra_credit": 0})
            assert r.status_code == 200, r.text
        status, out = term.run(f"python -m tools.release_feedback {ASSIGNMENT}")
        assert status == 0, out
        term.close()
        released_feedback = refused
        print("timings (s):", {k: round(v) for k, v in timings.items()})

        homes = base / "home"
        for student in students:
            r = hub.call(
                student,
                "POST",
                "assignments/fetch_feedback",
                data={"course_id": COURSE_ID, "assignment_id": ASSIGNMENT},
            )
            assert r.json()["success"], r.text
            got = sorted((homes / student / ASSIGNMENT / "feedback").rglob("*.html"))
            assert len(got) == 1, (  # their one submission's feedback, nothing else
                got,
                r.text,
                released_feedback.text,
                sorted((exchange / "feedback").iterdir()),
                sorted((course / "feedback" / student / ASSIGNMENT).iterdir()),
            )
            assert (
                got[0].read_bytes()
                == (course / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html").read_bytes()
            )
            for other in students:
                if other != student:
                    assert other not in got[0].read_text()
        # the graders' points are in the feedback (it was generated after them)
        feedback = next((homes / students[0] / ASSIGNMENT / "feedback").rglob("*.html"))
        assert "Written response</a> (Score: 3.0 / 3.0)" in feedback.read_text()

        hub_scores = b.gradebook_scores(course, ASSIGNMENT)
    finally:
        try:
            out, _ = oracle.communicate(timeout=900)
        except subprocess.TimeoutExpired:
            oracle.kill()
            raise
    assert oracle.returncode == 0, out
    alone_scores = b.gradebook_scores(alone, ASSIGNMENT)
    assert hub_scores == alone_scores
    perfect, untouched, wrong = (hub_scores[s] for s in students)
    assert all(score == 0 for score, _ in untouched.values())
    assert sum(s for s, _ in wrong.values()) < sum(m for _, m in wrong.values())
    assert perfect and all(score == maximum for score, maximum in perfect.values()), perfect


@needs_hub
@pytest.mark.browser
@pytest.mark.needs("chromium")
def test_an_instructor_grades_in_formgrader_inside_the_lab_in_a_browser(hub, released, tmp_path):
    """Formgrader framed by the instructor's own lab (JupyterHub's singleuser server
    forbids framing unless configured), its links into the lab, and the grading page of
    the graded perfect submission (previous test) with its mark scheme and math typeset
    by the MathJax the server itself serves."""
    from browser import chromium_page

    instructor = released
    student = hub.info["students"][0]
    base = f"/user/{instructor}/"
    served = []
    with chromium_page(screenshots=tmp_path, timeout_ms=TIMEOUT * 1000) as page:
        page.on("request", lambda req: served.append(req.url))
        page.goto(f"{hub.url}hub/login")
        page.fill("input[name=username]", instructor)
        page.fill("input[name=password]", hub.info["passwords"][instructor])
        page.click("#login_submit")
        page.wait_for_url(f"**{base}lab**")
        page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
        # "Formgrader", not "Formgrader (local)" (a hidden item of the same menu)
        page.locator(".lm-Menu-item[data-command='nbgrader:open-formgrader']").click()
        frame = page.frame_locator("iframe[src*='formgrader']")
        # the assignment list, not an error (its hidden configuration panel names it too)
        frame.get_by_role("link", name=ASSIGNMENT, exact=True).first.wait_for()

        # In a tab of its own, its links go into this server's lab (not /hub/tree/...).
        page.goto(f"{hub.url}{base.lstrip('/')}formgrader/manage_assignments")
        link = page.locator(f"a[href*='lab/tree/source/{ASSIGNMENT}']").first
        link.wait_for()
        href = link.get_attribute("href")
        assert href.startswith(f"{base}lab/tree/"), href
        assert hub.call(instructor, "GET", href[len(base):]).status_code == 200

        # The grading page: the mark scheme below the written answer, math typeset offline.
        r = hub.call(instructor, "GET",
                     f"formgrader/api/submitted_notebooks/{ASSIGNMENT}/{NOTEBOOK}")
        [submission] = [s for s in r.json() if s["student"] == student]
        page.goto(f"{hub.url}{base.lstrip('/')}formgrader/submissions/{submission['id']}/")
        page.locator(".dp-mark-scheme").first.wait_for()
        assert "reverse-mode sweep" in page.locator(".dp-mark-scheme").first.inner_text()
        page.locator("mjx-container").first.wait_for()
        rendered = page.locator(".text_cell_render").all_inner_texts()
        assert rendered and not [t for t in rendered if "$" in t], [
            t for t in rendered if "$" in t][:3]
    assert not [u for u in served if "cdnjs" in u or "mathjax" in u.lower() and
                not u.startswith(hub.url)], "MathJax from outside the hub"


@needs_hub
@pytest.mark.browser
@pytest.mark.needs("chromium")
def test_a_student_reads_their_feedback_with_the_math_typeset_in_a_browser(hub, released,
                                                                          tmp_path):
    """The feedback the first test released and the perfect student fetched, opened from
    their own server in Chromium: its math typeset (no raw ``$`` left) by the MathJax
    inlined in the page, nothing loaded from outside the hub."""
    from urllib.parse import quote

    from browser import chromium_page

    student = hub.info["students"][0]
    home = Path(hub.info["course"]).parent / "home" / student
    pages = sorted((home / ASSIGNMENT / "feedback").rglob("*.html"))
    assert len(pages) == 1, ("the perfect student fetched their feedback (previous test)",
                             pages)
    served = []
    with chromium_page(screenshots=tmp_path, timeout_ms=TIMEOUT * 1000) as page:
        page.on("request", lambda req: served.append(req.url))
        page.goto(f"{hub.url}hub/login")
        page.fill("input[name=username]", student)
        page.fill("input[name=password]", hub.info["passwords"][student])
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{student}/lab**")
        page.goto(f"{hub.url}user/{student}/files/{quote(str(pages[0].relative_to(home)))}")
        page.locator("mjx-container").first.wait_for()
        rendered = page.locator(".text_cell_render").all_inner_texts()
        assert rendered and not [t for t in rendered if "$" in t], [
            t for t in rendered if "$" in t][:3]
        assert "Written response" in page.content()
    assert not [u for u in served if not u.startswith(hub.url)], "loaded from outside the hub"


@needs_hub
@pytest.mark.browser
@pytest.mark.needs("chromium")
def test_a_student_fetches_from_the_assignments_tab_in_a_browser(hub, released, tmp_path):
    """The due date the instructor sets in Formgrader (its own API, in their time zone) is
    in the student's Assignments tab, in the student's time zone; an extension in
    deadlines.csv is shown to that student with it. Then fetch, open, not modified."""
    from browser import chromium_page

    student = hub.info["students"][3]
    password = hub.info["passwords"][student]
    deadlines = Path(hub.info["course"]) / "deadlines.csv"
    # Formgrader's due date dialog: 03:04 on 2 Jan 2030 at UTC+1, i.e. Berlin's winter time
    r = hub.call(released, "PUT", f"formgrader/api/assignment/{ASSIGNMENT}",
                 json={"duedate_notimezone": "2030-01-02T03:04:00", "duedate_timezone": "+0100"})
    assert r.status_code == 200 and r.json()["duedate"], r.text
    try:
        with chromium_page(screenshots=tmp_path, timeout_ms=TIMEOUT * 1000,
                           timezone_id="Europe/Berlin", locale="en-GB") as page:
            page.goto(f"{hub.url}hub/login")
            page.fill("input[name=username]", student)
            page.fill("input[name=password]", password)
            page.click("#login_submit")
            page.wait_for_url(f"**/user/{student}/lab**")
            page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
            page.locator(".lm-Menu-item", has_text="Assignment List").click()
            released_list = page.locator("#released_assignments_list")
            released_list.get_by_text(ASSIGNMENT).wait_for()
            due = released_list.locator(".dp-due-date")
            due.wait_for()
            assert re.fullmatch(r"due Wed,? 2 Jan 2030,? 03:04", due.inner_text()), \
                due.inner_text()
            # an extension for this student (and the due date the class's grading applies)
            deadlines.write_text("assignment,student,due,note\n"
                                 f"{ASSIGNMENT},,2030-01-02T03:04:00+01:00,\n"
                                 f"{ASSIGNMENT},{student},2030-01-09T03:04:00+01:00,illness\n")
            released_list.get_by_role("button", name="Fetch").click()
            fetched = page.locator("#fetched_assignments_list")
            extended = fetched.locator(".dp-due-date")
            extended.wait_for()  # the list is drawn again after the fetch, asked again
            assert re.fullmatch(r"due Wed,? 2 Jan 2030,? 03:04 \(your extension: "
                                r"Wed,? 9 Jan 2030,? 03:04\)", extended.inner_text()), \
                extended.inner_text()
            fetched.get_by_role("button", name=ASSIGNMENT).click()  # unfolds its notebooks
            fetched.get_by_role("link", name=NOTEBOOK, exact=True).click()
            tab = page.locator(f".lm-TabBar-tab[title*='{NOTEBOOK}.ipynb']")
            tab.wait_for()
            page.locator(".jp-Notebook .jp-Cell").first.wait_for()
            # Opened unchanged, it is not "modified" once its kernel runs (JupyterLab writes
            # the kernel's language_info into the notebook; the hub's release carries it).
            page.wait_for_function("() => document.body.innerText.includes('Idle')")
            page.wait_for_timeout(2000)
            assert "jp-mod-dirty" not in (tab.get_attribute("class") or ""), \
                "opened as modified"
            assert not page.console_errors, page.console_errors
    finally:
        deadlines.unlink(missing_ok=True)
        r = hub.call(released, "PUT", f"formgrader/api/assignment/{ASSIGNMENT}", json={})
        assert r.status_code == 200 and r.json()["duedate"] is None, r.text
    assert (
        Path(hub.info["course"]).parent / "home" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    ).is_file()


def one_wrong_answer(released, source):
    """The released notebook answered correctly but for the first answer cell, which has
    its first listed mistake (tests/mistakes): some test cells pass, some do not."""
    nb = b.perfect(released, source)
    for cell in nb.cells:
        mistakes = sorted((b.MISTAKES / ASSIGNMENT).glob(f"{b.grade_id(cell)}__*.py")) \
            if b.is_answer(cell) else []
        if mistakes:
            cell.source = mistakes[0].read_text()
            return nb
    raise AssertionError("no answer cell with a listed mistake")


def report_rows(text: str) -> dict[str, tuple[float, float]]:
    """grade_id -> (points, maximum) from the table of a submit-time report."""
    rows = re.findall(r"^\| (\S+) \| ([\d.]+) / ([\d.]+) \|", text, re.M)
    return {gid: (float(got), float(most)) for gid, got, most in rows}


@needs_hub
def test_feedback_at_submit_time_its_limit_and_the_deadlines_the_hub_keeps(hub, released):
    """A student's submit is answered by the submit-time report (their autograded score,
    each test cell, hidden checks as counts), graded in the service's scratch course:
    the instructors' gradebook and folders are untouched, and the instructors' own grading
    of the same submission later gives each cell the same points (the oracle). The 4th
    request in an hour is refused, saying when the next is allowed; a student cannot ask
    for anyone else's or any path. Then deadlines: the last submission, made after the due
    date with a forged early ``timestamp.txt`` (and mtimes), is recorded late and named
    LATE in the summary table; an extension in ``deadlines.csv`` makes it on time."""
    instructor, student = released, hub.info["students"][3]
    base = Path(hub.info["course"]).parent
    course, exchange = base / "course", base / "exchange" / COURSE_ID
    home = base / "home" / student
    report = home / "submit-feedback" / f"{ASSIGNMENT}.md"
    deadlines = course / "deadlines.csv"
    release_nb = nbformat.read(course / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb",
                               as_version=4)
    source_nb = nbformat.read(b.REPO / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb",
                              as_version=4)
    form = {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT}

    def submit():
        r = hub.call(student, "POST", "assignments/submit", data=form)
        assert r.json()["success"], r.text

    def wait_for_report(since: float) -> str:
        while time.monotonic() < since + TIMEOUT:
            if report.exists() and "Autograded score" in report.read_text():
                return report.read_text()
            time.sleep(0.5)
        raise AssertionError(f"no report after {TIMEOUT} s: "
                             f"{report.read_text() if report.exists() else 'no file'}")

    model = requests.get(f"{hub.url}hub/api/users/{student}", headers=hub.admin,
                         timeout=30).json()
    if not model.get("servers", {}).get("", {}).get("ready"):  # the browser test's, if run
        hub.start_servers([student])
    if not (home / ASSIGNMENT).is_dir():  # the browser test fetched it, unless deselected
        assert hub.call(student, "POST", "assignments/fetch", data=form).json()["success"]
    r = hub.call(student, "PUT", f"api/contents/{ASSIGNMENT}/{NOTEBOOK}.ipynb",
                 json={"type": "notebook", "format": "json",
                       "content": one_wrong_answer(release_nb, source_nb)})
    assert r.status_code == 200, r.text
    gradebook = (course / "gradebook.db").read_bytes()
    try:
        # 1. Submitted: the report, within the time stated, in the student's home, theirs.
        t0 = time.monotonic()
        submit()
        text = wait_for_report(t0)
        seconds = time.monotonic() - t0
        print(f"submit-time report after {seconds:.0f} s")
        assert report.stat().st_uid == pwd.getpwnam(student).pw_uid
        cells = report_rows(text)
        assert cells and {p == m for p, m in cells.values()} == {True, False}, text
        assert re.search(r"not passed; \d+ of \d+ hidden checks passed", text), text
        # hidden checks as counts only: no check's name, nothing of the judge's words
        ref = json.loads((course / "autograded" / ".reference" / ASSIGNMENT
                          / f"{NOTEBOOK}.json").read_text())["cells"]
        names = {r["name"] for records in ref.values() for r in records if len(r["name"]) > 6}
        assert names and not [n for n in names if n in text], text
        assert "differs" not in text and "not reached" not in text, text
        # graded elsewhere: the instructors' gradebook and folders are untouched
        assert (course / "gradebook.db").read_bytes() == gradebook
        assert not any((course / d / student).exists()
                       for d in ("submitted", "autograded", "feedback"))

        # 2. Only their own, only an assignment name; the instructors' scope is not theirs.
        for body in ({"assignment": ASSIGNMENT, "student": hub.info["students"][0]},
                     {"assignment": "../../../etc"}, {"assignment": f"{ASSIGNMENT}+x"}, []):
            r = hub.grading_service(student, "POST", "feedback", json=body)
            assert r.status_code == 400, (body, r.text)
        r = hub.grading_service(student, "POST", "feedback",
                                json={"assignment": "02_matrix_autodiff"})
        assert r.status_code == 404 and "submit first" in r.text, r.text
        assert hub.grading_service(instructor, "POST", "feedback",
                                   json={"assignment": ASSIGNMENT}).status_code == 403
        assert hub.grading_service(student, "GET", "jobs").status_code == 403

        # 3. Two more submits are answered; the 4th in the hour is refused, with the reason.
        submit()
        submit()
        submit()
        note = report.read_text().split("\n\n", 1)[0]
        assert "no feedback this time" in note and "next is allowed at" in note, note
        r = hub.grading_service(student, "POST", "feedback", json={"assignment": ASSIGNMENT})
        assert r.status_code == 429 and "3 times in the last hour" in r.text, r.text

        # 4. Deadlines: the last submission, forged to look early, arrived after the due date.
        latest = max((exchange / "inbound").glob(f"{student}+{ASSIGNMENT}+*"),
                     key=lambda p: p.stat().st_ctime)
        forged = "2020-01-01 00:00:00.000000 UTC"
        attack = hub.as_user(student, "sh", "-c",
                             f"echo '{forged}' > timestamp.txt && touch -d 2020-01-01 * .",
                             cwd=str(latest))
        assert attack.returncode == 0, attack.stderr  # the student can write it: it is theirs
        due = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=30)
        deadlines.write_text(f"assignment,student,due,note\n{ASSIGNMENT},,{due.isoformat()},\n")
        shutil.chown(deadlines, instructor, hub.info["instructors_group"])
        term = hub.terminal(instructor)
        status, out = term.run(f"python -m tools.collect {ASSIGNMENT}")
        assert status == 0, out
        collected = course / "submitted" / student / ASSIGNMENT
        assert forged in (collected / "timestamp.student.txt").read_text()
        arrived = datetime.datetime.strptime((collected / "timestamp.txt").read_text().strip(),
                                             "%Y-%m-%d %H:%M:%S.%f %Z")
        assert arrived.replace(tzinfo=datetime.UTC) > due
        status, out = term.run(f"python -m tools.grading {ASSIGNMENT} --student {student}")
        assert status == 0, out[-3000:]
        [row] = [ln for ln in out.splitlines() if ln.startswith(student)]
        assert "LATE by 0 h" in row, out[-3000:]
        # the oracle: the class's grading gives each test cell what the report said
        graded = b.gradebook_scores(course, ASSIGNMENT)[student]
        assert cells == {gid: graded[gid] for gid in cells}, (cells, graded)

        # 5. An extension in the one file makes it on time.
        extended = due + datetime.timedelta(days=1)
        with deadlines.open("a") as fh:
            fh.write(f"{ASSIGNMENT},{student},{extended.isoformat()},illness\n")
        status, out = term.run(f"python -m tools.grading {ASSIGNMENT} --student {student} "
                               "--force")
        assert status == 0, out[-3000:]
        [row] = [ln for ln in out.splitlines() if ln.startswith(student)]
        assert "on time with an extension" in row and "LATE" not in row, out[-3000:]
        term.close()
    finally:
        deadlines.unlink(missing_ok=True)


@pytest.mark.parametrize(
    "system, euid, words", [("Darwin", 0, "needs Linux"), ("Linux", 1000, "run it as root")]
)
def test_hub_up_and_down_refuse_where_they_cannot_work(monkeypatch, system, euid, words):
    monkeypatch.setattr(hubtool.platform, "system", lambda: system)
    monkeypatch.setattr(hubtool.os, "geteuid", lambda: euid)
    made = []
    monkeypatch.setattr(hubtool, "run", lambda *cmd, **kw: made.append(cmd))
    for action in (lambda: hubtool.up("dphnever"), lambda: hubtool.down("dphnever")):
        with pytest.raises(SystemExit, match=words):
            action()
    assert made == [] and not Path("/srv/dphnever").exists()
