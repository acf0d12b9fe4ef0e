"""Names a dp module answers to without defining them: the registry behind old names.

A published name must keep working after the code behind it has moved, e.g.
``dp.nn.NeuralNode`` or ``dp.datasets.Mnist``, which :mod:`dp.legacy` defines.
The module that owns the name then must not import its new home (that would tie
the core to the compatibility layer, and make an import circle), so the
dependency is turned around: the new home *registers* the name here, and the
module looks it up on a miss, through its module-level ``__getattr__``
(PEP 562), which Python calls only for names the module does not define::

    # dp/nn.py (knows nothing of dp.legacy)
    __getattr__ = aliases.module_getattr(__name__)

    # dp/legacy.py (imports the core, never the other way round)
    aliases.register("dp.nn", {"NeuralNode": NeuralNode, ...})

``import dp`` imports :mod:`dp.legacy`, so every registered name is there before
any code can ask for it.
"""

__all__ = ["register", "module_getattr"]

_registered = {}  # {module name: {name: object}}


def register(module_name, names):
    """Make ``module_name`` answer to each name of ``names`` ({name: object})."""
    _registered.setdefault(module_name, {}).update(names)


def module_getattr(module_name):
    """A module-level ``__getattr__`` for ``module_name`` that finds registered names."""

    def __getattr__(name):
        try:
            return _registered[module_name][name]
        except KeyError:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}") from None

    return __getattr__
