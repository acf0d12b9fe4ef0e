"""Sphinx extension for the course website: what readers need that the theme lacks.

- Each notebook's page starts with a bar: its time estimate (from course/README.md's
  table, passed on by docs/build.py), a button that opens it on the course JupyterHub
  (only when one setting, ``course_hub_url``, is given: ``DP_SITE_HUB_URL`` at build
  time), and, for an assignment, its whole folder as a zip built with the site.
- Figures link to their full-size file (wide graphs are unreadable shrunk into the
  column): Sphinx links an image to its file when the image has a size, so each gets
  its natural width, which is what the browser would give it anyway (the stylesheet
  still shrinks it to the column).
- A table whose first header cell is empty (a row-label column) gets that column as
  row headers: otherwise its first cells are data cells with no header (axe:
  td-has-header, critical).
- The API reference documents each object once: a class member that is another
  name for something documented under its own name (``Model.Dropout``, the
  notebooks' name for ``Model.Dropout_Layer``; ``NeuralNode.Model``, which is
  ``dp.nn.Model``) is left out, so search lists the object once. The class's
  docstring names the alias.
"""

from __future__ import annotations

import inspect
import json
import zipfile
from pathlib import Path
from urllib.parse import quote

from docutils import nodes

# Written by docs/build.py into the staging folder: notebook path -> its time estimate.
COURSE_DATA = "_course.json"


def launch_url(hub: str, notebook: str) -> str:
    """The URL that opens `notebook` (its path in the repository) on the course hub.

    JupyterHub's ``/hub/user-redirect/`` sends a logged-in user to their own server
    (and a logged-out one through the login first); ``lab/tree/<path>`` opens the file
    in JupyterLab. The path is where a student has the notebook: an assignment
    release/<A>/<nb> in ~/<A>/<nb>, where nbgrader's fetch (the Assignments tab) and
    `make lab` (as work/<A>/) put it; a lecture course/<nb> in ~/course/<nb>.
    """
    parts = notebook.split("/")
    path = "/".join(parts[1:]) if parts[0] == "release" else notebook
    return f"{hub.rstrip('/')}/hub/user-redirect/lab/tree/{quote(path)}"


def assignment_zip(notebook: str) -> str | None:
    """The zip's file name, beside the page, for an assignment notebook; else None."""
    parts = notebook.split("/")
    return f"{parts[1]}.zip" if parts[0] == "release" and len(parts) == 3 else None


def _notebook_of(app, docname: str) -> str | None:
    path = app.env.doc2path(docname, False)
    return Path(path).as_posix() if str(path).endswith(".ipynb") else None


def action_bar(app, docname: str) -> nodes.raw | None:
    notebook = _notebook_of(app, docname)
    if notebook is None:
        return None
    times = json.loads((Path(app.srcdir) / COURSE_DATA).read_text(encoding="utf-8"))
    items = []
    if notebook in times:
        items.append(f'<span class="course-time">Time: about {times[notebook]}</span>')
    if app.config.course_hub_url:
        url = launch_url(app.config.course_hub_url, notebook)
        items.append(f'<a class="course-launch" href="{url}">Open on the course hub</a>')
    archive = assignment_zip(notebook)
    if archive:
        items.append(f'<a class="course-zip" href="{archive}" download>'
                     "Download the assignment folder (.zip)</a>")
    if not items:
        return None
    return nodes.raw("", '<div class="course-actions">' + "".join(items) + "</div>",
                     format="html")


def _row_headers(table: nodes.table) -> None:
    for tgroup in table.findall(nodes.tgroup):
        heads = list(tgroup.findall(nodes.thead))
        if not heads:
            continue
        first = next(heads[0].findall(nodes.entry), None)
        if first is not None and not first.astext().strip():
            colspecs = list(tgroup.findall(nodes.colspec))
            if colspecs:
                colspecs[0]["stub"] = 1


def _natural_size(app, uri: str) -> tuple[int, int] | None:
    """An image file's size in CSS pixels (SVG pt converted), from srcdir-relative `uri`."""
    from sphinx.util.images import get_image_size

    path = Path(app.srcdir) / uri
    return get_image_size(str(path)) if path.is_file() else None


def on_doctree_resolved(app, doctree, docname):
    for table in doctree.findall(nodes.table):
        _row_headers(table)
    for image in doctree.findall(nodes.image):
        if not any(key in image for key in ("width", "height", "scale")):
            size = _natural_size(app, image["uri"])
            if size:
                image["width"] = f"{size[0]}px"
    bar = action_bar(app, docname)
    if bar is not None:
        section = next(doctree.findall(nodes.section), None)
        if section is not None:
            # After the page's title, before its first paragraph.
            title = next(iter(section.findall(nodes.title)), None)
            section.insert(section.index(title) + 1 if title is not None else 0, bar)


def on_build_finished(app, exception):
    """Zip each assignment folder (the staged copy of release/<A>/) beside its page."""
    if exception is not None or app.builder.format != "html":
        return
    for folder in sorted((Path(app.srcdir) / "release").glob("*/")):
        target = Path(app.outdir) / "release" / folder.name / f"{folder.name}.zip"
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, Path(folder.name) / path.relative_to(folder))


def alias_member(obj, name: str) -> bool:
    """Whether a class member `name` holding `obj` is another name for it.

    A function or class knows the name it was defined under (``__qualname__``): a method
    alias ends in another name; a top-level class held by a class has no enclosing
    class in it (a class defined inside the class would be ``Outer.Inner``).
    """
    qualname = getattr(obj, "__qualname__", None)
    if not isinstance(qualname, str) or not (inspect.isclass(obj) or inspect.isroutine(obj)):
        return False
    return qualname.rpartition(".")[2] != name or (inspect.isclass(obj) and "." not in qualname)


def on_skip_member(app, what, name, obj, skip, options):
    if what == "class" and alias_member(obj, name):
        return True
    return None


def on_html_page_context(app, pagename, templatename, context, doctree):
    context["course_repository_url"] = app.config.course_repository_url


def setup(app):
    app.add_config_value("course_hub_url", "", "html", types=[str])
    app.add_config_value("course_repository_url", "", "html", types=[str])
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("build-finished", on_build_finished)
    app.connect("html-page-context", on_html_page_context)
    app.connect("autodoc-skip-member", on_skip_member)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
