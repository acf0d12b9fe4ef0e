"""Initial values for the parameters of a layer, and dp's random number generator.

A weight initializer is a function ``(fan_in, fan_out, rng) -> array`` of shape
(fan_in, fan_out): ``fan_in`` inputs go into each unit, ``fan_out`` units come out,
``rng`` is a ``numpy.random.Generator``. A bias initializer has the same arguments
and returns an array of shape (1, fan_out).

Why the scale matters: a unit sums fan_in products w·x. If the weights have
variance Var(w), the sum has about fan_in · Var(w) times the variance of the
inputs, so the scale of the signal is kept from layer to layer when
Var(w) = gain² / fan_in. For ReLU, which zeroes half of its inputs, gain² = 2
(He et al., 2015); for tanh and the logistic function the Glorot/Xavier choice
Var(w) = 2 / (fan_in + fan_out) balances the forward and the backward pass
(Glorot and Bengio, 2010).

A uniform distribution on [-bound, bound] has variance bound² / 3, which is
where the √3 in the uniform bounds below comes from.

Randomness: all of dp (layer initialization, dropout masks, the optimizers'
random mini-batches) draws from one generator, ``generator()``. ``seed(s)`` replaces
it with a fresh one seeded with ``s``, which makes a whole run reproducible.
"""

import numbers

import numpy as np

__all__ = [
    "seed", "generator",
    "he_uniform", "he_normal", "xavier_uniform", "xavier_normal",
    "glorot_uniform", "glorot_normal", "zeros", "normal",
    "bias_uniform", "bias_zeros", "get_initializer", "get_bias_initializer",
]

_generator = np.random.default_rng()


def seed(s) -> None:
    """Make dp's randomness reproducible: replace the shared generator by one seeded with s.

    Args:
        s: a non-negative integer (or anything numpy.random.default_rng accepts).
    """
    global _generator
    _generator = np.random.default_rng(s)


def generator():
    """The numpy.random.Generator that all of dp draws from.

    Ask for it each time you need it (do not keep it): ``seed()`` replaces it.
    """
    return _generator


# -- weight initializers: (fan_in, fan_out, rng) -> (fan_in, fan_out) array ---------

def he_uniform(fan_in, fan_out, rng):
    """He/Kaiming uniform (the default):  W ~ U(-b, b),  b = √(6 / fan_in).

    Var(W) = b²/3 = 2 / fan_in, the ReLU gain² = 2 over fan_in.
    """
    bound = np.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def he_normal(fan_in, fan_out, rng):
    """He/Kaiming normal:  W ~ N(0, σ²),  σ = √(2 / fan_in)."""
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def xavier_uniform(fan_in, fan_out, rng):
    """Xavier/Glorot uniform:  W ~ U(-b, b),  b = √(6 / (fan_in + fan_out))."""
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng):
    """Xavier/Glorot normal:  W ~ N(0, σ²),  σ = √(2 / (fan_in + fan_out))."""
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


glorot_uniform = xavier_uniform
glorot_normal = xavier_normal


def zeros(fan_in, fan_out, rng):
    """All zeros. Fine for biases; for weights every unit of a layer would stay
    identical (same value, same gradient), so use it only to demonstrate that."""
    return np.zeros((fan_in, fan_out))


def normal(std):
    """An initializer W ~ N(0, std²) with a fixed standard deviation, e.g. normal(0.01)."""
    if not isinstance(std, numbers.Real) or not std > 0:
        raise ValueError(f"normal(std): std must be a positive number, got {std!r}")

    def normal_init(fan_in, fan_out, rng):
        return rng.normal(0.0, std, size=(fan_in, fan_out))

    normal_init.__name__ = f"normal({std})"
    return normal_init


# -- bias initializers: (fan_in, fan_out, rng) -> (1, fan_out) array ------------------

def bias_uniform(fan_in, fan_out, rng):
    """The published bias default:  b ~ U(-1/√fan_in, 1/√fan_in)  (as PyTorch's nn.Linear)."""
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=(1, fan_out))


def bias_zeros(fan_in, fan_out, rng):
    """All-zero biases."""
    return np.zeros((1, fan_out))


WEIGHT_INITIALIZERS = {
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "kaiming_uniform": he_uniform,
    "kaiming_normal": he_normal,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "glorot_uniform": xavier_uniform,
    "glorot_normal": xavier_normal,
    "zeros": zeros,
}

BIAS_INITIALIZERS = {
    "uniform": bias_uniform,
    "zeros": bias_zeros,
}


def _lookup(table, init, what):
    if callable(init):
        return init
    if isinstance(init, str) and init in table:
        return table[init]
    raise ValueError(f"unknown {what} initializer {init!r}: use one of "
                     f"{', '.join(sorted(table))}, or a function "
                     f"(fan_in, fan_out, rng) -> array")


def get_initializer(init):
    """The weight initializer for a name like "he_uniform", or ``init`` itself if callable."""
    return _lookup(WEIGHT_INITIALIZERS, init, "weight")


def get_bias_initializer(init):
    """The bias initializer for "uniform" or "zeros", or ``init`` itself if callable."""
    return _lookup(BIAS_INITIALIZERS, init, "bias")


def initial_value(init, fan_in, fan_out, shape, dtype, what):
    """Call initializer ``init`` and check that it returned an array of ``shape``.

    Args:
        init: an initializer, (fan_in, fan_out, rng) -> array.
        fan_in: the number of inputs of the layer.
        fan_out: the number of outputs of the layer.
        shape: the shape the value must have.
        dtype: the dtype of the result.
        what: the parameter's name, for the error.

    Returns:
        A new array of ``dtype``.

    Raises:
        ValueError: if the initializer returned another shape.
        TypeError: if it returned something other than real numbers.
    """
    value = np.asarray(init(fan_in, fan_out, generator()))
    if value.shape != shape:
        name = getattr(init, "__name__", repr(init))
        raise ValueError(f"{what}: initializer {name} returned shape {value.shape}, "
                         f"expected {shape} for fan_in={fan_in}, fan_out={fan_out}")
    if value.dtype.kind not in "biuf":
        raise TypeError(f"{what}: initializer returned an array of dtype {value.dtype}, "
                        f"expected real numbers")
    return value.astype(dtype, copy=False)
