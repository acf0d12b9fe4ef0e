"""Build the course website: `make site` (or `python docs/build.py [--out DIR]`).

Sphinx with MyST-NB reads the notebooks as they are stored (nothing is executed:
lectures keep the outputs `course/` stores, assignments are the student versions of
`release/`), autodoc + napoleon read dp's docstrings, and sphinx-book-theme lays it
out with full-text search. Nothing is written into the repository but `_site/` and
`_build/` (both git-ignored): the pages Sphinx reads are assembled first in a
staging folder, laid out like the repository, so the course index's links work:

    index.md                   docs/landing.md, written for students, with the course
                               order (table) of course/README.md
    _course.json               each notebook's time estimate, from that table
    course/*.ipynb             the lectures, with their stored outputs
    release/<A>/*.ipynb        the assignments, student versions only
    setup.md, instructors.md   sections of README.md
    api.md                     dp's reference, listed from dp.__all__

What goes on the site is decided here, from what is in the folders at build time:
other notebooks appear without a change to this file, and `source/` (solutions,
hidden tests) is never read. The build treats every warning as an error (any that
had to be ignored would be listed in docs/conf.py's suppress_warnings, with the
reason; none is).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import re
import shutil
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# Pages that come from README.md: (file, title, README sections in order).
README_PAGES = [
    ("setup.md", "Set-up", ["Two commands", "For students"]),
    ("instructors.md", "For instructors", ["For instructors"]),
]
# Files a notebook may reference next to it (pictures); data files stay out.
NOTEBOOK_COMPANIONS = {".png", ".svg", ".jpg", ".jpeg", ".gif"}
# The landing page: its text, and where course/README.md's table (order, times) goes.
LANDING = DOCS / "landing.md"
ORDER_MARK = "{course-order}"
HUB_MARK = "{hub-note}"
COURSE_README_REDIRECT = """---
orphan: true
myst:
  html_meta:
    "http-equiv=refresh": "0; url=../index.html"
---
# Course index

The course index is the [landing page of this site](../index.md).
"""
# The course index may link the copies that `make lab` gives each student (work/<A>/,
# made from release/<A>/ and not in git): the site shows the release/ originals.
STUDENT_COPIES = {"work/": "release/"}
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")


class SiteError(Exception):
    """The repository does not have what the site is built from."""


def _rewrite_links(text: str, base: Path, staged: set[str]) -> str:
    """Point relative links of a Markdown file in `base` at the staged copies.

    The staging folder mirrors the repository, so a link is rewritten to the target's
    path from the repository root (the staged page sits at the root); a link to a file
    that is not on the site (a tool, a config file) becomes its path in code, since
    the site cannot serve it. Web links and anchors stay as they are.
    """

    def rewrite(match: re.Match) -> str:
        label, target = match.groups()
        if re.match(r"[a-z][a-z0-9+.-]*:|#", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = (base / path).resolve()
        try:
            rel = resolved.relative_to(ROOT).as_posix()
        except ValueError:
            rel = None
        for copy, original in STUDENT_COPIES.items():
            if rel and rel.startswith(copy) and original + rel[len(copy):] in staged:
                rel = original + rel[len(copy):]
        if rel in staged:
            return f"[{label}]({rel}{'#' + anchor if anchor else ''})"
        return f"{label} (`{rel or target}`)"

    return LINK.sub(rewrite, text)


def _readme_sections(readme: str, wanted: list[str]) -> str:
    """The `## ` sections of README.md named in `wanted`, in that order, with their text."""
    sections = {}
    for block in re.split(r"^(?=## )", readme, flags=re.M):
        if block.startswith("## "):
            sections[block.splitlines()[0][3:].strip()] = block
    missing = [name for name in wanted if name not in sections]
    if missing:
        raise SiteError(f"README.md has no section {missing} for the site "
                        f"(it has {sorted(sections)}); update README_PAGES in docs/build.py")
    return "\n".join(sections[name] for name in wanted)


def _notebook_order(index_text: str, notebooks: list[str]) -> list[str]:
    """The notebooks in the order the course index links them, then any it does not."""
    linked = [t.partition("#")[0] for _, t in LINK.findall(index_text)]
    ordered = [t for t in dict.fromkeys(linked) if t in notebooks]
    return ordered + [n for n in notebooks if n not in ordered]


def _course_table(index_text: str) -> list[str]:
    """The lines of the course index's table (the one whose header has a notebook column)."""
    lines = index_text.splitlines()
    start = next((i for i, line in enumerate(lines)
                  if line.startswith("|") and "notebook" in line.lower()), None)
    if start is None:
        raise SiteError("course/README.md has no table with a 'notebook' column: the "
                        "landing page takes the course order from it")
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return lines[start:end]


def _times(table: list[str]) -> dict[str, str]:
    """Notebook path (as linked in the table) -> the row's time estimate, if it has one."""
    header = [c.strip().lower() for c in table[0].strip("|").split("|")]
    col = next((i for i, name in enumerate(header) if name.startswith("time")), None)
    if col is None:
        return {}
    times = {}
    for row in table[2:]:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        for _, target in LINK.findall(row):
            if target.endswith(".ipynb") and col < len(cells) and cells[col]:
                times[target] = cells[col]
    return times


def landing_page(index_text: str, hub_url: str) -> str:
    """docs/landing.md with the course's table (already rewritten to site paths)."""
    text = LANDING.read_text(encoding="utf-8")
    if ORDER_MARK not in text:
        raise SiteError(f"docs/landing.md lacks {ORDER_MARK}, where the course order goes")
    hub = (f"The button *Open on the course hub* at the top of each page opens that "
           f"notebook there ([{hub_url}]({hub_url}))." if hub_url else "")
    return (text.replace(ORDER_MARK, "\n".join(_course_table(index_text)))
            .replace(HUB_MARK, hub))


def _public_names(module: types.ModuleType) -> list[str]:
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [n for n, v in vars(module).items() if not n.startswith("_")
            and getattr(v, "__module__", None) == module.__name__]


def _entry(qualified: str, obj) -> list[str]:
    """The autodoc directive that documents `obj` under the name `qualified`."""
    home = getattr(obj, "__module__", None) or ""
    if (inspect.isclass(obj) or callable(obj)) and not home.split(".")[0] == "dp":
        # Re-exported from another library: say where it comes from, not its manual.
        module, _, name = qualified.rpartition(".")
        return ["```{eval-rst}", f".. py:data:: {name}", f"   :module: {module}", "",
                f"   The same object as ``{home}.{obj.__qualname__}``, re-exported.", "```", ""]
    if inspect.isclass(obj):
        return ["```{eval-rst}", f".. autoclass:: {qualified}", "   :members:",
                "   :show-inheritance:", "```", ""]
    if callable(obj):
        return ["```{eval-rst}", f".. autofunction:: {qualified}", "```", ""]
    return ["```{eval-rst}", f".. autodata:: {qualified}", "```", ""]


def _alias_entry(qualified: str, cls: type) -> list[str]:
    """`cls` documented under the name `qualified`, from its docstring."""
    from sphinx.ext.napoleon import Config
    from sphinx.ext.napoleon.docstring import GoogleDocstring
    from sphinx.util.docstrings import prepare_docstring

    sys.path.insert(0, str(DOCS))
    from plain_docstrings import plain_to_rst

    lines = GoogleDocstring(plain_to_rst(prepare_docstring(cls.__doc__ or "")), Config()).lines()
    module, _, name = qualified.rpartition(".")
    return (["```{eval-rst}", f".. py:class:: {name}", f"   :module: {module}", ""]
            + ["   " + line for line in lines]
            + ["", f"   (The class ``{cls.__module__}.{cls.__qualname__}``.)", "```", ""])


def _role(obj) -> str:
    return "class" if inspect.isclass(obj) else "func" if callable(obj) else "data"


def _api_modules(dp: types.ModuleType) -> list[types.ModuleType]:
    """The modules the reference has a section for: those of dp.__all__, then every other
    public submodule of dp that has a public name documented nowhere else.

    A notebook can import from a submodule that `dp` does not list as a module:
    `from dp.gradcheck import relative_error` (the name `dp.gradcheck` is the function,
    which shadows its module) or `dp.idx` (read by dp.datasets). A submodule whose names
    are all re-exported elsewhere (dp.graph_drawing through dp.viz) adds nothing.
    """
    import importlib
    import pkgutil

    listed = [getattr(dp, n) for n in dp.__all__ if isinstance(getattr(dp, n), types.ModuleType)]
    exported = {id(getattr(m, n)) for m in [dp, *listed] for n in _public_names(m)}
    others = []
    for info in pkgutil.iter_modules(dp.__path__, prefix="dp."):
        if info.name.rpartition(".")[2].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        if module not in listed and any(id(getattr(module, n)) not in exported
                                        for n in _public_names(module)):
            others.append(module)
    return listed + others


def api_page() -> str:
    """dp's reference as MyST: every name of dp.__all__, read from the package now.

    A module of dp.__all__, or another public submodule with names of its own (see
    _api_modules), gets its own section with each of its public names (its __all__,
    else what it defines), each documented once, by the first name it is met under;
    under any later name it is linked. A top-level name already documented in a
    module's section is linked from the top; any other is documented at the top. So
    the page follows the package as modules are split, added or renamed, and search
    lists each object once.
    """
    import dp

    sections, documented = [], {}
    for module in _api_modules(dp):
        names = _public_names(module)
        if not names:
            raise SiteError(f"{module.__name__} has no public name to document")
        sections += [f"## `{module.__name__}`", "", "```{eval-rst}",
                     f".. automodule:: {module.__name__}", "   :no-members:", "```", ""]
        for name in names:
            obj = getattr(module, name)
            if isinstance(obj, types.ModuleType):
                sections += [f"- `{module.__name__}.{name}`: the module `{obj.__name__}`", ""]
                continue
            qualified = f"{module.__name__}.{name}"
            if id(obj) in documented:
                sections += [f"- `{qualified}`: {{py:{_role(obj)}}}`{documented[id(obj)]}`", ""]
                continue
            if (inspect.isclass(obj) and obj.__name__ != name
                    and obj.__module__.split(".")[0] == "dp"):
                # A class of dp under another name: autodoc would show only "alias of
                # <its own name>", which may not be importable; show its docstring.
                sections += _alias_entry(qualified, obj)
                continue
            documented[id(obj)] = qualified
            sections += _entry(qualified, obj)
    top = []
    for name in dp.__all__:
        obj = getattr(dp, name)
        if isinstance(obj, types.ModuleType):
            top += [f"- `dp.{name}`: the module {{py:mod}}`{obj.__name__}`, below", ""]
        elif id(obj) in documented:
            top += [f"- `dp.{name}`: {{py:{_role(obj)}}}`{documented[id(obj)]}`", ""]
        else:
            top += _entry(f"dp.{name}", obj)
    return "\n".join(["# The `dp` library", "",
                      "Generated from the docstrings of every name in `dp.__all__` and of its "
                      "modules; each carries its rules and math.", "",
                      "```{eval-rst}", ".. automodule:: dp", "   :no-members:", "```", "",
                      "## Top-level names", ""] + top + sections)


def stage(dest: Path) -> list[str]:
    """Assemble the pages Sphinx reads in `dest`; return the notebooks in course order."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    notebooks = []
    for folder, pattern in (("course", "*.ipynb"), ("release", "*/*.ipynb")):
        for nb in sorted((ROOT / folder).glob(pattern)):
            if ".ipynb_checkpoints" in nb.parts:
                continue
            rel = nb.relative_to(ROOT)
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(nb, dest / rel)
            for extra in nb.parent.iterdir():
                if extra.suffix.lower() in NOTEBOOK_COMPANIONS:
                    shutil.copy2(extra, dest / rel.parent / extra.name)
            notebooks.append(rel.as_posix())
    if not notebooks:
        raise SiteError("no notebook in course/ or release/: nothing to build a site from")
    staged = set(notebooks) | {"README.md"}

    index = (ROOT / "course" / "README.md").read_text(encoding="utf-8")
    index = _rewrite_links(index, ROOT / "course", staged)
    order = _notebook_order(index, notebooks)
    table = _course_table(index)
    (dest / "_course.json").write_text(json.dumps(_times(table), indent=1), encoding="utf-8")
    hub_url = os.environ.get("DP_SITE_HUB_URL", "")
    index = _rewrite_links(landing_page(index, hub_url), ROOT, staged | {"setup.md", "api.md"})
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    toctrees = [("The course", order),
                ("Reference", [page for page, _, _ in README_PAGES] + ["api.md"])]
    for caption, entries in toctrees:
        index += (f"\n```{{toctree}}\n:hidden:\n:caption: {caption}\n\n"
                  + "\n".join(entries) + "\n```\n")
    (dest / "index.md").write_text(index, encoding="utf-8")
    for page, title, sections in README_PAGES:
        text = f"# {title}\n\n" + _readme_sections(readme, sections)
        (dest / page).write_text(_rewrite_links(text, ROOT, staged), encoding="utf-8")
    (dest / "api.md").write_text(api_page(), encoding="utf-8")
    # Lectures link "the course index" as README.md next to them: on the site that
    # is the landing page, where this page sends the reader.
    (dest / "course" / "README.md").write_text(COURSE_README_REDIRECT, encoding="utf-8")
    return order


def build(out: Path, work: Path, quiet: bool = False) -> float:
    """Stage the pages and run Sphinx (warnings are errors); return the seconds it took."""
    from sphinx.cmd.build import build_main

    start = time.perf_counter()
    src, html = work / "src", work / "html"
    stage(src)
    # Sphinx writes into work/ (MyST-NB puts the notebooks' images beside its output
    # folder, and that must not be the repository); the finished site is moved.
    args = ["-b", "html", "-c", str(DOCS), "-d", str(work / "doctrees"), "-W", "--keep-going",
            "-E", str(src), str(html)]
    if quiet:
        args.insert(0, "-q")
    status = build_main(args)
    if status:
        raise SiteError(f"sphinx-build failed (exit {status}): see the warnings above")
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(html, out)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_site",
                        help="where the site goes (default: _site/)")
    parser.add_argument("--work", type=Path, default=ROOT / "_build" / "site",
                        help="staging and Sphinx's caches (default: _build/site/)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    args = parser.parse_args(argv)
    try:
        seconds = build(args.out.resolve(), args.work.resolve(), quiet=args.quiet)
    except SiteError as err:
        print(f"make site: {err}", file=sys.stderr)
        return 1
    print(f"site built in {seconds:.1f} s: {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
