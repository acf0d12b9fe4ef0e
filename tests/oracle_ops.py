"""The registry of Node operations that the parametrized tests run over.

Each `Op` says how to apply one operation to dp Nodes (`dp`) and how to write the
same computation with `autograd.numpy` (`ag`), the independent oracle for both the
forward value and the gradient. `shapes(m, n, k)` gives the input shapes for
small sizes m, n, k >= 1, and `domain` says where inputs must come from:

    "real"     any value in [-2, 2]
    "positive" values in [0.5, 2]          (log, sqrt, non-integer powers)
    "away0"    |value| in [0.5, 2]         (denominators, kinks of abs/relu)

Adding an operation to dp means adding one record here; every test that
parametrizes over OPS then checks it.
"""

from collections.abc import Callable
from dataclasses import dataclass

import autograd.numpy as anp
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

DOMAINS = {"real": (-2.0, 2.0), "positive": (0.5, 2.0), "away0": (0.5, 2.0)}


@dataclass(frozen=True)
class Op:
    name: str
    dp: Callable
    ag: Callable
    arity: int = 1
    domain: str = "real"
    shapes: Callable = lambda m, n, k: ((m, n),)

    def __repr__(self):  # shows up in pytest ids and failure messages
        return self.name


def same(m, n, k):
    return ((m, n), (m, n))


def _big(m, n, k):  # indexing ops need a few rows and columns to pick from
    return ((m + 2, n + 2),)


def _ag_softmax(x):
    e = anp.exp(x - anp.max(x, axis=1, keepdims=True))
    return e / anp.sum(e, axis=1, keepdims=True)


def _ag_log_softmax(x):
    z = x - anp.max(x, axis=1, keepdims=True)
    return z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))


def _ag_total(f):
    return lambda x: anp.reshape(f(x), (1, 1))


ROWS, COLS = np.array([0, 2, 0, 1]), np.array([1, 1, 1, 0])  # repeats on purpose

OPS = [
    # binary element-wise (broadcasting is covered separately in test_node_ops)
    Op("add", lambda a, b: a + b, lambda a, b: a + b, 2, shapes=same),
    Op("sub", lambda a, b: a - b, lambda a, b: a - b, 2, shapes=same),
    Op("mul", lambda a, b: a * b, lambda a, b: a * b, 2, shapes=same),
    Op("div", lambda a, b: a / b, lambda a, b: a / b, 2, "away0", same),
    # unary arithmetic
    Op("neg", lambda a: -a, lambda a: -a),
    Op("pow_3", lambda a: a**3, lambda a: a**3),
    Op("pow_2.0", lambda a: a**2.0, lambda a: a**2.0),
    Op("pow_0.5", lambda a: a**0.5, lambda a: a**0.5, domain="positive"),
    Op("pow_-1.5", lambda a: a**-1.5, lambda a: a**-1.5, domain="positive"),
    Op("pow_-1", lambda a: a**-1, lambda a: a**-1.0, domain="away0"),
    # matrix product
    Op("dot", lambda a, b: a.dot(b), anp.dot, 2,
       shapes=lambda m, n, k: ((m, k), (k, n))),
    Op("matmul", lambda a, b: a @ b, anp.dot, 2,
       shapes=lambda m, n, k: ((m, k), (k, n))),
    Op("transpose", lambda a: a.transpose(), anp.transpose),
    Op("T", lambda a: a.T, anp.transpose),
    # element-wise functions
    Op("exp", lambda a: a.exp(), anp.exp),
    Op("log", lambda a: a.log(), anp.log, domain="positive"),
    Op("square", lambda a: a.square(), anp.square),
    Op("sqrt", lambda a: a.sqrt(), anp.sqrt, domain="positive"),
    Op("abs", lambda a: a.abs(), anp.abs, domain="away0"),
    Op("relu", lambda a: a.relu(), lambda a: anp.maximum(a, 0.0), domain="away0"),
    Op("leaky_relu", lambda a: a.leaky_relu(),
       lambda a: anp.where(a > 0, a, 0.01 * a), domain="away0"),
    Op("leaky_relu_0.2", lambda a: a.leaky_relu(alpha=0.2),
       lambda a: anp.where(a > 0, a, 0.2 * a), domain="away0"),
    Op("sigmoid", lambda a: a.sigmoid(), lambda a: 1.0 / (1.0 + anp.exp(-a))),
    Op("tanh", lambda a: a.tanh(), anp.tanh),
    # reductions (results stay 2-D)
    Op("sum", lambda a: a.sum(), _ag_total(anp.sum)),
    Op("sum_axis0", lambda a: a.sum(axis=0), lambda a: anp.sum(a, axis=0, keepdims=True)),
    Op("sum_axis1", lambda a: a.sum(axis=1), lambda a: anp.sum(a, axis=1, keepdims=True)),
    Op("mean", lambda a: a.mean(), _ag_total(anp.mean)),
    Op("mean_axis0", lambda a: a.mean(axis=0), lambda a: anp.mean(a, axis=0, keepdims=True)),
    Op("mean_axis1", lambda a: a.mean(axis=1), lambda a: anp.mean(a, axis=1, keepdims=True)),
    # row-wise normalisations
    Op("softmax", lambda a: a.softmax(), _ag_softmax),
    Op("log_softmax", lambda a: a.log_softmax(), _ag_log_softmax),
    # structure
    Op("concatenate_axis0", lambda a, b: a.concatenate(b, axis=0),
       lambda a, b: anp.concatenate([a, b], axis=0), 2,
       shapes=lambda m, n, k: ((m, n), (k, n))),
    Op("concatenate_axis1", lambda a, b: a.concatenate(b, axis=1),
       lambda a, b: anp.concatenate([a, b], axis=1), 2,
       shapes=lambda m, n, k: ((m, n), (m, k))),
    Op("reshape_swap", lambda a: a.reshape((a.shape[1], a.shape[0])),
       lambda a: anp.reshape(a, (a.shape[1], a.shape[0]))),
    Op("reshape_column", lambda a: a.reshape((a.shape[0] * a.shape[1], 1)),
       lambda a: anp.reshape(a, (a.shape[0] * a.shape[1], 1))),
    # indexing (the result stays 2-D)
    Op("getitem_slices", lambda a: a[1:3, ::2], lambda a: a[1:3, ::2], shapes=_big),
    Op("getitem_int_row", lambda a: a[1, :], lambda a: a[1:2, :], shapes=_big),
    Op("getitem_int_col", lambda a: a[:, 2], lambda a: a[:, 2:3], shapes=_big),
    Op("getitem_int_arrays", lambda a: a[ROWS, COLS],
       lambda a: anp.reshape(a[ROWS, COLS], (-1, 1)), shapes=_big),
    Op("getitem_int_array_rows", lambda a: a[ROWS, :], lambda a: a[ROWS, :], shapes=_big),
]

OPS_BY_NAME = {op.name: op for op in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"


def elements(domain):
    """Hypothesis strategy for one float in `domain`."""
    lo, hi = DOMAINS[domain]
    positive = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if domain == "away0":
        return st.one_of(positive, positive.map(lambda v: -v))
    return positive


def array_strategy(shape, domain="real", dtype=np.float64):
    return arrays(np.float64, shape, elements=elements(domain)).map(
        lambda a: a.astype(dtype))


def sample(shape, domain="real", rng=None, dtype=np.float64):
    """The same domain for plain NumPy random inputs (non-Hypothesis tests)."""
    rng = np.random.default_rng(0) if rng is None else rng
    lo, hi = DOMAINS[domain]
    x = rng.uniform(lo, hi, size=shape)
    if domain == "away0":
        x = x * rng.choice([-1.0, 1.0], size=shape)
    return x.astype(dtype)
