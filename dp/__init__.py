"""dp: a small NumPy library for differentiable programming, written to be read.

Low level:  `Node` builds a computational graph as you compute, and `grad`
            runs reverse-mode automatic differentiation over it.
"""

from dp.node import Node

__all__ = ["Node"]
__version__ = "1.0.0"
