"""dp's formulas as TeX, for MathJax on the course site (docs/plain_docstrings.py uses it).

dp's docstrings write math in plain Unicode, to be read with help() in a terminal:

    m ← β₁ m + (1 - β₁) g        v ← β₂ v + (1 - β₂) g²     (m = v = 0 at first)
    θ ← θ - α m̂ / (√v̂ + ε)

That stays the one way to write it; the site translates a block of such lines into
TeX (``\\beta_{1}``, ``\\sqrt{\\hat{v}}``, ``\\leftarrow``), one line of the block per line
of the equation, aligned at the first relation, columns kept apart by ``\\qquad`` and a
trailing remark in parentheses set as text. Only a block whose every line is a
formula is translated (is_formula_block): tables of names and formulas, or
examples, stay as written.
"""

from __future__ import annotations

import re

GREEK = {
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon",
    "η": r"\eta", "θ": r"\theta", "λ": r"\lambda", "μ": r"\mu", "π": r"\pi", "ρ": r"\rho",
    "σ": r"\sigma", "τ": r"\tau", "φ": r"\phi", "ω": r"\omega", "Σ": r"\sum", "ℓ": r"\ell",
    "∂": r"\partial", "Δ": r"\Delta",
}
SYMBOLS = {
    "←": r"\leftarrow ", "≈": r"\approx ", "·": r"\cdot ", "*": r"\ast ", "±": r"\pm ",
    "~": r"\sim ", "≤": r"\leq ", "≥": r"\geq ", "×": r"\times ", "{": r"\{", "}": r"\}",
    "%": r"\%", "#": r"\#", "&": r"\&", "$": r"\$",
}
SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖ", "0123456789ijk")
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
FUNCTIONS = {"log", "exp", "max", "min", "tanh", "sin", "cos"}
RELATION = re.compile(r"←|≈|(?<![<>=!])=(?!=)")
TEX_RELATION = re.compile(r"\\leftarrow|\\approx|(?<![<>=!])=(?!=)")
# Something that makes a line math, not prose or code: a Greek letter, an operator.
MATH_SIGN = re.compile(r"[←≈√Σ∂²₁₂ᵢⱼα-ωΓ-Ωℓ·]")
# An identifier, with an optional subscript of one or two letters or digits (Y_ij, x_i).
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# A remark set two spaces or more after the formula: "(v = 0 at first)".
REMARK = re.compile(r"\s{2,}(\([^()]*\b[a-z]{2,}\b[^()]*\))\s*$")
HAT = "\u0302"


def _word(word: str) -> str:
    base, _, sub = word.rpartition("_")
    if not base or not re.fullmatch(r"[a-z0-9]{1,2}", sub):
        base, sub = word, ""
    if len(base) == 1:
        tex = base
    elif base in FUNCTIONS:
        tex = "\\" + base + " "
    else:
        tex = r"\mathrm{" + base.replace("_", r"\_") + "}"
    return tex + (f"_{{{sub}}}" if sub else "")


def _expression(text: str) -> str:
    """One formula, Unicode -> TeX."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        word = WORD.match(text, i)
        if word and (i == 0 or not text[i - 1].isalnum()):
            tex = _word(word.group(0))
            i = word.end()
            if i < len(text) and text[i] == HAT:
                tex, i = r"\hat{" + tex + "}", i + 1
            out.append(tex)
            continue
        sub = re.match(r"_([a-z0-9]{1,2})(?![A-Za-z0-9])", text[i:])
        if sub:  # (Z)_ij, Σ_i
            out.append("_{" + sub.group(1) + "}")
            i += sub.end()
            continue
        if ch == "√":
            # √ applies to the next letter (with its hat) or parenthesised group.
            j = i + 1
            if j < len(text) and text[j] == "(":
                depth, k = 0, j
                while k < len(text):
                    depth += {"(": 1, ")": -1}.get(text[k], 0)
                    if depth == 0:
                        break
                    k += 1
                inner, i = text[j + 1:k], k + 1
            else:
                k = j + 1
                while k < len(text) and (text[k] == HAT or text[k] in "_" or
                                         text[k].translate(SUBSCRIPTS) != text[k]):
                    k += 1
                inner, i = text[j:k], k
            out.append(r"\sqrt{" + _expression(inner) + "}")
            continue
        if ch in GREEK:
            tex, i = GREEK[ch] + " ", i + 1
            if i < len(text) and text[i] == HAT:
                tex, i = r"\hat{" + tex.strip() + "}", i + 1
            out.append(tex)
        elif ch.translate(SUBSCRIPTS) != ch:
            j = i
            while j < len(text) and text[j].translate(SUBSCRIPTS) != text[j]:
                j += 1
            out.append("_{" + text[i:j].translate(SUBSCRIPTS) + "}")
            i = j
        elif ch.translate(SUPERSCRIPTS) != ch:
            j = i
            while j < len(text) and text[j].translate(SUPERSCRIPTS) != text[j]:
                j += 1
            out.append("^{" + text[i:j].translate(SUPERSCRIPTS) + "}")
            i = j
        elif ch == "^":
            # β₁^i: the exponent is the next word or number.
            power = re.match(r"[A-Za-z0-9]+", text[i + 1:])
            exponent = power.group(0) if power else ""
            out.append("^{" + exponent + "}")
            i += 1 + len(exponent)
        else:
            out.append(SYMBOLS.get(ch, ch))
            i += 1
    return "".join(out)


def _columns(line: str) -> list[str]:
    """The formulas of a line set side by side (two spaces or "; " apart), else the line."""
    pieces = [c for c in re.split(r"\s{2,}|;\s+", line.strip()) if c]
    if all(RELATION.search(c) for c in pieces):
        return pieces
    return [re.sub(r"\s+", " ", line.strip())]


def is_formula_block(lines: list[str]) -> bool:
    """Whether each line is one or more formulas (each with a relation and a math sign),
    perhaps with a remark in parentheses at its end."""
    if not lines:
        return False
    for line in lines:
        body = REMARK.sub("", line)
        columns = _columns(body)
        if not columns or not all(RELATION.search(c) for c in columns):
            return False
        left = body.strip()[:RELATION.search(body.strip()).start()].strip()
        if re.search(r"\s{2,}", left):
            return False  # a table: a label, then its formula
        if not MATH_SIGN.search(body) or re.search(r"[a-z]{3,} [a-z]{3,}", body):
            return False  # no math, or prose
    return True


def to_tex(lines: list[str]) -> str:
    """A formula block (is_formula_block) as one TeX equation, a line per line."""
    rows = []
    for line in lines:
        remark = REMARK.search(line)
        body = REMARK.sub("", line) if remark else line
        columns = [_expression(c) for c in _columns(body)]
        first = TEX_RELATION.search(columns[0])
        if len(lines) > 1:  # aligned at the first relation (Sphinx sets it in split)
            at = first.start() if first else 0
            columns[0] = columns[0][:at] + "&" + columns[0][at:]
        row = r" \qquad ".join(columns)
        if remark:
            row += r" \qquad \text{" + remark.group(1) + "}"
        rows.append(row)
    return " \\\\\n".join(rows)
