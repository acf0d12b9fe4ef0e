"""Pairs of students whose answers are alike, for a person to judge: it never changes a grade.

    python -m tools.similarity ASSIGNMENT [--threshold 0.85] [--show 30] [--jobs N]

For every student of ``submitted/<student>/ASSIGNMENT/`` it takes the code answer cells
(nbgrader's solution cells, by grade id, in the release's order) and removes from each
the lines the release itself gives in that cell (the ``def`` line, the docstring, the
``# YOUR CODE HERE`` stub), so that what every student was handed counts for nothing.
Then it compares every pair of students with ``copydetect`` (PyPI; the winnowing
algorithm of Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for document
fingerprinting", SIGMOD 2003, as used by MOSS): the code is tokenized and normalised
(every variable, attribute and function name becomes one symbol, string literals another,
comments and layout are dropped), hashed in k-grams and winnowed to fingerprints; the
fingerprints of the release's answer cells are removed as boilerplate.

A pair's **score** is the smaller of the two shares "how much of A's answer code is
found in B's" and the reverse (0 to 1): a whole copy scores high on both sides, while a
short answer that happens to match part of a long one does not. Renaming variables
changes nothing (names are normalised); reordering functions or cells changes only the
few k-grams that span a boundary.

Writes ``autograded/similarity.csv`` (every pair with any overlap, ranked: rank, the two
students, score, both shares) and ``autograded/similarity.html`` (the pairs at or above
``--threshold``, at least ``--show`` of them, ranked, each with both students' answer
code side by side and the matching code marked). Student code and names are hostile:
every one is HTML-escaped, the page has no script and loads nothing. Submissions are
read without following any link (``tools/grading/intake.py``); one that cannot be read
is listed, not compared.

A high score is a reason to look, not a finding: short exercises with one natural
solution converge honestly. The default threshold, 0.85, comes from the course's proof
(``tests/test_similarity.py``: 28 generated honest students of 01 and two planted
copies): the copies score 1.00 (renamed variables) and 0.95 (functions reordered), the
highest of the 378 honest pairs 0.74. In a class of 300 a few honest pairs may pass it.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import functools
import html
import io
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tools.errors import ToolError, main_reports_errors
from tools.course import REPO_ROOT, check_assignments, prepare_environment

NOISE = 25  # k: k-grams of this many characters of normalised code are hashed
GUARANTEE = 30  # any match this long is found (winnowing window = GUARANTEE - NOISE + 1)
MAX_NOTEBOOK_BYTES = 20 * 2**20
STUB_LINES = {"# YOUR CODE HERE", "raise NotImplementedError()", "raise NotImplementedError"}


@dataclass
class Answers:
    student: str
    text: str  # the answer code, given lines removed; what is fingerprinted and shown


def _nbgrader(cell) -> dict:
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    nbg = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return nbg if isinstance(nbg, dict) else {}


def _source(cell) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        src = "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def answer_cells(nb: dict) -> dict[str, str]:
    """grade_id -> source of the code solution cells of a notebook (JSON as loaded)."""
    out = {}
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    for cell in cells if isinstance(cells, list) else []:
        meta = _nbgrader(cell)
        gid = meta.get("grade_id")
        if cell.get("cell_type") == "code" and meta.get("solution") and isinstance(gid, str):
            out.setdefault(gid, _source(cell))
    return out


@functools.lru_cache(maxsize=100_000)
def _line_key(line: str) -> str:
    """A line as the comparison sees it: tokens, names and strings normalised."""
    from copydetect.utils import filter_code

    return filter_code(line, "line.py", "python")[0]


def strip_given(code: str, given: str) -> str:
    """``code`` without the lines the release gives and the stub, compared normalised (so
    ``def f(a, b):`` is dropped also when a copier renamed the arguments)."""
    lines = [ln.strip() for ln in [*given.splitlines(), *STUB_LINES] if ln.strip()]
    keys = {_line_key(ln) for ln in lines} - {""}  # "": a comment, never compared

    def given_line(line: str) -> bool:
        return line.strip() in lines or _line_key(line.strip()) in keys

    return "\n".join(ln for ln in code.splitlines()
                     if not ln.strip() or not given_line(ln)).strip("\n")


def release_answers(root: Path, assignment: str) -> dict[str, dict[str, str]]:
    """notebook name -> {grade_id: given code} from release/ (the student's starting point)."""
    out = {}
    for path in sorted((root / "release" / assignment).glob("*.ipynb")):
        out[path.stem] = answer_cells(json.loads(path.read_text(encoding="utf-8")))
    return out


def student_document(notebooks: dict[str, dict], given: dict[str, dict[str, str]]) -> str:
    """One student's answer code: for each released notebook and answer cell (release
    order), a ``# --- notebook / cell`` header (a comment: not compared) and the code."""
    parts = []
    for name, cells in given.items():
        theirs = answer_cells(notebooks.get(name, {}))
        for gid, given_code in cells.items():
            code = strip_given(theirs.get(gid, ""), given_code)
            if code.strip():
                parts.append(f"# --- {name} / {gid}\n{code}")
    return "\n\n".join(parts) + "\n"


def read_submission(root: Path, assignment: str, student: str,
                    names: list[str]) -> dict[str, dict]:
    """The student's notebooks (parsed JSON), read without following links."""
    from tools.grading.intake import open_dir, read_regular

    fd = open_dir(root / "submitted" / student / assignment, trusted=root)
    try:
        out = {}
        for name in names:
            try:
                data = read_regular(fd, f"{name}.ipynb", MAX_NOTEBOOK_BYTES)
            except FileNotFoundError:
                continue
            out[name] = json.loads(data.decode("utf-8"))
        return out
    finally:
        os.close(fd)


def fingerprint(text: str, boilerplate=None, window: int | None = None):
    from copydetect import CodeFingerprint

    win = GUARANTEE - NOISE + 1 if window is None else window
    return CodeFingerprint("answers.py", NOISE, win, boilerplate=boilerplate,
                           language="python", fp=io.StringIO(text))


def boilerplate_hashes(given: dict[str, dict[str, str]]):
    """Every k-gram hash of the release's answer cells (window 1: all of them)."""
    text = "\n".join(code for cells in given.values() for code in cells.values())
    hashes = fingerprint(text, window=1).hashes if text.strip() else set()
    return np.array(sorted(hashes), dtype=np.int64)


def _scores_for_rows(prints, rows: list[int]) -> list[tuple[int, int, float, float]]:
    from copydetect import compare_files

    out = []
    for i in rows:
        for j in range(i + 1, len(prints)):
            if prints[i].token_coverage == 0 or prints[j].token_coverage == 0:
                continue
            _, (s1, s2), _ = compare_files(prints[i], prints[j])
            if s1 or s2:
                out.append((i, j, float(s1), float(s2)))
    return out


_pool_prints: list = []


def _pool_init(texts: list[str], boilerplate) -> None:
    _pool_prints[:] = [fingerprint(t, boilerplate) for t in texts]


def _pool_rows(rows: list[int]):
    return _scores_for_rows(_pool_prints, rows)


def compare_all(texts: list[str], boilerplate, jobs: int = 1):
    """(i, j, share of i found in j, share of j found in i) for every pair with overlap."""
    if jobs <= 1 or len(texts) < 50:
        return _scores_for_rows([fingerprint(t, boilerplate) for t in texts],
                                list(range(len(texts))))
    n = len(texts)
    chunks: list[list[int]] = [[] for _ in range(4 * jobs)]
    for k, i in enumerate(range(n)):  # zig-zag: rows are of unequal length
        chunks[k % len(chunks) if (k // len(chunks)) % 2 == 0
               else len(chunks) - 1 - k % len(chunks)].append(i)
    out = []
    with concurrent.futures.ProcessPoolExecutor(jobs, initializer=_pool_init,
                                                initargs=(texts, boilerplate)) as pool:
        for part in pool.map(_pool_rows, chunks):
            out += part
    return out


@dataclass
class Pair:
    a: str
    b: str
    a_in_b: float
    b_in_a: float

    @property
    def score(self) -> float:
        return min(self.a_in_b, self.b_in_a)


def rank(students: list[str], scores) -> list[Pair]:
    pairs = [Pair(students[i], students[j], s1, s2) for i, j, s1, s2 in scores]
    return sorted(pairs, key=lambda p: (-p.score, -max(p.a_in_b, p.b_in_a), p.a, p.b))


def write_csv(path: Path, pairs: list[Pair]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["rank", "student_a", "student_b", "score", "share_of_a_in_b",
                    "share_of_b_in_a"])
        for n, p in enumerate(pairs, 1):
            w.writerow([n, p.a, p.b, f"{p.score:.3f}", f"{p.a_in_b:.3f}", f"{p.b_in_a:.3f}"])
    tmp.replace(path)


def _marked(text: str, slices) -> str:
    """``text`` escaped, the character ranges ``slices`` (2xN starts/ends) in <mark>."""
    spans = sorted(zip(slices[0].tolist(), slices[1].tolist())) if len(slices[0]) else []
    out, pos = [], 0
    for start, end in spans:
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


STYLE = """body{font-family:sans-serif;margin:1.5em}table.pairs td,table.pairs th{padding:2px 8px}
.side{display:flex;gap:1em}.side>div{flex:1;min-width:0}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:12px}
mark{background:#ffd54f}"""


def write_html(path: Path, assignment: str, pairs: list[Pair], docs: dict[str, str],
               boilerplate, threshold: float, show: int, unreadable: list[str]) -> None:
    from copydetect import compare_files

    esc = html.escape
    shown = [p for i, p in enumerate(pairs) if p.score >= threshold or i < show]
    head = (f"<!DOCTYPE html><html><head><meta charset='utf-8'>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
            "style-src 'unsafe-inline'\">"
            f"<title>Similar answers: {esc(assignment)}</title><style>{STYLE}</style></head><body>"
            f"<h1>Similar answers: {esc(assignment)}</h1>"
            f"<p>{len(docs)} students, {len(pairs)} pairs with any overlap. A score (0 to 1) "
            "is the smaller of the two shares of one student's answer code found in the "
            "other's, after names were normalised and the release's given lines removed. "
            f"Pairs at or above {threshold:g} (and the top {show}) are shown. A high score "
            "is a reason to look, not a finding; no grade was changed.</p>")
    body = [head]
    if unreadable:
        body.append("<p>Not compared (unreadable submission): "
                    + esc(", ".join(unreadable)) + "</p>")
    body.append("<table class='pairs'><tr><th>#</th><th>student A</th><th>student B</th>"
                "<th>score</th><th>A in B</th><th>B in A</th></tr>")
    for n, p in enumerate(shown, 1):
        body.append(f"<tr><td><a href='#pair{n}'>{n}</a></td><td>{esc(p.a)}</td>"
                    f"<td>{esc(p.b)}</td><td>{p.score:.2f}</td><td>{p.a_in_b:.2f}</td>"
                    f"<td>{p.b_in_a:.2f}</td></tr>")
    body.append("</table>")
    for n, p in enumerate(shown, 1):
        fa, fb = fingerprint(docs[p.a], boilerplate), fingerprint(docs[p.b], boilerplate)
        _, _, (sa, sb) = compare_files(fa, fb)
        body.append(f"<h2 id='pair{n}'>{n}. {esc(p.a)} and {esc(p.b)}: {p.score:.2f}</h2>"
                    f"<div class='side'><div><h3>{esc(p.a)}</h3><pre>{_marked(fa.raw_code, sa)}"
                    f"</pre></div><div><h3>{esc(p.b)}</h3><pre>{_marked(fb.raw_code, sb)}"
                    "</pre></div></div>")
    body.append("</body></html>\n")
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("".join(body), encoding="utf-8")
    tmp.replace(path)


def documents(root: Path, assignment: str, students: list[str],
              given: dict[str, dict[str, str]]) -> tuple[dict[str, str], list[str]]:
    docs, unreadable = {}, []
    for student in students:
        try:
            notebooks = read_submission(root, assignment, student, list(given))
        except (OSError, ValueError) as exc:
            unreadable.append(f"{student} ({type(exc).__name__})")
            continue
        docs[student] = student_document(notebooks, given)
    return docs, unreadable


@main_reports_errors
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.similarity",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("assignment", help="assignment id, a folder of source/")
    parser.add_argument("--threshold", type=float, default=0.85,
                        help="show every pair scoring at least this (default 0.85)")
    parser.add_argument("--show", type=int, default=30,
                        help="show at least this many top pairs (default 30)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="processes comparing pairs (default: one per core)")
    parser.add_argument("--course-dir", default=str(REPO_ROOT),
                        help="course root (default: this repository)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    root = prepare_environment(args.course_dir)
    assignment = check_assignments(root, [args.assignment])[0]
    given = release_answers(root, assignment)
    if not given:
        raise ToolError(f"no release/{assignment}/*.ipynb (run make release)")
    students = sorted(p.parent.name for p in (root / "submitted").glob(f"*/{assignment}")
                      if p.is_dir() and not p.is_symlink())
    docs, unreadable = documents(root, assignment, students, given)
    names = sorted(docs)
    boilerplate = boilerplate_hashes(given)
    jobs = args.jobs or len(os.sched_getaffinity(0))
    pairs = rank(names, compare_all([docs[s] for s in names], boilerplate, jobs))
    out = root / "autograded"
    out.mkdir(exist_ok=True)
    write_csv(out / "similarity.csv", pairs)
    write_html(out / "similarity.html", assignment, pairs, docs, boilerplate,
               args.threshold, args.show, unreadable)
    above = [p for p in pairs if p.score >= args.threshold]
    print(f"{len(names)} students, {len(names) * (len(names) - 1) // 2} pairs compared in "
          f"{time.monotonic() - started:.1f} s; {len(above)} pair(s) at or above "
          f"{args.threshold:g}:")
    for p in above[:args.show]:
        print(f"  {p.score:.2f}  {p.a}  {p.b}")
    if unreadable:
        print("not compared (unreadable): " + ", ".join(unreadable))
    print(f"report: {out / 'similarity.html'}; every pair: {out / 'similarity.csv'} "
          "(no grade was changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
