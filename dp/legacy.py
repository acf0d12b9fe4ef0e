"""Everything that exists only so that code written for the 2019 course runs unchanged.

The teaching modules (``dp.nn``, ``dp.optim``, ``dp.datasets``) say things one
way; the paper, the 2019 notebooks and the exercises built on them said some of
them another way. Those other ways live here, and the published names point
here, so old code keeps running:

================================  ===============================================
2019 code                         what it gets
================================  ===============================================
``from dp import NeuralNode``     :class:`NeuralNode`, whose layer factories
``nn = NeuralNode``               return ``(forward_fn, param)``
``nn._ReLu_Layer(...)``           the same factories, as names of ``dp.nn``
``class Net(nn.Model)``           ``NeuralNode.Model`` is ``dp.nn.Model``
``Mnist(data_dir)``               :class:`Mnist`, the ``deep_teaching_commons``
                                  loader, also as ``dp.datasets.Mnist``
================================  ===============================================

Two more 2019 habits are the core's own business, since they concern how its
classes are subclassed: a ``Model`` subclass that never calls
``super().__init__()`` (``Model.__new__`` gives every model its defaults), and an
``Optimizer`` subclass that defines the hook ``_set_param`` (the old name of
``_set_hyperparam``; see ``Optimizer.__init_subclass__``).

This module depends on the core, never the other way round: it uses only public
names of ``dp.nn`` and ``dp.datasets``, and it registers the names that
``dp.nn`` and ``dp.datasets`` answer to with :mod:`dp.aliases`, so neither of
them imports this module.

New code needs none of this: use ``Model``'s layer methods, ``Optimizer``
subclasses with ``defaults``, and ``dp.datasets.load_mnist``.
"""

import numpy as np

from dp import aliases
from dp.nn import Dense, Model, check_layer_name, parameter_name

__all__ = ["NeuralNode", "nn", "Mnist"]


# -- the 2019 layer factories ---------------------------------------------------------


def _given_value(value, shape, what):
    """An initializer that returns the caller's array (checked against ``shape``)."""
    value = np.asarray(value)
    if value.shape != shape:
        raise ValueError(f"{what} has shape {value.shape}, expected {shape}")
    return lambda fan_in, fan_out, rng: value


def _dense(activation, fan_in, fan_out, name, param, init, bias_init):
    """A ``Dense`` layer and its parameter dict, which is ``param`` when one is given.

    The 2019 API: ``param`` holding ``"<name>_weight"`` and ``"<name>_bias"``
    gives the layer those values; an empty dict is filled with the initial
    values. Either way the layer reads its parameters from that very dict.
    """
    if param is not None:
        check_layer_name(name)
        names = {parameter_name(name, "weight"): (fan_in, fan_out),
                 parameter_name(name, "bias"): (1, fan_out)}
        given = [key for key in names if key in param]
        if len(given) == 1:
            raise ValueError(f"layer {name!r}: param holds {given[0]!r} but not the other "
                             f"one of {list(names)}; give both or neither")
        if given:
            init, bias_init = (_given_value(param[key], shape, f"layer {name!r}: param[{key!r}]")
                               for key, shape in names.items())
    layer = Dense(fan_in, fan_out, name, activation, init, bias_init)
    if param is not None:
        param.update(layer.param)
        layer.param = param
    return layer, layer.param


def _factory(method_name, activation, formula):
    def factory(fan_in, fan_out, name=None, param=None, init="he_uniform",
                bias_init="uniform"):
        return _dense(activation, fan_in, fan_out, name, param, init, bias_init)

    factory.__name__, factory.__qualname__ = method_name, f"NeuralNode.{method_name}"
    factory.__doc__ = f"A layer {formula}: returns (forward_fn, param), see NeuralNode."
    return staticmethod(factory)


class NeuralNode:
    """The 2019 layer factories: each returns ``(forward_fn, param)``.

    ``forward_fn`` maps a batch Node X to the layer's output; ``param`` is the
    dict ``{"<name>_weight": W, "<name>_bias": b}`` it reads from (pass your
    own dict holding both to reuse values, or an empty one to be filled).
    ``Model``'s layer methods make the same layers.
    """

    Model = Model
    _sep = "_"

    @staticmethod
    def _get_fullname(name, suffix):
        return parameter_name(name, suffix)

    _Linear_Layer = _factory("_Linear_Layer", None, "X · W + b")
    _ReLu_Layer = _factory("_ReLu_Layer", "relu", "max(0, X · W + b)")
    _Sigmoid_Layer = _factory("_Sigmoid_Layer", "sigmoid", "σ(X · W + b)")
    _Tanh_Layer = _factory("_Tanh_Layer", "tanh", "tanh(X · W + b)")


# The 2019 notebooks say `nn = NeuralNode` and `class Net(nn.Model)`.
nn = NeuralNode

# Names that dp.nn also answers to (`from dp import nn` gives that module, so it
# must know the published alias: nn._ReLu_Layer(...), class Net(nn.Model)).
aliases.register("dp.nn", {
    "NeuralNode": NeuralNode,
    "nn": NeuralNode,
    "_get_fullname": NeuralNode._get_fullname,
    "_Linear_Layer": NeuralNode._Linear_Layer,
    "_ReLu_Layer": NeuralNode._ReLu_Layer,
    "_Sigmoid_Layer": NeuralNode._Sigmoid_Layer,
    "_Tanh_Layer": NeuralNode._Tanh_Layer,
})


# -- the deep_teaching_commons MNIST loader -------------------------------------------


class Mnist:
    """Stand-in for ``deep_teaching_commons.data.fundamentals.mnist.Mnist``.

    Old notebooks keep working after changing only their import::

        from dp.datasets import Mnist
        mnist_loader = Mnist(data_dir)
        train_images, train_labels, test_images, test_labels = mnist_loader.get_all_data(
            flatten=True, one_hot_enc=True, normalized=True)

    Unlike the original, it verifies the files, repairs damaged ones, also
    finds copies outside ``data_dir`` (see :func:`dp.datasets.load_mnist`), and
    honours ``DP_MNIST_VARIANT``. Differences in the numbers: normalized pixels
    are divided by 255 (the original divided by 256, so 1.0 was never reached)
    and are float64 (the original gave float32).

    Args:
        data_dir: a folder to look in first and to download into.
        auto_download: fetch the files now (and when loading, if needed).
        verbose: print the verified paths, as the original did.
        variant: ``"digits"``, ``"fashion"`` or None (see ``load_mnist``).
    """

    def __init__(self, data_dir=None, auto_download=True, verbose=True, variant=None):
        # dp.datasets is imported when used, as `import dp` does: it needs the
        # network stack, which code that never loads data should not pay for.
        from dp import datasets

        self.data_dir = data_dir
        self.auto_download = auto_download
        self.verbose = verbose
        self.variant = datasets.resolve_variant(variant)
        if auto_download:
            self.download()

    def download(self):
        """Make sure the files are available (downloading them if needed)."""
        from dp import datasets

        paths = datasets.fetch_mnist(self.variant, self.data_dir)
        if self.verbose:
            print(f"{datasets.TITLES[self.variant]} files verified:", *paths, sep="\n  ")

    def get_all_data(self, one_hot_enc=None, flatten=True, normalized=None):
        """The four arrays, as the original returned them.

        Args:
            one_hot_enc: labels as one-hot rows (else integers 0-9).
            flatten: images as 784-vectors (else 28x28).
            normalized: pixels as float64 in [0, 1] (else uint8 in 0..255,
                as the original class returned them).

        Returns:
            ``train_images, train_labels, test_images, test_labels``.
        """
        from dp import datasets

        # One-hot labels were float64 in the original, whatever the images were.
        x_train, y_train, x_test, y_test = datasets.load_mnist(
            self.variant, self.data_dir, flatten=flatten, one_hot=False,
            normalized=bool(normalized), dtype=np.float64 if normalized else np.uint8,
            download=self.auto_download)
        if one_hot_enc:
            y_train, y_test = self.to_one_hot_enc(y_train), self.to_one_hot_enc(y_test)
        return x_train, y_train, x_test, y_test

    @staticmethod
    def to_one_hot_enc(labels):
        """Integer labels 0-9 as one-hot rows (float64), e.g. 2 -> [0, 0, 1, 0, ...]."""
        return np.eye(10)[labels]


aliases.register("dp.datasets", {"Mnist": Mnist})
