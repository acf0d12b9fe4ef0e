"""Sphinx extension: show dp's docstrings as their authors wrote them, warning-free.

dp's docstrings are written to be read with help() in a notebook: plain text with
Unicode math, aligned tables and hanging indents ("θ ← θ - α g", "|entry|",
"f(**kwargs)"). Read as reStructuredText, that text is mangled (alignment lost) or
raises warnings (| is a substitution, * emphasis, indentation a block quote). Before
napoleon reads the Google sections, this hook:

- turns each indented block of formulas into a math block, translated to TeX
  (docs/unicode_math.py), which MathJax typesets; the docstring itself keeps its
  Unicode math, which help() shows as written;
- keeps each other paragraph that has an indented line (a table, an example,
  a hanging list) as a literal block, so its alignment and math show as written;
- escapes the characters reStructuredText would take as markup in the other text;
- leaves the Google sections (Args:, Returns:, Raises:, ...) to napoleon, escaped
  the same way.
"""

from __future__ import annotations

import re

from unicode_math import is_formula_block, to_tex

GOOGLE_SECTION = re.compile(
    r"(Args|Arguments|Parameters|Keyword Args|Keyword Arguments|Other Parameters|Returns?|Yields?|"
    r"Raises|Attributes|Methods|Examples?|Notes?|Warnings?|Warns|See Also|References|Todo):\s*$")
# | starts a substitution, * emphasis, a word ending in _ a reference.
MARKUP = re.compile(r"([|*\\])|(?<=\w)_(?=\W|$)")


CODE = re.compile(r"(``.+?``|`[^`]+`)")


def escape(line: str) -> str:
    """`line` with reStructuredText's markup characters escaped, outside `code`."""
    parts = CODE.split(line)
    return "".join(part if i % 2 else MARKUP.sub(lambda m: "\\" + m.group(0), part)
                   for i, part in enumerate(parts))


def _paragraphs(lines: list[str]):
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def plain_to_rst(lines: list[str]) -> list[str]:
    """The docstring `lines` (dedented, as autodoc gives them) as safe reStructuredText."""
    out: list[str] = []
    free: list[str] = []

    def flush():
        after_literal = False
        for paragraph in _paragraphs(free):
            if after_literal:
                # reStructuredText's own literal block ("...::" then indented text).
                out.extend(paragraph + [""])
            elif (all(line[:1].isspace() for line in paragraph)
                  and is_formula_block([line.strip() for line in paragraph])):
                tex = to_tex([line.strip() for line in paragraph])
                out.extend([".. math::", ""] + ["   " + line for line in tex.splitlines()] + [""])
            elif any(line[:1].isspace() for line in paragraph):
                out.extend(["::", ""] + ["    " + line for line in paragraph] + [""])
            else:
                out.extend([escape(line) for line in paragraph] + [""])
            after_literal = (paragraph[-1].rstrip().endswith("::")
                             or (after_literal and paragraph[0][:1].isspace()))
        free.clear()

    in_section = False
    for line in lines:
        if GOOGLE_SECTION.match(line):
            flush()
            in_section = True
            out.append(line)
        elif in_section and (not line.strip() or line[:1].isspace()):
            out.append(escape(line))
        else:
            if in_section:
                out.append("")
            in_section = False
            free.append(line)
    flush()
    return out


def _process(app, what, name, obj, options, lines):
    lines[:] = plain_to_rst(list(lines))


def setup(app):
    # Before napoleon (priority 500), which turns the Google sections into fields.
    app.connect("autodoc-process-docstring", _process, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
