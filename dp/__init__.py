"""dp: a small NumPy library for differentiable programming, written to be read.

Low level    Node            a 2-D array in a computational graph; out.grad(1)
                             runs reverse-mode automatic differentiation
High level   Model           layers (ReLu_Layer, Linear_Layer, ...) and parameters
             SGD, SGD_Momentum, RMS_Prop, Adam      optimizers (dp.optim)
             dp.losses, dp.init (seed), dp.utils    losses, initializers, helpers
Teaching     gradcheck, numerical_gradient          numeric gradient checks
             dp.viz          draw(node), loss curves, gradient magnitudes
Data         dp.datasets     MNIST and Fashion-MNIST, verified, offline-friendly

Every name here is part of the stable API: exercises written against it keep
running.
"""

import importlib

from dp import init, losses, nn, optim, utils
from dp.gradcheck import gradcheck, numerical_gradient
from dp.init import seed
# dp.legacy also registers the 2019 names that dp.nn and dp.datasets answer to.
from dp.legacy import NeuralNode
from dp.nn import Model
from dp.node import Node
from dp.optim import SGD, Adam, Optimizer, RMS_Prop, SGD_Momentum

__all__ = [
    "Node",
    "Model", "NeuralNode", "nn",
    "Optimizer", "SGD", "SGD_Momentum", "RMS_Prop", "Adam",
    "seed", "init", "losses", "optim", "utils",
    "gradcheck", "numerical_gradient",
    "datasets", "viz",
]
__version__ = "1.0.0"

# Imported on first use: `import dp` stays quick and needs neither the network
# stack (datasets) nor graphviz (viz) until they are used.
_LAZY_MODULES = {"datasets", "viz"}


def __getattr__(name):
    if name in _LAZY_MODULES:
        return importlib.import_module(f"dp.{name}")
    raise AttributeError(f"module 'dp' has no attribute {name!r}")
