"""A whole class on the course's JupyterHub, end to end, on 127.0.0.1 only.

One hub (``tools.hub up``: real Unix users and groups, PAM, LocalProcessSpawner,
configurable-http-proxy, nbgrader's filesystem exchange) serves one module; it is
taken down at the end, also on failure, and the module checks nothing is left. The
flow: the instructor releases ``01_scalar_autodiff`` through the formgrader's REST
API; three students, each through their own server's REST API with their own
JupyterHub token, list, fetch, write (perfect / untouched / wrong answers) and
submit; students attack the exchange, the course root and each other's homes, and
the file system refuses; the instructor collects and grades with the course's own
tools (``--jobs 2``) and releases feedback; each student fetches their own feedback
only; the scores equal the same notebooks graded alone. A fourth student does the
same in a real browser (Debian's Chromium).

Needs Linux and root (CI runs as root); the hub's name is random so a crashed
earlier run cannot collide. Cost: the hub and five servers, two gradings of three
students (run concurrently), one browser session; the whole module took 212 s on 2
cores shared with other engineers' test runs (load average 5; 590 s at load 12).
"""

from __future__ import annotations

import copy
import pwd
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
    instructor = released
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

        # The instructor collects and grades with the course's own tools, two at a time.
        py = f"{hub.info['env']}/bin/python"
        collect = hub.as_user(instructor, py, "-m", "tools.collect", ASSIGNMENT, cwd=str(course))
        assert collect.returncode == 0, collect.stdout + collect.stderr
        assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted(students)
        # Grading runs as root: the sandbox gives each notebook a uid of its own, which
        # only root can do (an instructor's own uid would be the student code's).
        # Afterwards the instructor owns what grading wrote, so the formgrader goes on.
        grade = subprocess.run(
            [py, "-m", "tools.grading", ASSIGNMENT, "--jobs", "2"], cwd=str(course),
            env=subprocess_env({"MPLBACKEND": "Agg"}),
            capture_output=True, text=True, timeout=900,
        )
        assert grade.returncode == 0, grade.stdout + grade.stderr
        assert "Sandboxed" in grade.stdout, grade.stdout
        owner = (course / "gradebook.db").stat().st_uid
        assert owner == (course).stat().st_uid != 0, "grading did not hand the gradebook back"
        assert "3 submission(s), 2 at a time" in grade.stderr, grade.stderr
        released_feedback = hub.call(
            instructor, "POST", f"formgrader/api/assignment/{ASSIGNMENT}/release_feedback"
        )
        assert released_feedback.status_code == 200 and released_feedback.json()["success"], (
            released_feedback.text
        )

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
@pytest.mark.needs("chromium")
def test_a_student_fetches_from_the_assignments_tab_in_a_browser(hub, released, tmp_path):
    from browser import chromium_page

    student = hub.info["students"][3]
    password = hub.info["passwords"][student]
    with chromium_page(screenshots=tmp_path, timeout_ms=TIMEOUT * 1000) as page:
        page.goto(f"{hub.url}hub/login")
        page.fill("input[name=username]", student)
        page.fill("input[name=password]", password)
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{student}/lab**")
        page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
        page.locator(".lm-Menu-item", has_text="Assignment List").click()
        released_list = page.locator("#released_assignments_list")
        released_list.get_by_text(ASSIGNMENT).wait_for()
        released_list.get_by_role("button", name="Fetch").click()
        fetched = page.locator("#fetched_assignments_list")
        fetched.get_by_role("button", name=ASSIGNMENT).click()  # unfolds its notebooks
        fetched.get_by_role("link", name=NOTEBOOK, exact=True).click()
        tab = page.locator(f".lm-TabBar-tab[title*='{NOTEBOOK}.ipynb']")
        tab.wait_for()
        page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    assert (
        Path(hub.info["course"]).parent / "home" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    ).is_file()


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
