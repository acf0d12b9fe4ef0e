"""Every Node operation against independent oracles.

Forward values and gradients are compared with HIPS autograd (the same
computation written with autograd.numpy, see oracle_ops.py) and gradients also
with central finite differences of dp's own forward pass.
"""

import operator
import warnings

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dp import Node
from oracle_ops import OPS, OPS_BY_NAME, array_strategy, sample

NAMES = ("x0", "x1")


@st.composite
def op_case(draw, op):
    """Inputs in the op's domain and a random seed of the output's shape."""
    m, n, k = (draw(st.integers(1, 4)) for _ in range(3))
    xs = [draw(array_strategy(s, op.domain)) for s in op.shapes(m, n, k)]
    seed = draw(array_strategy(np.shape(op.ag(*xs))))
    return xs, seed


def autograd_grads(f, xs, seed):
    """Gradients of sum(f(*xs) * seed) with respect to each input, by autograd."""
    def scalar(*args):
        return anp.sum(f(*args) * seed)
    return [autograd.grad(scalar, i)(*xs) for i in range(len(xs))]


def finite_difference_grads(f, xs, seed, eps=1e-6):
    """Central differences of sum(f(*xs) * seed), one element at a time."""
    grads = []
    for i, x in enumerate(xs):
        g = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            plus = [a.copy() for a in xs]
            minus = [a.copy() for a in xs]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            g[idx] = (np.sum(f(*plus) * seed) - np.sum(f(*minus) * seed)) / (2 * eps)
        grads.append(g)
    return grads


def dp_forward(op):
    """dp's forward pass as a plain function of arrays (unnamed leaves)."""
    return lambda *arrays: op.dp(*(Node(a) for a in arrays)).value


@pytest.mark.parametrize("op", OPS, ids=str)
@given(data=st.data())
def test_forward_and_gradient_match_autograd(op, data):
    xs, seed = data.draw(op_case(op))
    leaves = [Node(x, name) for x, name in zip(xs, NAMES)]
    out = op.dp(*leaves)
    expected = op.ag(*xs)
    assert isinstance(out, Node)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.value, expected, rtol=1e-10, atol=1e-12)

    grads = out.grad(seed)
    assert set(grads) == set(NAMES[: op.arity])
    for name, x, g in zip(NAMES, xs, autograd_grads(op.ag, xs, seed)):
        assert grads[name].shape == x.shape, name
        np.testing.assert_allclose(grads[name], g, rtol=1e-9, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("op", OPS, ids=str)
@given(data=st.data())
def test_gradient_matches_finite_differences(op, data):
    xs, seed = data.draw(op_case(op))
    grads = op.dp(*(Node(x, name) for x, name in zip(xs, NAMES))).grad(seed)
    fd = finite_difference_grads(dp_forward(op), xs, seed)
    for name, g in zip(NAMES, fd):
        np.testing.assert_allclose(grads[name], g, rtol=1e-5, atol=1e-6, err_msg=name)


# ---------------------------------------------------------------- broadcasting

BINARY = ["add", "sub", "mul", "div"]
M, N = 3, 2
PATTERNS = [(M, N), (1, N), (M, 1), (1, 1)]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("left", PATTERNS, ids=str)
@pytest.mark.parametrize("right", PATTERNS, ids=str)
@given(data=st.data())
def test_broadcasting_reduces_each_gradient_to_its_operand(name, left, right, data):
    op = OPS_BY_NAME[name]
    xs = [data.draw(array_strategy(left)), data.draw(array_strategy(right, op.domain))]
    expected = op.ag(*xs)
    seed = data.draw(array_strategy(expected.shape))
    out = op.dp(Node(xs[0], "x0"), Node(xs[1], "x1"))
    np.testing.assert_allclose(out.value, expected, rtol=1e-12)
    grads = out.grad(seed)
    for leaf, x, g in zip(NAMES, xs, autograd_grads(op.ag, xs, seed)):
        assert grads[leaf].shape == x.shape, leaf
        np.testing.assert_allclose(grads[leaf], g, rtol=1e-10, atol=1e-12, err_msg=leaf)


CONSTANTS = {
    "number": 2.5,
    "int": 3,
    "array_mn": sample((M, N), "away0", np.random.default_rng(1)),
    "array_1n": sample((1, N), "away0", np.random.default_rng(2)),
    "array_m1": sample((M, 1), "away0", np.random.default_rng(3)),
}
PYOPS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("const", CONSTANTS, ids=str)
@pytest.mark.parametrize("node_shape", [(M, N), (1, 1)], ids=str)
@pytest.mark.parametrize("const_on_left", [True, False], ids=["const_left", "const_right"])
def test_numbers_and_arrays_on_either_side(name, const, node_shape, const_on_left):
    """`2.0 - node`, `ndarray * node`, `1 / node`, `node / ndarray`, ..."""
    c, f = CONSTANTS[const], PYOPS[name]
    x = sample(node_shape, "away0", np.random.default_rng(4))
    out = f(c, Node(x, "x")) if const_on_left else f(Node(x, "x"), c)
    assert isinstance(out, Node), f"got {type(out).__name__}, expected a Node"

    def oracle(a):
        return f(c, a) if const_on_left else f(a, c)

    expected = oracle(x)
    np.testing.assert_allclose(out.value, expected, rtol=1e-12)
    seed = sample(expected.shape, "real", np.random.default_rng(5))
    grads = out.grad(seed)
    assert set(grads) == {"x"}
    np.testing.assert_allclose(grads["x"], autograd_grads(oracle, [x], seed)[0], rtol=1e-10)


# ---------------------------------------------------------------- compositions

UNARY_FNS = {  # name: (dp, autograd.numpy); all total and smooth on the reals
    "tanh": (lambda a: a.tanh(), anp.tanh),
    "sigmoid": (lambda a: a.sigmoid(), lambda a: 1 / (1 + anp.exp(-a))),
    "square": (lambda a: a.square(), anp.square),
    "neg": (lambda a: -a, lambda a: -a),
    "exp_tanh": (lambda a: a.tanh().exp(), lambda a: anp.exp(anp.tanh(a))),
    "log_1p_sq": (lambda a: (a.square() + 1.0).log(), lambda a: anp.log(a**2 + 1.0)),
    "sqrt_1p_sq": (lambda a: (1.0 + a**2).sqrt(), lambda a: anp.sqrt(1.0 + a**2)),
    "softmax": (lambda a: a.softmax(), OPS_BY_NAME["softmax"].ag),
    "log_softmax": (lambda a: a.log_softmax(), OPS_BY_NAME["log_softmax"].ag),
    "T": (lambda a: a.T, anp.transpose),
    "center_rows": (lambda a: a - a.mean(axis=1), lambda a: a - anp.mean(a, 1, keepdims=True)),
    "scale_cols": (lambda a: a * a.sum(axis=0), lambda a: a * anp.sum(a, 0, keepdims=True)),
    "flip_rows": (lambda a: a[::-1, :], lambda a: a[::-1, :]),
}
BINARY_FNS = {
    "add": (operator.add, operator.add),
    "sub": (operator.sub, operator.sub),
    "mul": (operator.mul, operator.mul),
    "dot": (lambda a, b: a.dot(b), anp.dot),
    "div_safe": (lambda a, b: a / (1.0 + b.square()), lambda a, b: a / (1.0 + b**2)),
}
LEAF_NAMES = ["a", "b", "c", "x"]  # "x" is an unnamed leaf (an input batch)


def expressions(depth, leaves):
    if depth == 0:
        return st.sampled_from(leaves)
    sub = st.one_of(st.sampled_from(leaves), expressions(depth - 1, leaves))
    return st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY_FNS)), sub),
        st.tuples(st.sampled_from(sorted(BINARY_FNS)), sub, sub),
    )


def leaves_of(expr):
    return [expr] if isinstance(expr, str) else [v for e in expr[1:] for v in leaves_of(e)]


def evaluate(expr, env, which):
    """which=0 evaluates with dp Nodes, which=1 with autograd.numpy arrays."""
    if isinstance(expr, str):
        return env[expr]
    table = UNARY_FNS if len(expr) == 2 else BINARY_FNS
    return table[expr[0]][which](*(evaluate(e, env, which) for e in expr[1:]))


@st.composite
def compositions(draw):
    """A depth 2-4 expression over square leaves where some leaf is used twice."""
    leaves = LEAF_NAMES[: draw(st.integers(2, 3))] + ["x"]
    inner = draw(expressions(draw(st.integers(1, 3)), leaves))
    reused = draw(st.sampled_from(leaves_of(inner)))
    top = draw(st.sampled_from(sorted(BINARY_FNS)))
    expr = (top, inner, reused) if draw(st.booleans()) else (top, reused, inner)
    n = draw(st.integers(1, 3))
    values = {name: draw(array_strategy((n, n))) for name in leaves}
    return expr, values


@given(case=compositions(), data=st.data())
def test_random_compositions_match_autograd(case, data):
    expr, values = case
    nodes = {k: Node(v, None if k == "x" else k) for k, v in values.items()}
    out = evaluate(expr, nodes, 0)
    expected = evaluate(expr, values, 1)
    np.testing.assert_allclose(out.value, expected, rtol=1e-9, atol=1e-12)

    seed = data.draw(array_strategy(expected.shape))
    grads = out.grad(seed)
    named = sorted(set(leaves_of(expr)) - {"x"})
    assert sorted(grads) == named

    def scalar(*args):
        return anp.sum(evaluate(expr, {**values, **dict(zip(named, args))}, 1) * seed)

    for i, name in enumerate(named):
        expected_g = autograd.grad(scalar, i)(*(values[k] for k in named))
        np.testing.assert_allclose(grads[name], expected_g, rtol=1e-7, atol=1e-9, err_msg=name)


# ---------------------------------------------------------------- published numbers

def test_worked_example_from_the_paper():
    a = Node(np.array([[1.0, 1, 1], [2, 2, 2]]), "A")
    b = Node(np.array([[1.0, 2, 3]]), "B")
    grads = (a * b).exp().sum().grad(1)
    np.testing.assert_allclose(
        grads["A"], [[2.72, 14.78, 60.26], [7.39, 109.20, 1210.29]], rtol=1e-3)
    np.testing.assert_allclose(grads["B"], [[17.50, 116.59, 826.94]], rtol=1e-3)


# ---------------------------------------------------------------- numerical stability

BIG = np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0], [1000.0, 1000.0, 999.0]])


def run_without_warnings(f):
    """Run f with overflow/invalid/divide-by-zero as errors (underflow to 0 is fine)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return f()


def _log_softmax(x):  # analytic formulas in NumPy, written out independently of dp
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=1, keepdims=True))


LIMITS = {  # name: (value, gradient of sum(value * seed))
    "softmax": (lambda x: np.exp(_log_softmax(x)),
                lambda s, g: s * (g - np.sum(g * s, axis=1, keepdims=True))),
    "log_softmax": (_log_softmax,
                    lambda v, g: g - np.exp(v) * np.sum(g, axis=1, keepdims=True)),
    # exactly 0 or 1 in float64 at |x| >= 999 (so s(1-s) is 0 there), and 1/2 at 0
    "sigmoid": (lambda x: np.where(x == 0, 0.5, (x > 0).astype(float)),
                lambda s, g: g * s * (1 - s)),
}


@pytest.mark.parametrize("name", LIMITS)
def test_stable_for_huge_inputs(name):
    seed = sample(BIG.shape, "real", np.random.default_rng(6))

    def forward_and_backward():
        out = OPS_BY_NAME[name].dp(Node(BIG, "z"))
        return out.value, out.grad(seed)["z"]

    value, grad = run_without_warnings(forward_and_backward)
    value_of, grad_of = LIMITS[name]
    expected = value_of(BIG)
    np.testing.assert_allclose(value, expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(grad, grad_of(expected, seed), rtol=1e-9, atol=1e-12)


def test_log_softmax_of_huge_logits_has_exact_values():
    value = run_without_warnings(
        lambda: Node(np.array([[1000.0, 0.0, -1000.0]])).log_softmax().value)
    np.testing.assert_allclose(value, [[0.0, -1000.0, -2000.0]], rtol=1e-12)


@pytest.mark.parametrize("p", [0, 1, 2, 3, 2.0])
def test_integer_powers_at_zero(p):
    """x ** p is smooth at 0 for p = 0, 1, 2, ...; its gradient there is finite."""
    x = np.array([[0.0, 1.5, -2.0]])
    seed = np.array([[1.0, 2.0, 3.0]])
    grad = run_without_warnings(lambda: (Node(x, "x") ** p).grad(seed)["x"])
    np.testing.assert_allclose(grad, autograd_grads(lambda a: a**p, [x], seed)[0], rtol=1e-12)
