"""The course website (`make site`, docs/build.py), built once for this module.

What is checked, each against an oracle independent of the build:
- the build succeeds with warnings as errors, and costs under a minute of CPU;
- every lecture (course/) and assignment (release/) has its page, with its .ipynb
  to download; the landing page is the course index and links them in its order;
- dp's reference has an entry for every public name that the package itself lists;
- no internal link or asset is missing, and nothing is loaded from the network;
- no solution or hidden-test line of source/ is anywhere in the built files (the
  scanner is first shown to find one planted in a highlighted code block);
- in headless Chromium, on loopback: pages load without console errors, math is
  typeset, a plot and a graph are visible, the search finds `softmax`; the sidebar
  toggles open the navigation at 390 and 1280 px; axe-core finds no serious or
  critical WCAG 2.1 A/AA violation on any page at either width (and is first shown
  to find a planted one); no page is wider than a 390 px screen;
- figures carry their notebook's alt text and link to their file; no nbval marker
  in the rendered code; a footer with the licence; each assignment's zip is its
  folder; no hub button without a hub address, and the launch link's format.

- the build's own rules (docstrings made safe for reStructuredText, the index's
  links, Jupyter's heading anchors), each on a small input, without a build.

The build costs about 10 s of CPU (more wall time on a loaded machine); every test
that needs it shares one (one xdist group); the browser tests about 15 s more.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import re
import resource
import subprocess
import sys
import threading
import time
import types
from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import requirements

import dp
from browser import chromium_page

ROOT = Path(__file__).resolve().parents[1]
# The site is built once per module (Sphinx over every notebook), then read and browsed.
pytestmark = [pytest.mark.xdist_group("site"), pytest.mark.site]

LECTURES = sorted(p.relative_to(ROOT) for p in (ROOT / "course").glob("*.ipynb"))
ASSIGNMENTS = sorted(p.relative_to(ROOT) for p in (ROOT / "release").glob("*/*.ipynb"))
# Lines too common to prove anything when found (they appear in starter code too).
TRIVIAL_LINES = {"", "pass", "return", "else:", "try:", "...", ")", "]", "}",
                 "raise NotImplementedError()"}
MARKERS = {"### BEGIN SOLUTION": "### END SOLUTION",
           "### BEGIN HIDDEN TESTS": "### END HIDDEN TESTS"}


@dataclass
class Site:
    out: Path
    seconds: float
    cpu_seconds: float


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    """`docs/build.py` run once, as `make site` runs it, into a temporary folder."""
    tmp = tmp_path_factory.mktemp("site")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run([sys.executable, str(ROOT / "docs" / "build.py"), "-q",
                          "--out", str(tmp / "_site"), "--work", str(tmp / "_build")],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert run.returncode == 0, f"make site failed:\n{run.stdout[-3000:]}\n{run.stderr[-6000:]}"
    assert "WARNING" not in run.stderr, run.stderr
    print(f"site built in {seconds:.1f} s wall, {cpu:.1f} s CPU")
    return Site(tmp / "_site", seconds, cpu)


def page_of(notebook: Path) -> str:
    return notebook.with_suffix(".html").as_posix()


# --- Parsing the built HTML ------------------------------------------------------

class _Page(HTMLParser):
    """The links, ids and visible text of one HTML file."""

    LINK_ATTRS = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"),
                  ("iframe", "src"), ("source", "src"), ("object", "data")}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.ids, self.text = [], set(), []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if (tag, name) in self.LINK_ATTRS and value:
                self.links.append((tag, value, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


@functools.cache
def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def _normal(text: str) -> str:
    """Whitespace collapsed; typographic quotes as the ASCII ones they stand for."""
    return re.sub(r"\s+", " ", text.translate(str.maketrans("‘’“”", "''\"\""))).strip()


def searchable_text(path: Path) -> str:
    """What a reader of this built file can see, whitespace collapsed.

    HTML is reduced to its text (Pygments splits code into spans, and entities hide
    quotes and brackets); a notebook to its cells' sources; anything else is read raw.
    """
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".html":
        page = _Page()
        page.feed(raw)
        return _normal("".join(page.text) + " " + raw)
    if path.suffix == ".ipynb" or path.name.endswith(".ipynb.txt"):
        with contextlib.suppress(ValueError):
            cells = json.loads(raw)["cells"]
            return _normal("\n".join("".join(c["source"]) for c in cells))
    return _normal(raw)


# --- The build -------------------------------------------------------------------

def test_build_succeeds_quickly(site):
    """Warnings are errors (the fixture checks the exit code); under a minute of CPU."""
    assert (site.out / "index.html").is_file()
    assert site.cpu_seconds < 60, (f"make site took {site.cpu_seconds:.0f} s of CPU "
                                   f"({site.seconds:.0f} s wall)")


def test_every_notebook_has_its_page_in_course_order(site):
    assert LECTURES and ASSIGNMENTS
    index = (site.out / "index.html").read_text(encoding="utf-8")
    for notebook in LECTURES + ASSIGNMENTS:
        assert (site.out / page_of(notebook)).is_file(), f"no page for {notebook}"
    for page in ("setup.html", "instructors.html", "api.html", "search.html", "searchindex.js"):
        assert (site.out / page).is_file(), f"no {page}"
    # The landing page is course/README.md: its notebooks, linked in its order.
    readme = (ROOT / "course" / "README.md").read_text(encoding="utf-8")
    # Assignments may be linked as the student's own copy (work/<A>/, made from
    # release/<A>/ by make lab, not in git): the site shows the release/ original.
    readme_paths = [str((ROOT / "course" / t).resolve().relative_to(ROOT))
                    for t in re.findall(r"\]\(([^)#]+\.ipynb)\)", readme)]
    expected = [re.sub(r"^work/", "release/", path) for path in readme_paths]
    assert expected, "course/README.md links no notebook"
    linked = [t for t in re.findall(r'href="([^"#]+\.html)', index)]
    in_order = [p for p in dict.fromkeys(linked) if p in {page_of(Path(e)) for e in expected}]
    assert in_order == [page_of(Path(e)) for e in expected]


def test_each_notebook_page_offers_its_ipynb(site):
    for notebook in LECTURES + ASSIGNMENTS:
        page = site.out / page_of(notebook)
        downloads = [href for tag, href, _ in parse(page).links
                     if tag == "a" and urlsplit(href).path.endswith(".ipynb")]
        assert downloads, f"{page_of(notebook)} has no .ipynb download link"
        target = (page.parent / unquote(urlsplit(downloads[0]).path)).resolve()
        assert json.loads(target.read_text()) == json.loads((ROOT / notebook).read_text()), (
            f"{downloads[0]} is not {notebook} as stored")


def _documented_names():
    """Every public name of dp, by the package's own lists: dp.__all__, and each of
    its modules' __all__ (or, without one, the names the module defines)."""
    names = []
    for name in dp.__all__:
        obj = getattr(dp, name)
        names.append(f"dp.{name}")
        if isinstance(obj, types.ModuleType):
            public = getattr(obj, "__all__", None) or [
                n for n, v in vars(obj).items()
                if not n.startswith("_") and getattr(v, "__module__", None) == obj.__name__
                and callable(v)]
            names += [f"{obj.__name__}.{n}" for n in public]
    return names


def _names_of(name: str, obj) -> set[str]:
    """The ids an entry of `obj`, used as `name`, may have on the API page: the name, the
    name where it is defined, or any name a module of dp exports it by."""
    modules = [getattr(dp, n) for n in dp.__all__ if isinstance(getattr(dp, n), types.ModuleType)]
    defined_as = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__name__', '')}"
    names = {name, defined_as, f"module-{name}"}
    if isinstance(obj, types.ModuleType):
        names.add(f"module-{obj.__name__}")
    names |= {f"{m.__name__}.{n}" for m in modules for n in getattr(m, "__all__", ())
              if getattr(m, n, None) is obj}
    return names


def test_api_reference_has_every_public_name_with_its_docstring(site):
    api = site.out / "api.html"
    page = parse(api)
    text = _normal("".join(page.text))
    missing = []
    for name in _documented_names():
        obj = functools.reduce(getattr, name.split(".")[1:], dp)
        if not _names_of(name, obj) & page.ids:
            missing.append(name)
            continue
        if not (inspect.isclass(obj) or callable(obj) or isinstance(obj, types.ModuleType)) \
                or not getattr(obj, "__module__", "dp").startswith("dp"):
            continue  # a constant, or another library's object: no docstring of dp's
        doc = (obj.__doc__ or "").strip()
        assert doc, f"{name} has no docstring"
        first = _normal(doc.split("\n\n")[0])
        # Markup (`x`, *x*) is rendered, not shown: compare the words only.
        words = re.sub(r"[`*]", "", first)[:60]
        assert words in text, f"api.html lacks the docstring of {name}: {words!r}"
    assert not missing, f"api.html has no entry for {missing}"


def resolve(name: str, module: bool = False):
    """The object `name` stands for, as Python finds it: the longest prefix that is a
    module (imported), then attributes. `module`: the name is a module's."""
    import importlib

    parts = name.split(".")
    if module or len(parts) == 1:
        return importlib.import_module(name)
    for end in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:end]))
        except ImportError:
            continue
        return functools.reduce(getattr, parts[end:], obj)
    raise ImportError(name)


def dp_names_used(source: str) -> set[str]:
    """The names of dp that Python code uses: each `from dp... import x` as dp....x, and
    each attribute chain on a name bound to a module of dp, up to the first object that
    is not a module (`dp.nn.Model.fit(...)` uses dp.nn.Model). Each name is resolved as
    Python resolves it (an import from a module, then attributes), so it is a real one."""
    import ast
    import importlib

    bound, used = {}, set()  # local name -> dotted name of a module of dp
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "dp":
                    used.add(alias.name)
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        bound["dp"] = "dp"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "dp":
            module = importlib.import_module(node.module)
            for alias in node.names:
                used.add(f"{node.module}.{alias.name}")
                if isinstance(getattr(module, alias.name), types.ModuleType):
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if id(node) in inner:
            continue  # part of a longer chain, which is read whole
        chain = []
        while isinstance(node, ast.Attribute):
            chain.insert(0, node.attr)
            node = node.value
        if not (isinstance(node, ast.Name) and node.id in bound and chain):
            continue
        obj = importlib.import_module(bound[node.id])
        name = bound[node.id]
        for attr in chain:
            if not isinstance(obj, types.ModuleType):
                break
            obj, name = getattr(obj, attr), f"{name}.{attr}"
        if not name.rpartition(".")[2].startswith("_"):  # dp.__version__ is Python's, not dp's
            used.add(name)
    return used


def notebook_code(notebook: Path) -> str:
    """The Python of a notebook's code cells (IPython's % and ! lines left out)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "\n".join(line for cell in cells if cell["cell_type"] == "code"
                     for line in "".join(cell["source"]).splitlines()
                     if not line.lstrip().startswith(("%", "!")))


def test_name_collector_follows_imports_and_attributes():
    code = ("import dp\nimport dp.init\nfrom dp import losses as L, Node\n"
            "from dp.gradcheck import relative_error\n"
            "x = dp.nn.Model.fit\ny = L.mse(1, 2)\nz = dp.init.he_normal\nq = other.nn.Model\n")
    assert dp_names_used(code) == {"dp", "dp.init", "dp.losses", "dp.Node",
                                   "dp.gradcheck.relative_error", "dp.nn.Model", "dp.losses.mse",
                                   "dp.init.he_normal"}


def test_api_reference_has_every_name_a_notebook_uses(site):
    """Each name of dp that a lecture or an assignment (its student version) uses has its
    entry on the API page, under any name it has (from dp.gradcheck import relative_error
    is the function of the module dp.gradcheck, which the name dp.gradcheck hides)."""
    ids = parse(site.out / "api.html").ids
    used = {}
    for notebook in LECTURES + ASSIGNMENTS:
        for name in dp_names_used(notebook_code(ROOT / notebook)):
            used.setdefault(name, notebook)
    assert "dp.gradcheck.relative_error" in used and "dp.nn.Dropout" in used, sorted(used)
    missing = []
    for name, notebook in sorted(used.items()):
        if not _names_of(name, resolve(name)) & ids:
            missing.append(f"{name} ({notebook})")
    assert not missing, "api.html has no entry for:\n" + "\n".join(missing)


def test_search_lists_each_object_of_dp_once(site):
    """Sphinx's search index has one entry per class, function or module of dp: an alias
    (Model.Dropout is Model.Dropout_Layer; NeuralNode.Model is dp.nn.Model) is not a
    second entry, and Dropout, searched for, is one result."""
    raw = (site.out / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(raw[raw.index("(") + 1:raw.rindex(")")])
    kinds = {str(i): kind[1] for i, kind in index["objnames"].items()}
    entries = [(prefix, entry[4], kinds[str(entry[1])])
               for prefix, items in index["objects"].items() for entry in items]
    assert [p for p, short, _ in entries if short == "Dropout"] == ["dp.nn"], entries
    seen = {}
    for prefix, short, kind in entries:
        full = f"{prefix}.{short}" if prefix else short
        obj = resolve(full, module=kind == "module")
        if inspect.isclass(obj) or inspect.isroutine(obj) or isinstance(obj, types.ModuleType):
            seen.setdefault(id(obj), []).append(full)
    twice = [names for names in seen.values() if len(names) > 1]
    assert not twice, f"objects listed more than once by search: {twice}"


def test_no_broken_internal_link_and_nothing_from_the_network(site):
    broken, remote = [], []
    # _static/ holds the theme's assets; its .html files are Jinja templates, not pages.
    pages = [p for p in site.out.rglob("*.html") if p.relative_to(site.out).parts[0] != "_static"]
    assert len(pages) > len(LECTURES + ASSIGNMENTS)
    for path in pages:
        for tag, link, attrs in parse(path).links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                # Pages may link out, but everything they load must be on the site.
                loaded = not (tag == "link" and attrs.get("rel") not in ("stylesheet", "preload"))
                if tag != "a" and loaded:
                    remote.append(f"{path.relative_to(site.out)}: {link}")
                continue
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{path.relative_to(site.out)}: {link}"
            if not target.is_file():
                broken.append(where)
            elif (parts.fragment and target.suffix == ".html"
                  and unquote(parts.fragment) not in parse(target).ids):
                broken.append(where + " (no such anchor)")
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:40])
    assert not remote, "pages load from the network:\n" + "\n".join(remote[:40])


# --- No solution anywhere --------------------------------------------------------

def solution_lines() -> dict[str, str]:
    """Each non-trivial line between source/'s solution or hidden-test markers -> where."""
    found = {}
    for notebook in sorted((ROOT / "source").glob("*/*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            end = None
            for line in "".join(cell["source"]).splitlines():
                stripped = line.strip()
                if end is None:
                    end = MARKERS.get(stripped)
                elif stripped == end:
                    end = None
                elif stripped not in TRIVIAL_LINES and not stripped.startswith("#"):
                    found.setdefault(_normal(stripped),
                                     f"{notebook.relative_to(ROOT)}: {end[8:].lower()}")
    return found


def published_text() -> str:
    """What the site may show: the student versions and lectures as stored."""
    return " ".join(searchable_text(p) for p in LECTURES + ASSIGNMENTS if (ROOT / p).is_file()
                    for p in [ROOT / p])


def leaks(folder: Path, lines: dict[str, str]) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        # _static/ is the theme's and MathJax's files, copied from installed packages:
        # no course content goes there (generic lines such as `return C` occur in them).
        if path.relative_to(folder).parts[0] == "_static":
            continue
        text_suffixes = {".html", ".js", ".txt", ".ipynb", ".md", ".json", ".py"}
        if path.is_file() and path.suffix in text_suffixes:
            text = searchable_text(path)
            found += [f"{path.relative_to(folder)}: {line!r} ({where})"
                      for line, where in lines.items() if line in text]
    return found


@pytest.fixture(scope="module")
def secret_lines():
    lines = solution_lines()
    assert len(lines) > 50, "source/ should have solutions and hidden tests to protect"
    # A line that the student version or a lecture shows as well is not a secret.
    public = published_text()
    return {line: where for line, where in lines.items() if line not in public}


def test_scanner_finds_a_solution_line_hidden_in_highlighted_html(tmp_path, site, secret_lines):
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    line = max(secret_lines, key=len)
    planted = tmp_path / "course" / "leak.html"
    planted.parent.mkdir()
    page = (site.out / page_of(LECTURES[0])).read_text(encoding="utf-8")
    highlighted = highlight(line, PythonLexer(), HtmlFormatter())
    planted.write_text(page.replace("</article>", highlighted + "</article>", 1))
    assert leaks(tmp_path, {line: "planted"}), "the scanner misses a highlighted solution line"


def test_no_solution_or_hidden_test_line_on_the_site(site, secret_lines):
    found = leaks(site.out, secret_lines)
    assert not found, (f"{len(found)} solution/hidden-test lines on the site:\n"
                       + "\n".join(found[:20]))


# --- In a browser ----------------------------------------------------------------

class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(site):
    """The site on 127.0.0.1 (a free port), stopped when the module ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site.out)))
    server.timeout = 10
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site-screenshots")
    yield folder
    print(f"site screenshots in {folder}")


@contextlib.contextmanager
def browsing(shots):
    """A Chromium page that also records every response with an error status."""
    with chromium_page(screenshots=shots) as page:
        page.failed = []
        page.on("response", lambda r: r.status >= 400 and page.failed.append(f"{r.status} {r.url}"))
        yield page


def _no_errors(page):
    assert not page.console_errors and not page.failed, (page.console_errors, page.failed)


def _visible_text(page) -> str:
    return page.evaluate("document.querySelector('main, article, body').innerText")


def _wait_for_math(page):
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("MathJax.startup.promise")


def test_landing_page_in_the_browser(served, shots):
    with browsing(shots) as page:
        page.goto(served + "/index.html", wait_until="load")
        page.screenshot(path=str(shots / "landing.png"), full_page=True)
        _no_errors(page)
        text = _visible_text(page)
        # Written for students (docs/landing.md), not the repository's README.
        assert "The course, in order" in text and "How to work" in text
        assert "Where to get help" in text
        assert "in this folder" not in text and "nbconvert" not in text
        for notebook in LECTURES + ASSIGNMENTS:
            assert page.locator(f'a[href$="{page_of(notebook)}"]').count(), f"no link to {notebook}"


def test_lecture_in_the_browser_math_plots_graphs(served, shots):
    lecture = LECTURES[0]
    with browsing(shots) as page:
        page.goto(f"{served}/{page_of(lecture)}", wait_until="load")
        _wait_for_math(page)
        page.screenshot(path=str(shots / "lecture.png"), full_page=True)
        _no_errors(page)
        assert page.locator("mjx-container").count() > 0, "no math typeset"
        text = _visible_text(page)
        assert "$$" not in text and "\\(" not in text, "raw TeX left in the visible text"
        sizes = page.evaluate("""() => [...document.querySelectorAll('.cell_output img')]
            .map(img => {
                const box = img.getBoundingClientRect();
                return {src: img.getAttribute('src'), w: img.naturalWidth, h: img.naturalHeight,
                        bw: box.width, bh: box.height};
            })""")
        shown = [s for s in sizes if min(s["w"], s["h"], s["bw"], s["bh"]) > 0]
        plots = [s for s in shown if s["src"].endswith(".png")]
        graphs = [s for s in shown if s["src"].endswith(".svg")]
        inline_svgs = page.evaluate("""() => [...document.querySelectorAll('.cell_output svg')]
            .map(svg => svg.getBoundingClientRect())
            .filter(b => b.width > 0 && b.height > 0).length""")
        assert plots, f"no visible plot image: {sizes}"
        assert graphs or inline_svgs, f"no visible SVG graph: {sizes}"


def test_assignment_in_the_browser(served, shots):
    assignment = ASSIGNMENTS[0]
    with browsing(shots) as page:
        page.goto(f"{served}/{page_of(assignment)}", wait_until="load")
        _wait_for_math(page)
        page.screenshot(path=str(shots / "assignment.png"), full_page=True)
        _no_errors(page)
        assert "YOUR CODE HERE" in _visible_text(page)


def test_search_box_finds_softmax(served, shots):
    with browsing(shots) as page:
        page.goto(served + "/index.html", wait_until="load")
        page.locator("button.search-button-field, button.search-button").first.click()
        box = page.locator('input[name="q"]:visible').first
        box.fill("softmax")
        box.press("Enter")
        page.wait_for_url(re.compile(r"search\.html\?q=softmax"))
        results = page.locator("#search-results ul.search li")
        results.first.wait_for()
        page.screenshot(path=str(shots / "search.png"), full_page=True)
        assert results.count() > 0
        _no_errors(page)


def test_api_formulas_are_typeset_by_mathjax(site, served, shots):
    """dp's formulas (Unicode in the docstrings, for help()) are math on the API page:
    Adam's update rule is typeset by MathJax, with no TeX error anywhere on the page,
    and what it shows has the rule's symbols (√ and the hat over v as MathML)."""
    html = (site.out / "api.html").read_text(encoding="utf-8")
    adam = html[html.index('id="dp.optim.Adam"'):]
    adam = adam[:adam.index("</dd>")]
    assert 'class="math notranslate nohighlight"' in adam, "Adam's rule is not a math block"
    with browsing(shots) as page:
        page.goto(f"{served}/api.html", wait_until="load")
        _wait_for_math(page)
        _no_errors(page)
        assert page.locator("mjx-merror, mjx-container [data-mjx-error]").count() == 0, (
            "MathJax could not read a formula")
        rule = page.locator('dt[id="dp.optim.Adam"] + dd mjx-container').first
        rule.wait_for()
        # MathJax's MathML of the rule (for screen readers): the square root of v-hat.
        mathml = page.evaluate("""() => MathJax.startup.document.getMathItemsWithin(
            document.querySelector('dt[id="dp.optim.Adam"] + dd'))
            .map(item => MathJax.startup.toMML(item.root)).join(' ')""")
        assert "<msqrt>" in mathml and ("&#x2190;" in mathml.lower() or "←" in mathml), (
            mathml[:500])
        assert "\\leftarrow" not in _visible_text(page), "raw TeX left on the page"


# The WCAG 2.1 A and AA rules of axe-core (tests/package.json pins it; make test
# installs it). Experimental rules with those tags count too (label-content-name-
# mismatch, the search buttons' problem, is one).
AXE = ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def site_pages(out: Path) -> list[str]:
    """Every page a reader can open (not the theme's templates, not the redirect)."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")
                  if p.relative_to(out).parts[0] not in ("_static", "_sources")
                  and p.relative_to(out).as_posix() != "course/README.html")


def _axe_problems(page) -> list[str]:
    if not AXE.is_file():
        requirements.require("node")  # no npm here: skipped with the hint (failed in CI)
        pytest.fail(f"{AXE} is missing: run `cd tests && npm ci` (make test does)")
    page.add_script_tag(path=str(AXE))
    # resultTypes: only violations get every node worked out; passes and the rest stop
    # at the first one (axe-core's documented option). Same violations, a third of the
    # time: 92 s -> 28 s for the 20 pages at 1280 px on 2 cores.
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', "
                           "values: tags.concat(['experimental'])}, "
                           "resultTypes: ['violations']})", WCAG_TAGS)
    return [f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['nodes'][0]['html'][:120]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical") and set(v["tags"]) & set(WCAG_TAGS)]


@pytest.mark.parametrize("width", [390, 1280])
def test_every_page_is_accessible_and_fits_the_screen(site, served, shots, width):
    """No serious or critical axe violation on any page; at 390 px no sideways scroll."""
    problems, wide = [], []
    with chromium_page(screenshots=shots, viewport=(width, 844)) as page:
        for rel in site_pages(site.out):
            page.goto(f"{served}/{rel}", wait_until="load")
            if 'class="math' in (site.out / rel).read_text(encoding="utf-8"):
                _wait_for_math(page)  # typeset math is what axe and the width check see
            problems += [f"{rel}: {p}" for p in _axe_problems(page)]
            scroll = page.evaluate("Math.max(document.documentElement.scrollWidth,"
                                   " document.body.scrollWidth)")
            if scroll > width:
                wide.append(f"{rel}: {scroll} px")
    assert not problems, f"axe at {width} px:\n" + "\n".join(problems)
    assert not wide, f"pages wider than the {width} px screen: {wide}"


def test_axe_check_finds_a_planted_violation(served, shots):
    """The accessibility check can fail: an image without alt text is critical."""
    with chromium_page(screenshots=shots) as page:
        page.goto(served + "/index.html", wait_until="load")
        page.evaluate("document.querySelector('main').append(document.createElement('img'))")
        assert any(p.startswith("image-alt") for p in _axe_problems(page))


@pytest.mark.parametrize("width", [390, 1280])
def test_sidebar_toggles_open_the_navigation(served, shots, width):
    """The visible sidebar buttons open the course navigation and the page's contents."""
    with browsing(shots) as page:
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(f"{served}/{page_of(LECTURES[0])}", wait_until="load")
        nav = page.locator("#pst-primary-sidebar .bd-links a", has_text="Practical training")
        toggle = page.locator(".primary-toggle:visible")
        assert toggle.count() == 1, "one visible primary sidebar toggle"
        if width >= 992:
            # Desktop: the sidebar is shown; the toggle hides it, and again shows it.
            assert nav.first.is_visible()
            toggle.click()
            page.wait_for_function("document.querySelector('#pst-primary-sidebar')"
                                   ".classList.contains('pst-sidebar-hidden')")
            toggle.click()
            page.wait_for_function("!document.querySelector('#pst-primary-sidebar')"
                                   ".classList.contains('pst-sidebar-hidden')")
        else:
            # Phone: the navigation is hidden until the toggle opens it as a dialog.
            assert not nav.first.is_visible()
            toggle.focus()
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline not in ("none", ""), "no visible focus on the sidebar toggle"
            toggle.click()
            dialog_nav = page.locator("#pst-primary-sidebar-modal[open] .bd-links a",
                                      has_text="Practical training")
            dialog_nav.first.wait_for(state="visible")
            page.keyboard.press("Escape")
            secondary = page.locator(".secondary-toggle:visible")
            assert secondary.count() == 1
            secondary.click()
            page.locator("#pst-secondary-sidebar-modal[open] .page-toc a").first.wait_for(
                state="visible")
        _no_errors(page)


def test_figures_have_their_notebook_alt_text_and_open_full_size(site):
    """Every lecture figure: the alt text of its cell's metadata, linked to its file."""
    for lecture in LECTURES:
        cells = json.loads((ROOT / lecture).read_text())["cells"]
        alts = [c["metadata"].get("mystnb", {}).get("image", {}).get("alt")
                for c in cells if c["cell_type"] == "code"
                and any(k.startswith("image/") for o in c.get("outputs", [])
                        for k in o.get("data", {}))]
        assert all(alts), f"{lecture}: a figure without alt text in its cell's metadata"
        html = (site.out / page_of(lecture)).read_text(encoding="utf-8")
        images = re.findall(r'<a class="[^"]*image-reference[^"]*" href="([^"]+)">'
                            r'<img alt="([^"]*)" src="([^"]+)"', html)
        assert len(images) == len(alts), (lecture, len(images), len(alts))
        import html as html_lib
        assert [html_lib.unescape(alt) for _, alt, _ in images] == alts
        assert all(href == src for href, _, src in images)


def test_no_test_markers_in_the_rendered_code_and_a_real_footer(site):
    for lecture in LECTURES:
        text = searchable_text(site.out / page_of(lecture))
        assert "NBVAL" not in text, f"{lecture}: an nbval marker in the rendered code"
    index = searchable_text(site.out / "index.html")
    assert "MIT licence" in index and "Differentiable programming" in index
    assert "Copyright the course's authors" not in index


def test_each_assignment_page_offers_its_folder_as_a_zip_and_no_hub_button(site):
    import zipfile

    for notebook in ASSIGNMENTS:
        page = site.out / page_of(notebook)
        html = page.read_text(encoding="utf-8")
        name = notebook.parent.name
        assert f'href="{name}.zip"' in html, f"{page_of(notebook)} offers no zip"
        with zipfile.ZipFile(page.parent / f"{name}.zip") as archive:
            stored = archive.read(f"{name}/{notebook.name}")
        assert json.loads(stored) == json.loads((ROOT / notebook).read_text())
    # `make site` without DP_SITE_HUB_URL: no launch button (no hub address is known).
    for notebook in LECTURES + ASSIGNMENTS:
        assert "course-launch" not in (site.out / page_of(notebook)).read_text()


def test_launch_links_open_the_notebook_where_the_student_has_it():
    course_site = _docs_module("course_site")
    hub = "https://hub.example.edu/"
    assert (course_site.launch_url(hub, "release/01_scalar_autodiff/scalar_autodiff.ipynb")
            == "https://hub.example.edu/hub/user-redirect/lab/tree/"
               "01_scalar_autodiff/scalar_autodiff.ipynb")
    assert (course_site.launch_url("http://127.0.0.1:8000", "course/01 guide.ipynb")
            == "http://127.0.0.1:8000/hub/user-redirect/lab/tree/course/01%20guide.ipynb")
    assert course_site.assignment_zip("release/04_mnist/mnist.ipynb") == "04_mnist.zip"
    assert course_site.assignment_zip("course/01_dp_library_guide.ipynb") is None


# --- The build's own rules, without a build ---------------------------------------

def _docs_module(name):
    """docs/<name>.py, loaded under a name of its own (docs/build.py is not `build`)."""
    import importlib.util

    # They import each other as Sphinx does, with docs/ on the path (docs/conf.py).
    if str(ROOT / "docs") not in sys.path:
        sys.path.insert(0, str(ROOT / "docs"))
    spec = importlib.util.spec_from_file_location(f"_site_docs_{name}",
                                                  ROOT / "docs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rst_problems(rst: str):
    """docutils' warnings and errors for `rst`, and the tree it makes."""
    import io

    from docutils import nodes
    from docutils.core import publish_doctree

    tree = publish_doctree(rst, settings_overrides={"report_level": 5, "halt_level": 5,
                                                     "warning_stream": io.StringIO()})
    return [m.astext() for m in tree.findall(nodes.system_message) if m["level"] >= 2], tree


PLAIN_DOCSTRING = """Adam: the update rule, with |g| the gradient's size and *args passed on.

    m ← β₁ m + (1 - β₁) g;  v ← β₂ v + (1 - β₂) g²
          θ ← θ - α m̂ / (√v̂ + ε)
shape: (m, k), the batch
       laid out by rows.

Args:
    alpha: the learning rate, |α| > 0.
    *args: more.

Returns:
    the new value of param_
""".splitlines()


def test_plain_docstrings_keep_their_math_and_raise_no_rst_warning():
    plain = _docs_module("plain_docstrings")
    problems, _ = _rst_problems("\n".join(PLAIN_DOCSTRING))
    assert problems, "this docstring should trouble reStructuredText as it is"
    problems, tree = _rst_problems("\n".join(plain.plain_to_rst(PLAIN_DOCSTRING)))
    assert not problems, problems
    from docutils import nodes

    literal = "\n".join(n.astext() for n in tree.findall(nodes.literal_block))
    # The formulas keep their lines and alignment; escaped text shows as written.
    assert "\n".join(PLAIN_DOCSTRING[2:6]) == literal
    assert "|g| the gradient's size and *args passed on" in tree.astext()
    assert "param_" in tree.astext()


def test_formula_blocks_become_tex_and_tables_stay_as_written():
    plain = _docs_module("plain_docstrings")
    adam = ["Adam.", "",
            "    m ← β₁ m + (1 - β₁) g        v ← β₂ v + (1 - β₂) g²     (m = 0 at first)",
            "    θ ← θ - α m̂ / (√v̂ + ε)"]
    table = ["Optimizers:", "", "    SGD           θ ← θ - α g", "    Adam          m ← β₁ m"]
    problems, tree = _rst_problems("\n".join(plain.plain_to_rst(adam + [""] + table)))
    assert not problems, problems
    from docutils import nodes

    [math] = [n.astext() for n in tree.findall(nodes.math_block)]
    assert math == (r"m &\leftarrow  \beta _{1} m + (1 - \beta _{1}) g \qquad "
                    r"v \leftarrow  \beta _{2} v + (1 - \beta _{2}) g^{2} \qquad "
                    r"\text{(m = 0 at first)} \\" "\n"
                    r"\theta  &\leftarrow  \theta  - \alpha  \hat{m} / "
                    r"(\sqrt{\hat{v}} + \varepsilon )")
    literal = [n.astext() for n in tree.findall(nodes.literal_block)]
    assert literal == ["\n".join(line[4:] for line in table[2:])], "the table was changed"


def test_course_index_links_point_at_the_site_pages():
    build = _docs_module("build")
    staged = {"release/01_x/x.ipynb", "course/01_lecture.ipynb"}
    text = ("[a](../work/01_x/x.ipynb) [b](01_lecture.ipynb#Part-1) [c](../tools/README.md) "
            "[d](https://example.org/x.ipynb) [e](#Notes)")
    out = build._rewrite_links(text, ROOT / "course", staged)
    assert out == ("[a](release/01_x/x.ipynb) [b](course/01_lecture.ipynb#Part-1) "
                   "c (`tools/README.md`) [d](https://example.org/x.ipynb) [e](#Notes)")


def test_headings_get_the_anchors_jupyter_gives_them():
    slug = _docs_module("jupyter_anchors").jupyter_slug
    # As JupyterLab names them (the lectures' tables of contents link these).
    assert slug("1. Computational graphs") == "1.-Computational-graphs"
    assert slug("6. What today's libraries do") == "6.-What-today's-libraries-do"
