"""How long `make similarity` takes for a class of 300 students of 01 (issue 31: under a minute
on 2 cores).

    python -m bench.similarity [--students 300] [--jobs N]

Generates the class (tests/grading/similar_class.py: honest students and two planted
copies) in a throw-away course, runs ``python -m tools.similarity`` on it and prints
the time of the whole command (reading every submission, comparing every pair,
writing the CSV and the HTML report), and whether the planted copies ranked first.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main(argv=None) -> int:
    from tests.grading import similar_class as sc
    from tests.grading.builders import new_course
    from tools import similarity

    parser = argparse.ArgumentParser(prog="python -m bench.similarity")
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        course = new_course(Path(tmp) / "course", [sc.ASSIGNMENT])
        shutil.copytree(REPO / "release" / sc.ASSIGNMENT, course / "release" / sc.ASSIGNMENT)
        sc.write_class(course, args.students - 2)
        start = time.monotonic()
        similarity.main([sc.ASSIGNMENT, "--course-dir", str(course), "--jobs", str(args.jobs)])
        elapsed = time.monotonic() - start
        with (course / "autograded" / "similarity.csv").open() as fh:
            top = [{r["student_a"], r["student_b"]} for r in list(csv.DictReader(fh))[:2]]
    found = {"renamer", "s003"} in top and {"reorderer", "s007"} in top
    print(f"\n{args.students} students of {sc.ASSIGNMENT}, {args.jobs} process(es): "
          f"{elapsed:.1f} s; planted copies ranked first: {'yes' if found else 'NO'}")
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
