"""What a student's feedback HTML may show: no hidden content, no live script.

``nbgrader generate_feedback`` renders the autograded notebook. ``nbgrader_config.py``
runs, before rendering:

* :class:`HideHiddenContent`. The property it keeps, by construction: **nothing the
  kernel produced after it first saw hidden code reaches the feedback.** The grader
  runs a test cell's hidden part as a separate execution (``execute.py``) and records
  where its outputs start and whether it was sent. So, in cell order:

  - before the first hidden part was sent, every output is kept (the visible tests'
    messages, which quote visible code only);
  - of the test cell whose hidden part was sent first, the outputs of the visible
    part are kept and those of the hidden part dropped;
  - every output after that is dropped, whatever its cell: a student's code that
    read the hidden tests (a traceback reader, an audit hook) could print them in
    any later cell, as text, an error name or a repr.

  In each graded test cell the grader writes what the judge found, in the
  instructor's words only: "Hidden checks: 3 of 4 passed", then each failed check's
  name and "your value differs" / "not reached" (``judge.py``). The hidden lines
  themselves are removed from the source shown (nbgrader's ``ClearHiddenTests``).
  ``c.HideHiddenContent.show_hidden_tests = True`` shows everything, as nbgrader does.
* :class:`SafeHTML`: nbconvert's ``SanitizeHTML`` (bleach), enabled: HTML and
  Markdown outputs and Markdown cells are cleaned of scripts and event-handler
  attributes, JavaScript and other unknown MIME types are dropped.

The autograded notebook and the gradebook keep everything; only the feedback (which
goes to students) is reduced.
"""

from __future__ import annotations

import nbformat
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import Bool

from tools.grading import metadata

DROPPED = "(output not shown in feedback: this cell ran after the hidden tests had started)"


def verdict_text(verdict: dict | None, ran_ok: bool) -> str:
    """The grader's words on one test cell: visible tests, then the hidden checks."""
    lines = ["Visible tests: " + ("passed" if ran_ok else "failed (see the message above, "
                                                        "or run the notebook yourself)")]
    if not verdict:
        return "\n".join(lines) + "\n"
    checks, matched = int(verdict.get("checks", 0)), int(verdict.get("matched", 0))
    lines.append(f"Hidden checks: {matched} of {checks} passed")
    lines += [f"  - {str(f)[:200]}" for f in verdict.get("failed", [])[:20]]
    if verdict.get("problems"):
        lines.append("  - your code recorded values the checks did not ask for, or in "
                     "another order")
    return "\n".join(lines) + "\n"


def _stream(text: str):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


class HideHiddenContent(NbGraderPreprocessor):
    """Drop every output from the first hidden test on; hidden lines out of the source."""

    show_hidden_tests = Bool(
        False, help="show hidden tests and every output in student feedback, as nbgrader does"
    ).tag(config=True)

    def preprocess(self, nb, resources):
        if self.show_hidden_tests:
            return nb, resources
        seen_hidden = False
        clear = ClearHiddenTests(parent=self)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            test = utils.is_grade(cell) and not utils.is_solution(cell)
            outputs = list(cell.get("outputs", []))
            if seen_hidden:
                kept = []
            elif test and metadata.hidden(cell) is not None:
                kept = outputs[:int(metadata.hidden(cell).get("outputs_from", 0))]
            else:
                kept = outputs
            if len(kept) < len(outputs) and not test:
                kept.append(_stream(DROPPED + "\n"))
            if test:
                clear._remove_hidden_test_region(cell)
                kept.append(_stream(verdict_text(metadata.verdict(cell), metadata.ran_ok(cell))))
                seen_hidden = seen_hidden or metadata.hidden_sent(cell)
            cell.outputs = kept
        return nb, resources


class SafeHTML(SanitizeHTML):
    """nbconvert's SanitizeHTML, switched on (nbconvert preprocessors are off by default)."""

    enabled = Bool(True).tag(config=True)
    strip = Bool(True, help="remove unsafe markup instead of escaping it").tag(config=True)


# ------------------------------------------------------------------ the page itself
# A feedback page is opened by students, offline and maybe years later: it may run only
# the page's own scripts (MathJax, inlined, and its configuration), fetch nothing, and
# no link a student wrote may run code. Applied to the written HTML (secure_folder), as
# the last step: whatever the Markdown renderer or a sanitizer let through is checked here.
MATHJAX = "sphinx-mathjax-offline/static/mathjax/tex-svg.js"  # MathJax 3, fonts inside
MATHJAX_CONFIG = ("window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], "
                  "displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']], processEscapes: true, "
                  "processEnvironments: true}, svg: {fontCache: 'global'}, "
                  "options: {enableMenu: false}, loader: {load: []}};")
URL_ATTRIBUTES = ("href", "src", "srcset", "action", "formaction", "poster", "background",
                  "data", "xlink:href", "ping", "longdesc", "cite", "manifest", "codebase")
DROPPED_ELEMENTS = ("iframe", "frame", "frameset", "object", "embed", "applet", "base",
                    "portal", "link", "meta", "form")
LINK_SCHEMES = ("http:", "https:", "mailto:")
IMAGE_DATA = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")


def csp(script_hashes: list[str]) -> str:
    """The page's Content-Security-Policy: its own scripts (by hash), no fetch of any kind."""
    scripts = " ".join(f"'sha256-{h}'" for h in script_hashes) or "'none'"
    return ("default-src 'none'; "
            f"script-src {scripts}; "
            "style-src 'unsafe-inline'; img-src data:; font-src data:; "
            "connect-src 'none'; frame-src 'none'; child-src 'none'; object-src 'none'; "
            "worker-src 'none'; media-src 'none'; manifest-src 'none'; "
            "base-uri 'none'; form-action 'none'")


def _mathjax_source() -> str | None:
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder).parent / MATHJAX
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


def _safe_url(value: str, attribute: str, element: str) -> bool:
    import re

    url = re.sub(r"[\x00-\x20]", "", value).lower()  # "java\tscript:" is javascript:
    if attribute in ("href", "xlink:href") and url.startswith("#"):
        return True  # a place in the page itself
    if attribute == "href" and element == "a":
        return url.startswith(LINK_SCHEMES)
    if attribute == "src" and element == "img":
        return url.startswith(IMAGE_DATA)
    return False


def secure_page(html: str, mathjax: str | None = None) -> tuple[str, list[str]]:
    """``html`` with nothing that runs or fetches except the page's own scripts; and what
    was removed (for the status)."""
    import base64
    import hashlib
    import re

    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    removed: list[str] = []
    for tag in list(soup.find_all(True)):
        if tag.decomposed:
            continue
        if tag.name == "script" or tag.name in DROPPED_ELEMENTS or tag.name == "svg" and any(
                t.name == "script" for t in tag.find_all(True)):
            if tag.name not in ("script", "meta", "link"):
                removed.append(f"<{tag.name}>")
            tag.decompose()
            continue
        for attribute in list(tag.attrs):
            name = attribute.lower()
            if name.startswith("on"):
                del tag[attribute]
                removed.append(f"{name} handler")
            elif name in URL_ATTRIBUTES:
                if not _safe_url(str(tag[attribute]), name, tag.name):
                    removed.append(f"{tag.name} {name}={str(tag[attribute])[:60]!r}")
                    del tag[attribute]
            elif name == "style" and re.search(r"url\s*\(|expression\s*\(|@import",
                                               str(tag[attribute]), re.I):
                del tag[attribute]
                removed.append("style with url()")
        if tag.name == "style" and tag.string and re.search(r"url\s*\((?!\s*['\"]?data:)|@import",
                                                            tag.string, re.I):
            tag.string = re.sub(r"url\s*\((?!\s*['\"]?data:)[^)]*\)|@import[^;]*;", "none",
                                tag.string, flags=re.I)
    head = soup.head or soup.new_tag("head")
    if soup.head is None:
        (soup.html or soup).insert(0, head)
    scripts = []
    text = soup.get_text()
    if mathjax and re.search(r"\$|\\\(|\\\[|\\begin\{", text):
        scripts = [MATHJAX_CONFIG, mathjax]
    hashes = []
    for code in scripts:
        tag = soup.new_tag("script")
        tag.string = code
        head.append(tag)
        hashes.append(base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode())
    meta = soup.new_tag("meta")
    meta["http-equiv"] = "Content-Security-Policy"
    meta["content"] = csp(hashes)
    head.insert(0, meta)
    charset = soup.new_tag("meta")
    charset["charset"] = "utf-8"
    head.insert(0, charset)
    return str(soup), list(dict.fromkeys(removed))


def secure_folder(folder) -> list[str]:
    """Secure every feedback page in ``folder`` in place; what was removed, per page."""
    from pathlib import Path

    mathjax = _mathjax_source()
    notes = []
    for page in sorted(Path(folder).glob("*.html")):
        if page.is_symlink() or not page.is_file():
            continue
        html, removed = secure_page(page.read_text(encoding="utf-8", errors="replace"), mathjax)
        page.write_text(html, encoding="utf-8")
        if removed:
            notes.append(f"{page.stem}: feedback page: removed {', '.join(removed[:3])}"
                         + (f" and {len(removed) - 3} more" if len(removed) > 3 else ""))
    return notes
