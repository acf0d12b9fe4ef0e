"""Put students' submissions into ``submitted/<student>/<assignment>/`` for grading.

    python -m tools.collect ASSIGNMENT                  from nbgrader's exchange (nbgrader collect)
    python -m tools.collect ASSIGNMENT --from DIR       from a folder of downloaded files

A folder of downloads may hold, for each student, either
  * a folder ``DIR/<student>/`` with the assignment's notebooks, or
  * files ``DIR/<student>_<anything>.ipynb`` (the student id is everything before
    the first ``_``, so ids must not contain ``_`` in this form).
When the assignment has one notebook, any single ``.ipynb`` of a student is taken
as that notebook (whatever its name); with several, each file name must end with
the notebook's name (``alice_backprop.ipynb`` -> ``backprop.ipynb``).

The file's modification time is recorded as the submission time (``timestamp.txt``,
as ``nbgrader collect`` does), so ``tools.grading`` regrades a resubmission without
``--force``. An existing submission is replaced only by a newer file (or with
``--force``). Files that match no convention are listed and make the exit status 1,
after everything else was collected.

No link is followed, from either source (``tools/grading/intake.py`` has the rules):
only regular files with one link are copied; symbolic and hard links, devices, FIFOs
and sockets are left out, printed, and recorded in the submission
(``.collect-left-out.json``) so that grading names them in the student's status and
in ``autograded/review.csv``. nbgrader's own exchange collect copies with
``shutil.copytree``, which follows links: its copy step is replaced here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from tools.errors import USAGE, ToolError, main_reports_errors
from tools.course import REPO_ROOT, check_assignments, nbgrader_api, prepare_environment

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # what nbgrader writes and reads


def assignment_notebooks(root: Path, assignment: str) -> list[str]:
    return sorted(p.name for p in (root / "source" / assignment).glob("*.ipynb"))


def match_notebook(filename: str, notebooks: list[str], alone: bool) -> str | None:
    """Which of the assignment's ``notebooks`` a downloaded file is, or None."""
    if filename in notebooks:
        return filename
    if len(notebooks) == 1 and alone:
        return notebooks[0]
    endings = [nb for nb in notebooks if filename.endswith(nb)]
    return max(endings, key=len) if endings else None


def _kind(path: Path) -> str:
    """What ``path`` is, by lstat: "file" (regular, one link), "dir", or why it is unsafe."""
    from tools.grading.intake import kind_of

    try:
        return kind_of(path.lstat())
    except OSError as exc:
        return f"unreadable ({exc.strerror})"


def plan(downloads: Path, notebooks: list[str],
         links: dict | None = None) -> tuple[list[tuple[str, str, Path]], list[Path]]:
    """(student, notebook, file) triples to copy, and the files that fit no convention.

    ``links`` (if given) gets, per student, the entries that are not regular files
    (never opened): {student: [(name, why), ...]}; a top-level one is unknown."""
    found, unknown = [], []
    links = {} if links is None else links
    for entry in sorted(downloads.iterdir()):
        if entry.name.startswith("."):
            continue
        kind = _kind(entry)
        if kind not in ("file", "dir"):
            unknown.append(entry)
            continue
        if kind == "dir":
            files = []
            for f in sorted(entry.iterdir()):
                fkind = _kind(f)
                if fkind == "file" and f.suffix == ".ipynb":
                    files.append(f)
                elif fkind not in ("file", "dir"):
                    links.setdefault(entry.name, []).append((f.name, fkind))
            for f in files:
                nb = match_notebook(f.name, notebooks, alone=len(files) == 1)
                (found.append((entry.name, nb, f)) if nb else unknown.append(f))
        elif entry.suffix == ".ipynb" and "_" in entry.stem:
            student, rest = entry.name.split("_", 1)
            same_student = [p for p in downloads.glob(f"{student}_*.ipynb")]
            nb = match_notebook(rest, notebooks, alone=len(same_student) == 1)
            (found.append((student, nb, entry)) if nb and student else unknown.append(entry))
        else:
            unknown.append(entry)
    return found, unknown


def read_timestamp(path: Path) -> dt.datetime | None:
    try:
        stamp = dt.datetime.strptime(path.read_text().strip(), TIMESTAMP_FORMAT)
        return stamp.replace(tzinfo=dt.UTC)
    except (OSError, ValueError):
        return None


def copy_file(path: Path, dest: Path) -> None:
    """Copy the regular single-link file ``path`` without following any link."""
    from tools.grading.intake import open_dir, read_regular

    fd = open_dir(path.parent)
    try:
        dest.write_bytes(read_regular(fd, path.name, 512 * 2**20))
    finally:
        os.close(fd)


def record_left_out(folder: Path, left_out: list[tuple[str, str]]) -> None:
    """What collect did not copy, for grading to name (intake.COLLECT_RECORD)."""
    from tools.grading.intake import COLLECT_RECORD

    record = folder / COLLECT_RECORD
    if record.is_symlink():
        record.unlink()
    if left_out:
        record.write_text(json.dumps(left_out))
    elif record.exists():
        record.unlink()


def collect_folder(root: Path, assignment: str, downloads: Path, force: bool) -> int:
    notebooks = assignment_notebooks(root, assignment)
    links: dict = {}
    found, unknown = plan(downloads, notebooks, links)
    seen = set()
    for student, nb, path in found:
        if (student, nb) in seen:
            unknown.append(path)  # two files for the same notebook: refuse to guess
            continue
        seen.add((student, nb))
        folder = root / "submitted" / student / assignment
        stamp_file = folder / "timestamp.txt"
        submitted_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        previous = read_timestamp(stamp_file)
        if (folder / nb).exists() and not force and previous and previous >= submitted_at:
            print(f"kept     {student}: submitted/{student}/{assignment}/{nb} "
                  f"is as new as {path.name}")
            continue
        folder.mkdir(parents=True, exist_ok=True)
        try:
            copy_file(path, folder / nb)
        except OSError as exc:
            print(f"SKIPPED  {path}: not copied ({exc})")
            continue
        stamp_file.write_text(submitted_at.strftime(TIMESTAMP_FORMAT))
        record_left_out(folder, links.get(student, []))
        print(f"copied   {student}: {path.name} -> submitted/{student}/{assignment}/{nb}")
    for student, items in links.items():
        for name, why in items:
            print(f"LEFT OUT {student}/{name}: a {why} (never followed)")
    for path in unknown:
        print(f"SKIPPED  {path}: not <student>/<notebook>.ipynb nor <student>_<name>.ipynb "
              f"for notebooks {', '.join(notebooks)} (or a duplicate)")
    return 1 if unknown else 0


def safe_exchange_collect():
    """nbgrader's default exchange collect, whose copy step follows no link."""
    from nbgrader.exchange.default import ExchangeCollect

    from tools.grading.deadlines import record_arrival
    from tools.grading.intake import copy_regular_tree

    class SafeExchangeCollect(ExchangeCollect):
        def do_copy(self, src, dest):
            try:
                left_out = copy_regular_tree(
                    Path(src), Path(dest), ignore=self.coursedir.ignore,
                    max_file_bytes=self.coursedir.max_file_size * 1000
                    if self.coursedir.max_file_size else 512 * 2**20)
            except OSError as exc:  # the submission folder itself is a link: nothing taken
                self.log.warning("not collected: %s (%s; never followed)", src, exc)
                return
            for rel, why in left_out:
                self.log.warning("left out %s/%s: %s (never followed)", src, rel, why)
            record_left_out(Path(dest), left_out)
            # --- deadlines hook: the submission time is when the files arrived here
            # (their ctime in inbound/), never the student's timestamp.txt
            arrived = record_arrival(Path(src), Path(dest))
            self.log.info("%s arrived at %s (server time)", src, arrived)

    return SafeExchangeCollect


def collect_exchange(assignment: str, update: bool) -> int:
    """nbgrader's own ``collect`` from the exchange configured in nbgrader_config.py, with a
    copy step that follows no link."""
    api = nbgrader_api()
    api.exchange.collect = safe_exchange_collect()
    result = api.collect(assignment, update=update)
    print(result.get("log", ""))
    if not result["success"]:
        print(result.get("error", ""), file=sys.stderr)
        return 1
    return 0


@main_reports_errors
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.collect",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", help="assignment id, a folder of source/")
    parser.add_argument("--from", dest="downloads",
                        help="folder of downloaded submissions (default: exchange)")
    parser.add_argument("--force", action="store_true",
                        help="replace existing submissions even if not older")
    parser.add_argument("--course-dir", default=str(REPO_ROOT),
                        help="course root (default: this repository)")
    args = parser.parse_args(argv)
    downloads = Path(args.downloads).resolve() if args.downloads else None  # before chdir
    root = prepare_environment(args.course_dir)
    assignment = check_assignments(root, [args.assignment])[0]
    if downloads is None:
        return collect_exchange(assignment, update=True)
    if not downloads.is_dir():
        raise ToolError(f"{downloads} is not a folder", USAGE)
    return collect_folder(root, assignment, downloads, args.force)


if __name__ == "__main__":
    sys.exit(main())
