"""Heading anchors as Jupyter makes them, so that notebooks' own links work on the site.

JupyterLab (and the classic notebook) give each Markdown heading the id of its text
with spaces replaced by hyphens, case and punctuation kept ("1. Computational
graphs" -> "1.-Computational-graphs"); the lectures' tables of contents link to
those. MyST would make GitHub-style slugs ("1-computational-graphs") and leave the
links broken. docs/conf.py names this function in `myst_heading_slug_func`.
"""


def jupyter_slug(title: str) -> str:
    """The id JupyterLab gives a heading whose text is `title`."""
    return title.strip().replace(" ", "-")
