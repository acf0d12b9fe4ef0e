"""dp's layers point one way: the teaching modules know nothing of dp.legacy.

dp.legacy builds the 2019 names from public names of the core and registers them
with dp.aliases; the core never imports it. Read from the source (AST), so an
import hidden inside a function counts too.
"""

import ast
import pydoc
from pathlib import Path

import pytest

import dp
import dp.legacy
import dp.nn
import dp.optim

DP = Path(dp.__file__).parent
# The package's __init__ is the facade that imports the compatibility layer on purpose.
CORE = sorted(p for p in DP.glob("*.py") if p.name not in {"legacy.py", "__init__.py"})


def _imports(path):
    """(module, [names]) for every import statement of ``path``, at any depth."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", [alias.name for alias in node.names]


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_no_teaching_module_imports_dp_legacy(path):
    for module, names in _imports(path):
        assert module != "dp.legacy" and not (module == "dp" and "legacy" in names), \
            f"{path.name} imports dp.legacy"


def test_dp_legacy_uses_only_public_names_of_the_core():
    private = [(module, name) for module, names in _imports(DP / "legacy.py")
               if module.startswith("dp") for name in names if name.startswith("_")]
    assert private == []


@pytest.mark.parametrize("cls", [dp.nn.Model, dp.optim.Optimizer, dp.nn.Dense])
def test_no_2019_class_among_the_bases(cls):
    assert all(base.__module__ != "dp.legacy" for base in cls.__mro__)
    assert "dp.legacy" not in pydoc.render_doc(cls)
