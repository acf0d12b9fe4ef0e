"""nbgrader's filesystem exchange, with submissions readable by the instructors only.

Installed into the hub's course environment (``tools/hub.py`` copies this file into
its site-packages) and chosen by ``c.ExchangeFactory.submit`` in the environment's
``etc/jupyter/nbgrader_config.py``.

Plain nbgrader 0.9.6 leaves every submission world-readable (files 0644, folder
0777) and hides it only behind an unguessable folder name in an unlistable
``inbound/`` (0733). Anyone who learns the name (a shared screen, a log line, a
``ps`` listing) can read or overwrite a classmate's work. ``inbound/`` is setgid and
owned by the instructors' group, so every submission already belongs to that group;
here the submitting student then closes it to everyone else: folders 0770, files
0640. Instructors (the group) collect them as before; other students are refused by
the file system even with the exact path (``tests/test_hub.py`` tries).

For the milliseconds between nbgrader's copy and its permission step the files
carry the student's umask; the folder's name is still secret then.

Once the submission is in ``inbound/``, the submit asks the hub's grading service for
feedback on it (``POST $DP_GRADING_URL/feedback`` with the server's own token, which
carries ``custom:submit-feedback``; tools/grading/submit_feedback.py). The answer goes
into ``~/submit-feedback/<assignment>.md``: "being graded" at once, the report about
half a minute later (written by the service), or why feedback was refused (the limit
per hour: when the next is allowed). The submission itself never depends on it.

Listing assignments (the Assignments tab) asks the same service for the student's own
due dates (``GET $DP_GRADING_URL/deadlines``): each record of the list gets ``due_date``
and, with an extension in ``deadlines.csv``, ``extended_due_date`` (ISO 8601, UTC), which
the course's JupyterLab extension shows in each row (labextension/). Students cannot read
the gradebook or ``deadlines.csv`` themselves; the service (root) reads them and answers
each student with their own dates only.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import urllib.error
import urllib.request

from nbgrader.exchange.default.list import ExchangeList as _NbgraderList
from nbgrader.exchange.default.release_assignment import (
    ExchangeReleaseAssignment as _NbgraderRelease,
)
from nbgrader.exchange.default.submit import ExchangeSubmit as _NbgraderSubmit
from nbgrader.utils import ignore_patterns

DIR_MODE = 0o770
FILE_MODE = 0o640


class ExchangeSubmit(_NbgraderSubmit):
    """nbgrader's submit, then the submission closed to everyone outside the instructors' group."""

    def do_copy(self, src, dest, log=None):
        """nbgrader's copy (same size limit and file filters) without copying the
        student's folder permissions: ``shutil.copytree`` would, and that clears the
        setgid bit that gives every file in the submission the instructors' group
        (a student cannot set it back), so ``timestamp.txt`` and
        ``submission_secret.txt``, written after the copy, would be unreadable to the
        instructors."""
        size = self.get_size(src)
        if size > 1000 * self.coursedir.max_dir_size:
            self.log.error("Directory size is too big")
            raise RuntimeError(
                f"Directory size is too big. Size is {size}, "
                f"maximum size is {1000 * self.coursedir.max_dir_size}"
            )
        ignore = ignore_patterns(
            exclude=self.coursedir.ignore,
            include=self.coursedir.include,
            max_file_size=self.coursedir.max_file_size,
            log=self.log,
        )
        _copy_contents(src, dest, ignore)

    def set_perms(self, dest, fileperms, dirperms):
        # nbgrader asks for world-readable files and folders; drop every "other" bit.
        no_other = ~(stat.S_IRWXO)
        super().set_perms(dest, fileperms=fileperms & no_other, dirperms=dirperms & no_other)

    def copy_files(self):
        super().copy_files()
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        # nbgrader makes the top folder 0777 "so the instructor can delete later";
        # group write gives the instructors the same.
        os.chmod(dest, DIR_MODE)
        for folder, dirs, files in os.walk(dest):
            for name in dirs:
                os.chmod(os.path.join(folder, name), DIR_MODE)
            for name in files:
                os.chmod(os.path.join(folder, name), FILE_MODE)
        ask_for_feedback(self.coursedir.assignment_id, self.log)


# ~/submit-feedback/<assignment>.md: the service writes the report there (as the student;
# tools/grading/submit_feedback.py). This module runs in the students' servers, whose
# environment has no tools/ (the course's grading code stays with the instructors and
# root), so the name and the note's form ("> **<A>: ...**") are repeated here.
REPORTS = "submit-feedback"


def ask_for_feedback(assignment: str, log) -> str | None:
    """Ask the grading service to grade the submission just made; note the answer in
    the report file. Returns the note, None off the hub. Never raises: the submission
    is made whatever the service says."""
    url, token = os.environ.get("DP_GRADING_URL"), os.environ.get("JUPYTERHUB_API_TOKEN")
    if not url or not token:
        return None
    request = urllib.request.Request(
        url.rstrip("/") + "/feedback", method="POST",
        data=json.dumps({"assignment": assignment}).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30):
            note = ("being graded; this file shows your autograded score in about a minute "
                    "(reopen it)")
    except urllib.error.HTTPError as error:
        try:
            note = json.loads(error.read()).get("error", error.reason)
        except ValueError:
            note = str(error.reason)
        note = f"no feedback this time: {note}"
    except OSError as error:
        note = f"no feedback this time: the grading service did not answer ({error})"
    log.info("feedback at submit time: %s", note)
    try:
        folder = os.path.join(os.path.expanduser("~"), REPORTS)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{os.path.basename(assignment)}.md")
        try:
            with open(path, encoding="utf-8") as fh:
                previous = fh.read()
        except OSError:
            previous = ""
        if previous.startswith("> **"):  # an earlier note: replaced, the report kept
            previous = previous.split("\n\n", 1)[1] if "\n\n" in previous else ""
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(f"> **{assignment}: {note}**\n\n{previous}")
        os.replace(tmp, path)
    except OSError as error:
        log.warning("could not write the feedback note: %s", error)
    return note


class ExchangeList(_NbgraderList):
    """nbgrader's list, each assignment with its due date (and the student's own
    extended date) as the grading service reports them; without an answer (off the hub,
    the service down) the list is nbgrader's, unchanged."""

    def parse_assignments(self):
        records = super().parse_assignments()
        dates = own_deadlines(self.log)
        if dates:
            add_due_dates(records, dates)
        return records


def own_deadlines(log, timeout: float = 5) -> dict | None:
    """The grading service's answer to ``GET /deadlines`` for this server's user
    (``{"course_id": ..., "deadlines": {assignment: {"due", "extended"}}}``), or None."""
    url, token = os.environ.get("DP_GRADING_URL"), os.environ.get("JUPYTERHUB_API_TOKEN")
    if not url or not token:
        return None
    request = urllib.request.Request(url.rstrip("/") + "/deadlines",
                                     headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
    except (OSError, ValueError) as error:
        log.warning("no due dates from the grading service: %s", error)
        return None
    return answer if isinstance(answer, dict) else None


def add_due_dates(records: list[dict], answer: dict) -> None:
    """Give each of nbgrader's list records of the service's course its ``due_date`` and
    ``extended_due_date`` (None when there is none)."""
    dates = answer.get("deadlines") or {}
    for record in records:
        if record.get("course_id") != answer.get("course_id"):
            continue
        own = dates.get(record.get("assignment_id")) or {}
        record["due_date"], record["extended_due_date"] = own.get("due"), own.get("extended")


def _copy_contents(src: str, dest: str, ignore) -> None:
    """Copy the tree ``src`` to the new folder ``dest``: contents only, no modes, so new
    folders and files take the group of a setgid parent."""
    os.mkdir(dest)
    names = os.listdir(src)
    skipped = ignore(src, names)
    for name in names:
        if name in skipped:
            continue
        source, target = os.path.join(src, name), os.path.join(dest, name)
        if os.path.isdir(source):
            _copy_contents(source, target, ignore)
        else:
            shutil.copyfile(source, target)


class ExchangeReleaseAssignment(_NbgraderRelease):
    """nbgrader's release, then each released notebook stamped with the kernel's own
    ``language_info``.

    The course's notebooks record only ``{"name": "python"}`` (their generation must not
    depend on the Python patch version of the machine that made them). JupyterLab writes
    the running kernel's full ``language_info`` into a notebook as soon as the kernel
    starts, and that change marks a freshly fetched, untouched notebook as modified. On
    the hub every kernel is the course environment's ipykernel, so the notebooks handed
    out carry exactly what it will report, and opening one changes nothing.
    """

    def copy_files(self):
        super().copy_files()
        from ipykernel.ipkernel import IPythonKernel

        info = dict(IPythonKernel.language_info)
        for folder, _dirs, files in os.walk(self.dest_path):
            for name in files:
                if name.endswith(".ipynb"):
                    _stamp_language_info(os.path.join(folder, name), info)


def _stamp_language_info(path: str, info: dict) -> None:
    import json

    with open(path, encoding="utf-8") as fh:
        nb = json.load(fh)
    if nb.get("metadata", {}).get("language_info", {}).get("name") not in (None, "python"):
        return
    nb.setdefault("metadata", {})["language_info"] = info
    mode = stat.S_IMODE(os.stat(path).st_mode)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(nb, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    os.chmod(tmp, mode)
    os.replace(tmp, path)
