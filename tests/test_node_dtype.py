"""dtypes and conversions: float32 stays float32 through forward and backward,
Python numbers adopt the node's dtype, integers and bools become float64."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from dp import Node
from oracle_ops import OPS, sample

F32 = np.float32
NAMES = ("x0", "x1")


@pytest.mark.parametrize("op", OPS, ids=str)
def test_float32_through_forward_and_backward(op):
    rng = np.random.default_rng(0)
    xs = [sample(s, op.domain, rng, dtype=F32) for s in op.shapes(2, 3, 2)]
    out = op.dp(*(Node(x, name) for x, name in zip(xs, NAMES)))
    assert out.dtype == F32 and out.value.dtype == F32

    # float64 oracle on the same (float32-representable) inputs
    xs64 = [x.astype(np.float64) for x in xs]
    expected = op.ag(*xs64)
    np.testing.assert_allclose(out.value, expected, rtol=1e-5, atol=1e-6)

    seed = sample(expected.shape, "real", rng, dtype=F32)
    grads = out.grad(seed)
    for i, name in enumerate(NAMES[:len(xs64)]):
        assert grads[name].dtype == F32, name
        g = autograd.grad(lambda *a: anp.sum(op.ag(*a) * seed), i)(*xs64)
        np.testing.assert_allclose(grads[name], g, rtol=1e-4, atol=1e-5, err_msg=name)


@pytest.mark.parametrize("make", [
    lambda x: x * 2.0, lambda x: 2.0 * x, lambda x: x + 1, lambda x: 1.5 - x,
    lambda x: x / 3.0, lambda x: 1 / x, lambda x: x**2, lambda x: x**0.5,
    lambda x: -x, lambda x: (x * 0.1).sum(axis=0) + 1e-3,
], ids=["mul", "rmul", "add_int", "rsub", "div", "rdiv", "pow_int", "pow_float",
        "neg", "sum_add"])
def test_python_numbers_adopt_the_node_dtype(make):
    x = Node(np.full((2, 2), 1.5, F32), "x")
    out = make(x)
    assert out.dtype == F32 and out.value.dtype == F32
    g = out.sum().grad()
    assert g["x"].dtype == F32


def test_grad_of_float32_output_with_default_seed():
    w = Node(np.ones((2, 3), F32), "w")
    for g in (w.sum().grad(), w.sum().grad(1), (w * w).mean().grad(1.0)):
        assert g["w"].dtype == F32


def test_float64_seed_for_a_float32_graph_gives_float32_gradients():
    """Spec reading: 'float32 in -> float32 ... gradients float32 too', whatever the seed."""
    w = Node(np.ones((2, 3), F32), "w")
    assert (w * 3.0).grad(np.ones((2, 3)))["w"].dtype == F32


@pytest.mark.parametrize("value, shape, dtype", [
    (3, (1, 1), np.float64),
    (2.5, (1, 1), np.float64),
    (True, (1, 1), np.float64),
    (np.float32(1.5), (1, 1), F32),
    (np.array([1, 2, 3]), (3, 1), np.float64),
    (np.array([1.0, 2.0], F32), (2, 1), F32),
    (np.arange(6).reshape(2, 3), (2, 3), np.float64),
    (np.array([[True, False]]), (1, 2), np.float64),
    (np.ones((2, 2), np.uint8), (2, 2), np.float64),
    (np.ones((2, 2), np.int32), (2, 2), np.float64),
    (np.ones((3, 2), F32), (3, 2), F32),
], ids=["int", "float", "bool", "f32_scalar", "int_1d", "f32_1d", "int_2d",
        "bool_2d", "uint8", "int32", "f32_2d"])
def test_conversion_of_inputs(value, shape, dtype):
    node = Node(value)
    assert isinstance(node.value, np.ndarray)
    assert node.shape == node.value.shape == shape
    assert node.dtype == node.value.dtype == dtype
    np.testing.assert_array_equal(node.value, np.reshape(np.asarray(value, np.float64), shape))


def test_a_gradient_has_its_leafs_dtype_even_after_meeting_float64_data():
    W = Node(np.ones((3, 2), dtype=np.float32), "W")
    x = np.ones((4, 3), dtype=np.float64)          # float64 data meets a float32 parameter
    out = Node(x).dot(W).sum()
    assert out.dtype == np.float64                 # the forward pass promotes, as NumPy does
    grad = out.grad(1)["W"]
    assert grad.dtype == np.float32, f"expected float32 like W, got {grad.dtype}"
    np.testing.assert_allclose(grad, x.T @ np.ones((4, 2)))
