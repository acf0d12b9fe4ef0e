"""Ask the course hub's grading service to grade (an instructor's terminal on the hub).

    python -m tools.grading.request ASSIGNMENT [--student ID ...] [--force] [--jobs N]

On the hub an instructor cannot grade by themselves: the sandbox gives each notebook a
uid of its own, which only root can do. The hub's grading service
(``hub/dp_grading_service.py``) grades for them: this command sends the request with the
server's own token (``$JUPYTERHUB_API_TOKEN``; an instructor's carries the scope
``custom:grading``) to ``$DP_GRADING_URL`` (both set on the hub), then prints the job's
output as it comes and exits with its status. ``python -m tools.grading ASSIGNMENT`` run
as an instructor on the hub does the same by itself.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request


class ServiceError(RuntimeError):
    pass


def call(method: str, path: str, body: dict | None = None) -> dict:
    url = os.environ.get("DP_GRADING_URL")
    token = os.environ.get("JUPYTERHUB_API_TOKEN")
    if not url or not token:
        raise ServiceError("not on the course hub ($DP_GRADING_URL and $JUPYTERHUB_API_TOKEN "
                           "are set in an instructor's server there)")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url.rstrip("/") + "/" + path, data=data, method=method,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            reason = json.loads(error.read()).get("error", error.reason)
        except ValueError:
            reason = error.reason
        raise ServiceError(f"the grading service refused ({error.code}): {reason}") from error


def grade_remotely(assignment: str, students: list[str], force: bool, jobs: int | None,
                   poll: float = 2.0) -> int:
    """Ask for one job, print its output as it grows; the job's exit status."""
    body = {"assignment": assignment, "students": students, "force": force}
    if jobs is not None:
        body["jobs"] = jobs
    try:
        job = call("POST", "jobs", body)
        print(f"grading service: job {job['id']} ({job['state']})", file=sys.stderr, flush=True)
        shown = 0
        while True:
            output = job.get("output", "")
            sys.stdout.write(output[shown:])
            sys.stdout.flush()
            shown = len(output)
            if job["state"] not in ("queued", "running"):
                break
            time.sleep(poll)
            job = call("GET", f"jobs/{job['id']}")
    except ServiceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return job["returncode"] if job["returncode"] is not None else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.grading.request",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment")
    parser.add_argument("--student", action="append", default=[])
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    return grade_remotely(args.assignment, args.student, args.force, args.jobs)


if __name__ == "__main__":
    sys.exit(main())
