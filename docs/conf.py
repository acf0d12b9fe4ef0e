"""Sphinx configuration of the course website (built by docs/build.py: `make site`).

The source folder is a staging copy that docs/build.py assembles; this file only
says how to render it.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# autodoc imports dp from this checkout, whatever the current directory; MyST
# imports the heading-anchor function from this folder.
sys.path[:0] = [str(HERE.parent), str(HERE)]

project = "Differentiable programming: how deep learning libraries work inside"
author = "the course's authors"

extensions = [
    "myst_nb",  # notebooks and Markdown (it loads myst_parser)
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",  # Google-style Args:/Returns:/Raises:
    "plain_docstrings",  # dp's plain-text docstrings read safely (docs/plain_docstrings.py)
    "sphinx.ext.mathjax",
    # MathJax 3 bundled in a PyPI package and copied into _static/: the site typesets
    # math offline and depends on no CDN (Sphinx's default loads MathJax from one).
    "sphinx-mathjax-offline",
    # Launch and zip buttons, figures linked full size, row headers (docs/course_site.py).
    "course_site",
]

# The course JupyterHub, e.g. https://hub.example.edu: each lecture's and assignment's
# page then gets a button that opens it there. The one setting for it; without it (as
# in `make site` by default) there is no button, since no hub address is known.
course_hub_url = os.environ.get("DP_SITE_HUB_URL", "")
# The repository's public address for the footer; without it the footer names none.
course_repository_url = os.environ.get("DP_SITE_REPOSITORY_URL", "")

# Notebooks are shown as stored: lectures with their outputs, assignments blank.
nb_execution_mode = "off"
# $...$ and $$...$$ in notebooks' Markdown, and bare \begin{align} blocks.
myst_enable_extensions = ["dollarmath", "amsmath"]
# Every heading gets an anchor, named as Jupyter names it: the notebooks' tables of
# contents link to those (docs/jupyter_anchors.py).
myst_heading_anchors = 6
myst_heading_slug_func = "jupyter_anchors.jupyter_slug"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# A class's "Attributes:" become a field list, not attribute entries: autodoc already
# documents properties such as Node.inputs, and two entries of one name are an error.
napoleon_use_ivar = True

html_theme = "sphinx_book_theme"
html_title = "Differentiable programming"
html_theme_options = {
    # Each notebook page offers its .ipynb (the stored file) for download.
    "use_download_button": True,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    # Course name, licence and (when known) the repository: docs/_templates/.
    "footer_content_items": ["course-footer.html"],
}
# Our templates (the footer; the search button without a mismatched aria-label) and
# styles and script (visible focus, wrapping code, working sidebar toggles).
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_js_files = ["course.js"]
# Sphinx's module index is a one-column table with an empty header (axe: critical);
# the API page lists every module already.
html_domain_indices = False
# The theme's light/dark switch starts from the reader's system setting (without a
# value here the theme's script logs an error on every page).
html_context = {"default_mode": "auto"}
# Its own icon, so that browsers do not ask the server for a missing /favicon.ico.
html_favicon = "favicon.svg"
# Code and docstrings quote with ' and ": typographic quotes would change them.
smartquotes = False
# The download button links to _sources/; keep the notebooks' own suffix there.
html_sourcelink_suffix = ""
html_last_updated_fmt = None

# Warnings are errors (docs/build.py runs Sphinx with -W). A warning that has to be
# ignored goes here with the reason; none is.
suppress_warnings = []
