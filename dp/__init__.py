"""dp: a small NumPy library for differentiable programming, written to be read.

Low level:  `Node` builds a computational graph as you compute, and `grad`
            runs reverse-mode automatic differentiation over it.
Modules:    dp.datasets (MNIST, Fashion-MNIST).
"""

import importlib

from dp.node import Node

__all__ = ["Node", "datasets"]
__version__ = "1.0.0"

# Imported on first use: `import dp` stays quick and needs no network stack.
_LAZY_MODULES = {"datasets"}


def __getattr__(name):
    if name in _LAZY_MODULES:
        return importlib.import_module(f"dp.{name}")
    raise AttributeError(f"module 'dp' has no attribute {name!r}")
