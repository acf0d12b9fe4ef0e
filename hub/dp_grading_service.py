"""The course hub's grading service: instructors ask, root grades (tools/README.md).

A JupyterHub managed service (``hub/jupyterhub_config.py`` starts it with the hub, as
the hub's user, root, which the grading sandbox needs to give each notebook a uid of
its own). It listens on 127.0.0.1 and is reached through the hub's proxy at
``/services/grading/``. Every request needs a JupyterHub token carrying the custom
scope ``custom:grading``; only the instructors' role holds it, and a token never
carries more than its owner holds, so a student's token (or their server's) is
refused with 403.

    POST /services/grading/jobs      {"assignment": "01_x", "students": ["s1"],
                                      "force": false, "jobs": 2}      -> 202, a job
    GET  /services/grading/jobs/<id> the job: state (queued, running, done, failed),
                                     its output so far, the exit status
    GET  /services/grading/jobs      every job of this run of the service, newest last

    POST /services/grading/feedback  {"assignment": "01_x"}  -> 202 (a student's submit
                                     asks: feedback at submit time), 429 over the limit
    GET  /services/grading/deadlines {"course_id": ..., "deadlines": {"01_x": {"due": ISO,
                                     "extended": ISO or null}}}: the token's owner's own
                                     due dates (their server's Assignments list asks;
                                     hub/dp_hub_exchange.py)

The last two are the endpoints for students: they need the custom scope
``custom:submit-feedback`` (the students' role and their servers' tokens hold it, not
``custom:grading``), and grades only the latest submission of the token's owner, read
from the exchange's ``inbound/``, in a scratch course of the service's own; the report
goes to the student's home (``tools/grading/submit_feedback.py`` has the rules, the
limit and what is shown).

What it runs is fixed: ``python -m tools.grading <assignment> [--student S ...]
[--force] [--jobs N] --course-dir <course root>``. The assignment must be known to the
gradebook (the formgrader's release or a sync puts it there) and have a ``source/``
folder; each student must be in the gradebook or have ``submitted/<student>/<assignment>/``;
``force`` is a boolean and ``jobs`` a whole number from 1 to this machine's cores. Any
other key, type or value is refused (400): nothing an instructor typed reaches a
command line as anything but one of these checked values.

The code and configuration it runs are root's: ``tools/`` and ``nbgrader_config.py``
come from ``<base>/grader`` (copied by ``tools/hub.py``, root-owned), never from the
course root, which every instructor can write. Jobs run one at a time, in the order
asked, the instructors' before any student's feedback (``--jobs`` parallelises inside
a job). Afterwards ``tools.grading`` gives what
it wrote back to the course root's owner and the instructors' group, group-writable;
each job's output is also kept in ``autograded/grading-service/<id>.log``, a new
file created without following symbolic links (instructors can write ``autograded/``).
"""

from __future__ import annotations

import asyncio
import datetime
import grp
import json
import os
import pwd
import re
import sqlite3
import sys
from pathlib import Path

from jupyterhub.services.auth import HubAuth
from tornado import ioloop, web

SCOPE = "custom:grading"
FEEDBACK_SCOPE = "custom:submit-feedback"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}")
KEYS = {"assignment", "students", "force", "jobs"}
MAX_OUTPUT = 200_000  # characters of output kept per job (the log file has it all)


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class Course:
    def __init__(self, settings: dict):
        self.root = Path(settings["course"])
        self.grader = Path(settings["grader"])
        self.env_bin = Path(settings["env"]) / "bin"
        self.config = Path(settings["config"]) / "instructors"
        self.group = settings["instructors_group"]
        self.inbound = Path(settings["exchange"]) / "inbound"
        self.course_id = Path(settings["exchange"]).name  # <exchange root>/<course id>
        # feedback at submit time: root's scratch course, never the course root
        self.scratch = Path(settings["state"]) / "submit-feedback"

    def _gradebook(self, query: str) -> set[str]:
        db = self.root / "gradebook.db"
        # an instructor could make it a link to a database only root may read
        if db.is_symlink() or not db.is_file():
            return set()
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as con:
            return {row[0] for row in con.execute(query)}

    def assignments(self) -> set[str]:
        """Assignments in the gradebook or released (``release/<A>``), with a ``source/``."""
        names = self._gradebook("SELECT name FROM assignment")
        release = self.root / "release"
        if release.is_dir():
            names |= {p.name for p in release.iterdir() if p.is_dir()}
        return {a for a in names if NAME.fullmatch(a) and (self.root / "source" / a).is_dir()}

    def students(self, assignment: str) -> set[str]:
        known = self._gradebook("SELECT id FROM student")
        submitted = self.root / "submitted"
        if submitted.is_dir():
            known |= {p.name for p in submitted.iterdir() if (p / assignment).is_dir()}
        return {s for s in known if NAME.fullmatch(s)}

    def check(self, request: dict) -> dict:
        """The request as checked values, or ValueError saying what is wrong."""
        if not isinstance(request, dict) or not set(request) <= KEYS:
            raise ValueError(f"a JSON object with keys from {sorted(KEYS)}")
        assignment = request.get("assignment")
        if not isinstance(assignment, str) or assignment not in self.assignments():
            raise ValueError(f"assignment must be one the gradebook knows: "
                             f"{sorted(self.assignments())}")
        students = request.get("students", [])
        if not isinstance(students, list) or not all(isinstance(s, str) for s in students):
            raise ValueError("students must be a list of student ids")
        known = self.students(assignment)
        unknown = sorted(set(students) - known)
        if unknown:
            raise ValueError(f"unknown student(s) for {assignment}: {unknown}")
        force = request.get("force", False)
        if not isinstance(force, bool):
            raise ValueError("force must be true or false")
        jobs = request.get("jobs", 1)
        if type(jobs) is not int or not 1 <= jobs <= cores():
            raise ValueError(f"jobs must be a whole number from 1 to {cores()}")
        return {"assignment": assignment, "students": sorted(set(students)), "force": force,
                "jobs": jobs}

    def feedback_settings(self):
        """``SubmitFeedback`` as root's copy of ``nbgrader_config.py`` sets it (read again
        when the file changed: a new limit needs no restart)."""
        from traitlets.config.loader import PyFileConfigLoader

        from tools.grading.submit_feedback import SubmitFeedback

        mtime = (self.grader / "nbgrader_config.py").stat().st_mtime_ns
        if getattr(self, "_settings", (None,))[0] != mtime:
            config = PyFileConfigLoader("nbgrader_config.py",
                                        path=str(self.grader)).load_config()
            self._settings = (mtime, SubmitFeedback(config=config))
        return self._settings[1]

    def command(self, job: dict) -> list[str]:
        root = self.scratch if job.get("kind") == "feedback" else self.root
        cmd = [str(self.env_bin / "python"), "-m", "tools.grading", job["assignment"],
               "--jobs", str(job["jobs"]), "--course-dir", str(root)]
        if job["force"]:
            cmd.append("--force")
        for student in job["students"]:
            cmd += ["--student", student]
        return cmd

    def environment(self) -> dict[str, str]:
        return {
            "PATH": os.pathsep.join([str(self.env_bin), "/usr/bin", "/bin"]),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            # root's copy of the course's nbgrader config, not the course root's
            "JUPYTER_CONFIG_PATH": os.pathsep.join([str(self.grader), str(self.config)]),
            "DP_TRUSTED_NBGRADER_CONFIG": str(self.grader),
        }

    def open_log(self, name: str):
        """``autograded/grading-service/<name>`` (folders made when missing), a new file
        for writing, the instructors' (owner and group of the course root, 0660).

        ``autograded/`` is the instructors' to write and this process is root, so nothing
        here follows a symbolic link: each folder is opened with O_NOFOLLOW relative to
        the one above it, and the file must not exist yet (O_EXCL).
        """
        owner, group = self.root.stat().st_uid, grp.getgrnam(self.group).gr_gid
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for folder in ("autograded", "grading-service"):
                try:
                    os.mkdir(folder, 0o2770, dir_fd=fd)
                    made = True
                except FileExistsError:
                    made = False
                sub = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = sub
                if made:
                    os.fchown(fd, owner, group)
                    os.fchmod(fd, 0o2770)
            log = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o660,
                          dir_fd=fd)
        finally:
            os.close(fd)
        os.fchown(log, owner, group)
        os.fchmod(log, 0o660)
        return os.fdopen(log, "w")


class Jobs:
    def __init__(self, course: Course):
        # (priority, number, id): the instructors' jobs before students' feedback, each
        # kind in the order asked (a rush of submits never holds up the class's grading)
        self.course, self.jobs, self.queue = course, {}, asyncio.PriorityQueue()

    def add(self, user: str, checked: dict, kind: str = "grading") -> dict:
        job_id = f"{datetime.datetime.now():%Y%m%d-%H%M%S}-{len(self.jobs) + 1}"
        job = dict(checked, id=job_id, user=user, state="queued", output="", returncode=None,
                   asked=now(), started=None, finished=None, kind=kind)
        self.jobs[job_id] = job
        self.queue.put_nowait((1 if kind == "feedback" else 0, len(self.jobs), job_id))
        return job

    async def run_forever(self) -> None:
        while True:
            job = self.jobs[(await self.queue.get())[2]]
            try:
                await self.run(job)
            except Exception as exc:  # noqa: BLE001 -- the service goes on
                job.update(state="failed", output=job["output"] + f"\nservice error: {exc!r}\n")
                if job["kind"] == "feedback":  # else their report says "being graded" forever
                    await self.tell_student(job, "the automatic check failed on the grader's "
                                                 "side; your submission is safe and will be "
                                                 "graded with the class")
            job["finished"] = now()

    async def tell_student(self, job: dict, text: str) -> None:
        """A notice in the student's report of ``job`` (best effort: the job has failed)."""
        from tools.grading import submit_feedback as sf

        student, assignment = job["students"][0], job["assignment"]
        try:
            home = Path(pwd.getpwnam(student).pw_dir)
            await asyncio.to_thread(sf.write_report, home, assignment, sf.notice(assignment, text),
                                    student, str(self.course.env_bin / "python"))
        except Exception as exc:  # noqa: BLE001 -- nothing more to tell anyone
            job["output"] += f"\nthe student's report could not be written: {exc!r}\n"

    def queued_feedback(self, student: str, assignment: str) -> dict | None:
        """A feedback job for the same submission not started yet (it will grade the
        latest submission anyway: a second one would grade the same files again)."""
        for job in self.jobs.values():
            if (job["kind"] == "feedback" and job["state"] == "queued"
                    and job["students"] == [student] and job["assignment"] == assignment):
                return job
        return None

    async def run(self, job: dict) -> None:
        c = self.course
        job.update(state="running", started=now())
        if job["kind"] == "feedback":
            await self.run_feedback(job)
            return
        with c.open_log(f"{job['id']}.log") as fh:
            fh.write(f"asked by {job['user']} at {job['asked']}: {json.dumps(c.command(job))}\n")
            proc = await asyncio.create_subprocess_exec(
                *c.command(job), cwd=c.grader, env=c.environment(),
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT)
            async for line in proc.stdout:
                text = line.decode(errors="replace")
                fh.write(text)
                fh.flush()
                if len(job["output"]) < MAX_OUTPUT:
                    job["output"] += text
        job["returncode"] = await proc.wait()
        job["state"] = "done" if job["returncode"] == 0 else "failed"

    async def run_feedback(self, job: dict) -> None:
        """Grade one student's latest submission in the scratch course, then write their
        report into their home as them (tools/grading/submit_feedback.py)."""
        from tools.grading import submit_feedback as sf
        from tools.grading import deadlines
        from tools.grading.deadlines import arrival_time

        c, student, assignment = self.course, job["students"][0], job["assignment"]
        home = Path(pwd.getpwnam(student).pw_dir)
        python = str(c.env_bin / "python")
        submission = sf.latest_submission(c.inbound, student, assignment,
                                          pwd.getpwnam(student).pw_uid)
        if submission is None:  # removed since it was asked for
            job.update(state="failed", output="no submission in the exchange\n")
            await self.tell_student(job, "your submission was no longer in the exchange: "
                                         "submit again for feedback")
            return
        arrived = arrival_time(submission)
        sf.prepare_scratch(c.scratch, c.root, c.grader, submission, student, assignment)
        logs = c.scratch / "logs"
        logs.mkdir(mode=0o700, exist_ok=True)
        with open(logs / f"{job['id']}.log", "w") as fh:
            fh.write(f"feedback for {student} on {assignment}, submitted {arrived}\n")
            proc = await asyncio.create_subprocess_exec(
                *c.command(job), cwd=c.grader, env=c.environment(),
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT)
            async for line in proc.stdout:
                text = line.decode(errors="replace")
                fh.write(text)
                if len(job["output"]) < MAX_OUTPUT:
                    job["output"] += text
        job["returncode"] = await proc.wait()
        settings = c.feedback_settings()
        try:  # the due date the student sees is the class's (with their extension)
            due = deadlines.read(c.root).for_student(assignment, student)
        except Exception:  # noqa: BLE001 -- a broken deadlines.csv: the class's grading says so
            due = None
        if job["returncode"] == 0:
            text = sf.as_markdown(sf.report(c.scratch, student, assignment), settings, arrived,
                                  due)
        else:  # the class's grading names the reason; the student gets the gist
            text = sf.notice(assignment, "your submission could not be graded automatically "
                                         "(the instructors will see it when they grade)")
        await asyncio.to_thread(sf.write_report, home, assignment, text, student, python)
        job["state"] = "done" if job["returncode"] == 0 else "failed"


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


class Handler(web.RequestHandler):
    scope = SCOPE

    def initialize(self, hub_auth: HubAuth, jobs: Jobs):
        self.hub_auth, self.jobs = hub_auth, jobs

    def prepare(self):
        model = self.hub_auth.get_user(self)
        if not model:
            raise web.HTTPError(403, f"a JupyterHub token with the scope {self.scope} is needed")
        if not self.hub_auth.check_scopes({self.scope}, model):
            raise web.HTTPError(403, f"{model.get('name')} may not ask for this ({self.scope})")
        self.user = model["name"]

    def write_error(self, status_code, **kwargs):
        reason = self._reason
        exc = kwargs.get("exc_info", (None, None))[1]
        if isinstance(exc, web.HTTPError) and exc.log_message:
            reason = exc.log_message
        self.finish({"error": reason})


class JobsHandler(Handler):
    def get(self):
        self.finish({"jobs": [{k: v for k, v in j.items() if k != "output"}
                              for j in self.jobs.jobs.values()]})

    def post(self):
        try:
            request = json.loads(self.request.body or b"{}")
            checked = self.jobs.course.check(request)
        except (ValueError, json.JSONDecodeError) as exc:
            raise web.HTTPError(400, str(exc)) from exc
        job = self.jobs.add(self.user, checked)
        self.set_status(202)
        self.finish(job)


class JobHandler(Handler):
    def get(self, job_id):
        if job_id not in self.jobs.jobs:
            raise web.HTTPError(404, "no such job")
        self.finish(self.jobs.jobs[job_id])


class FeedbackHandler(Handler):
    """A student asks for feedback on their own latest submission."""

    scope = FEEDBACK_SCOPE

    def post(self):
        from tools.grading import submit_feedback as sf

        course = self.jobs.course
        try:
            try:
                body = json.loads(self.request.body or b"{}")
            except json.JSONDecodeError as exc:
                raise sf.Refused(f"not JSON: {exc}") from exc
            assignment = sf.check_request(body, self.user, course.assignments())
            settings = course.feedback_settings()
            if not settings.enabled:
                raise sf.Refused("feedback at submit time is off in this course", 403)
            try:
                uid = pwd.getpwnam(self.user).pw_uid
            except KeyError as exc:
                raise sf.Refused(f"{self.user} has no account on this machine", 403) from exc
            if sf.latest_submission(course.inbound, self.user, assignment, uid) is None:
                raise sf.Refused(f"no submission of {assignment} by {self.user} in the "
                                 "exchange: submit first", 404)
            course.scratch.mkdir(mode=0o700, exist_ok=True)
            sf.RateLimit(course.scratch / "requests.json", settings.max_per_hour).take(
                self.user, assignment)
        except sf.Refused as exc:
            raise web.HTTPError(exc.status, str(exc)) from exc
        job = self.jobs.queued_feedback(self.user, assignment) or self.jobs.add(
            self.user, {"assignment": assignment, "students": [self.user], "force": True,
                        "jobs": 1}, kind="feedback")
        self.set_status(202)
        self.finish({"id": job["id"], "state": job["state"], "assignment": assignment,
                     "report": f"~/{sf.REPORTS}/{assignment}.md"})


class DeadlinesHandler(Handler):
    """A student's own due dates: each assignment's, and their own extension, never a
    classmate's (``tools.grading.deadlines.student_view``)."""

    scope = FEEDBACK_SCOPE

    def get(self):
        from tools.errors import ToolError
        from tools.grading import deadlines

        try:
            view = deadlines.student_view(self.jobs.course.root, self.user)
        except (ToolError, OSError, sqlite3.Error, ValueError) as exc:
            # the instructors' file is broken: they read why in the log, not the students
            print(f"{now()} deadlines for {self.user}: {exc}", file=sys.stderr, flush=True)
            raise web.HTTPError(503, "the course's due dates cannot be read just now") from exc
        self.finish({"course_id": self.jobs.course.course_id, "deadlines": view})


def main() -> None:
    settings = json.loads(Path(os.environ["DP_HUB_SETTINGS"]).read_text())
    # root's copy of tools/ (tools/hub.py): the feedback rules and report
    sys.path.insert(0, settings["grader"])
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/grading/")
    hub_auth = HubAuth(cache_max_age=60)
    jobs = Jobs(Course(settings))
    args = {"hub_auth": hub_auth, "jobs": jobs}
    app = web.Application([
        (prefix.rstrip("/") + r"/jobs/?", JobsHandler, args),
        (prefix.rstrip("/") + r"/jobs/([0-9-]+)", JobHandler, args),
        (prefix.rstrip("/") + r"/feedback/?", FeedbackHandler, args),
        (prefix.rstrip("/") + r"/deadlines/?", DeadlinesHandler, args),
    ])
    url = os.environ.get("JUPYTERHUB_SERVICE_URL", f"http://127.0.0.1:{settings['grading_port']}")
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    app.listen(port, address="127.0.0.1")
    loop = ioloop.IOLoop.current()
    loop.spawn_callback(jobs.run_forever)
    loop.start()


if __name__ == "__main__":
    main()
