"""How fast `make grade` marks a class, one student at a time and one per core.

    python -m bench.grading [--students 8] [--assignment 01_scalar_autodiff] [--jobs 1,4]

Builds a throw-away course with a class of identical perfect copies of one
assignment (the released notebook with the source's solutions), copies it, and
grades each copy with ``python -m tools.grading --jobs J`` (default J: 1 and the
number of cores). Reports students per minute over the grading itself (from the
command's own progress lines, so the one-off gradebook setup is left out) and over
the whole command, the speed-up against one job, and checks that every copy got
the same score in every run (full marks where Graphviz's ``dot`` is installed).
Writes JSON (default bench/results/grading.json).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.grading import builders  # noqa: E402
from tools.course import subprocess_env  # noqa: E402
from tools.grading.grade import available_cores  # noqa: E402

# The kernels share the cores with each other: one BLAS thread each.
THREADS = {v: "1" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


def make_class(root: Path, assignment: str, students: int) -> Path:
    course = builders.new_course(root, [assignment])
    shutil.copytree(REPO / "release" / assignment, course / "release" / assignment)
    for name, path in builders.notebooks(course / "release" / assignment).items():
        released = nbformat.read(path, as_version=4)
        source = nbformat.read(course / "source" / assignment / f"{name}.ipynb", as_version=4)
        perfect = builders.perfect(released, source)
        for i in range(students):
            builders.submit(course, f"student{i:03d}", assignment, name, perfect)
    return course


def grade(course: Path, assignment: str, jobs: int) -> dict:
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.grading",
            assignment,
            f"--jobs={jobs}",
            "--course-dir",
            str(course),
        ],
        cwd=course,
        capture_output=True,
        text=True,
        env=subprocess_env({"MPLBACKEND": "Agg", **THREADS}),
    )
    total = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"tools.grading --jobs {jobs} failed:\n{proc.stdout}\n{proc.stderr}")
    elapsed = [int(s) for s in re.findall(r"\((\d+) s elapsed", proc.stderr)]
    scores = builders.gradebook_scores(course, assignment)
    if len({json.dumps(cells, sort_keys=True) for cells in scores.values()}) != 1:
        raise SystemExit(
            f"tools.grading --jobs {jobs}: identical copies got different scores: {scores}"
        )
    students = len(scores)
    grading = max(elapsed[-1], 1) if elapsed else total
    points = sum(score for score, _ in next(iter(scores.values())).values())
    return {
        "jobs": jobs,
        "students": students,
        "points_each": points,
        "grading_s": grading,
        "total_s": round(total, 1),
        "students_per_min": round(students / grading * 60, 2),
        "students_per_min_total": round(students / total * 60, 2),
    }


def main(argv=None) -> int:
    cores = available_cores()
    parser = argparse.ArgumentParser(
        prog="python -m bench.grading", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--students", type=int, default=4 * cores, help="class size (default: 4 per core)"
    )
    parser.add_argument("--assignment", default="01_scalar_autodiff")
    parser.add_argument(
        "--jobs",
        default=f"1,{cores}",
        help="comma-separated --jobs values, run in this order (repeat them to interleave)",
    )
    parser.add_argument("--json", default="bench/results/grading.json")
    args = parser.parse_args(argv)
    jobs_list = [int(j) for j in args.jobs.split(",")]

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        master = make_class(Path(tmp) / "class", args.assignment, args.students)
        for i, jobs in enumerate(jobs_list):
            copy = Path(tmp) / f"run{i}-jobs{jobs}"
            shutil.copytree(master, copy)
            rows.append(grade(copy, args.assignment, jobs))
            print(f"--jobs {jobs}: {rows[-1]}", file=sys.stderr, flush=True)
    if len({r["points_each"] for r in rows}) != 1:
        raise SystemExit(f"runs disagree on the score of the same notebook: {rows}")
    # Against the median one-job time (or the first run's): repeat values, e.g.
    # --jobs 1,2,1,2, to interleave them on a machine whose load changes.
    singles = sorted(r["grading_s"] for r in rows if r["jobs"] == 1) or [rows[0]["grading_s"]]
    base = singles[len(singles) // 2]
    for row in rows:
        row["speedup"] = round(base / row["grading_s"], 2)

    print(f"\nGrading {args.students} perfect copies of {args.assignment} on {cores} core(s)")
    print(f"{'jobs':>4} {'students/min':>13} {'(whole command)':>16} {'speed-up':>9}")
    for r in rows:
        print(
            f"{r['jobs']:>4} {r['students_per_min']:>13.1f} "
            f"{r['students_per_min_total']:>16.1f} {r['speedup']:>8.2f}x"
        )
    results = {
        "cores": cores,
        "assignment": args.assignment,
        "load_average": os.getloadavg(),
        "runs": rows,
    }
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
