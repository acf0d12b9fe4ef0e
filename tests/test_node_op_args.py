"""Every node made by an operation records it: `op` (its name) and `op_args` (its
non-Node arguments), enough to replay the graph exactly.

The expected records are written here by hand, one per operation of the registry
(tests/oracle_ops.py), so a new operation in the registry fails until its record
is stated. Replaying walks a graph and calls the Node method named by `op` with
`op_args`, knowing nothing else about the operations.
"""

import numpy as np
import pytest

import dp
from dp import Node
from oracle_ops import COLS, OPS, OPS_BY_NAME, ROWS, sample

# registry name -> (op, op_args)
EXPECTED = {
    "add": ("add", {}), "sub": ("sub", {}), "mul": ("mul", {}), "div": ("div", {}),
    "neg": ("neg", {}),
    "pow_3": ("pow", {"exponent": 3}), "pow_2.0": ("pow", {"exponent": 2.0}),
    "pow_0.5": ("pow", {"exponent": 0.5}), "pow_-1.5": ("pow", {"exponent": -1.5}),
    "pow_-1": ("pow", {"exponent": -1}),
    "dot": ("dot", {}), "matmul": ("dot", {}),
    "transpose": ("transpose", {}), "T": ("transpose", {}),
    "exp": ("exp", {}), "log": ("log", {}), "square": ("square", {}), "sqrt": ("sqrt", {}),
    "abs": ("abs", {}), "relu": ("relu", {}),
    "leaky_relu": ("leaky_relu", {"alpha": 0.01}),
    "leaky_relu_0.2": ("leaky_relu", {"alpha": 0.2}),
    "sigmoid": ("sigmoid", {}), "tanh": ("tanh", {}),
    "sum": ("sum", {"axis": None}), "sum_axis0": ("sum", {"axis": 0}),
    "sum_axis1": ("sum", {"axis": 1}),
    "mean": ("mean", {"axis": None}), "mean_axis0": ("mean", {"axis": 0}),
    "mean_axis1": ("mean", {"axis": 1}),
    "softmax": ("softmax", {}), "log_softmax": ("log_softmax", {}),
    "concatenate_axis0": ("concatenate", {"axis": 0}),
    "concatenate_axis1": ("concatenate", {"axis": 1}),
    # the shape reached; inputs are (m, n) = (3, 4) below
    "reshape_swap": ("reshape", {"shape": (4, 3)}),
    "reshape_column": ("reshape", {"shape": (12, 1)}),
    # the key as indexing keeps it: [rows, cols], an integer i as the slice i:i+1
    "getitem_slices": ("getitem", {"key": (slice(1, 3), slice(None, None, 2))}),
    "getitem_int_row": ("getitem", {"key": (slice(1, 2), slice(None))}),
    "getitem_int_col": ("getitem", {"key": (slice(None), slice(2, 3))}),
    "getitem_int_arrays": ("getitem", {"key": (ROWS, COLS)}),
    "getitem_int_array_rows": ("getitem", {"key": (ROWS, slice(None))}),
}

# The Node method that computes each op, where its name is not the op's.
METHOD = {"add": "__add__", "sub": "__sub__", "mul": "__mul__", "div": "__truediv__",
          "neg": "__neg__", "pow": "__pow__", "getitem": "__getitem__"}


def replay(output, leaves):
    """Compute `output`'s graph again from op/op_args, with leaves[i] for the i-th leaf.

    Leaves are numbered in the order a depth-first walk from the output meets them.
    """
    done, leaf_number = {}, iter(range(len(leaves)))

    def visit(node):
        if id(node) not in done:
            if node.op is None:
                done[id(node)] = leaves[next(leaf_number)]
            else:
                first, *rest = [visit(parent) for parent in node.inputs]
                method = getattr(first, METHOD.get(node.op, node.op))
                done[id(node)] = method(*rest, **node.op_args)
        return done[id(node)]

    return visit(output)


def leaves_of(output):
    found, seen = [], set()

    def visit(node):
        if id(node) not in seen:
            seen.add(id(node))
            if node.op is None:
                found.append(node)
            for parent in node.inputs:
                visit(parent)

    visit(output)
    return found


def assert_same_args(actual, expected):
    assert set(actual) == set(expected)
    for key, value in expected.items():
        if isinstance(value, tuple):
            assert len(actual[key]) == len(value)
            for a, e in zip(actual[key], value):
                if isinstance(e, np.ndarray):
                    np.testing.assert_array_equal(a, e)
                else:
                    assert a == e
        else:
            assert actual[key] == value and type(actual[key]) is type(value)


def test_every_registry_op_has_a_stated_record():
    assert set(EXPECTED) == set(OPS_BY_NAME)


@pytest.mark.parametrize("op", OPS, ids=repr)
def test_each_op_records_its_name_and_arguments_and_replays_exactly(op):
    rng = np.random.default_rng(1)
    inputs = [Node(sample(shape, op.domain, rng), f"x{i}")
              for i, shape in enumerate(op.shapes(3, 4, 2))]
    out = op.dp(*inputs)
    expected_op, expected_args = EXPECTED[op.name]
    assert out.op == expected_op
    assert_same_args(out.op_args, expected_args)
    assert list(out.inputs) == inputs
    again = replay(out, [Node(x.value.copy()) for x in leaves_of(out)])
    np.testing.assert_array_equal(again.value, out.value)
    # New values of the same shapes: the replay is the computation, not its result.
    fresh = [sample(x.shape, op.domain, rng) for x in inputs]
    np.testing.assert_array_equal(replay(out, [Node(v) for v in fresh]).value,
                                  op.dp(*[Node(v) for v in fresh]).value)


def test_leaves_and_argument_free_ops_record_an_empty_read_only_mapping():
    a, b = Node([[1.0, 2.0]], "a"), Node([[3.0, 4.0]])
    assert a.op is None and dict(a.op_args) == {}
    total = a.sum(axis=1)
    assert dict((a + b).op_args) == {}
    with pytest.raises(TypeError):
        total.op_args["axis"] = 0  # a record, not a setting
    assert total.op_args["axis"] == 1


def test_a_network_and_its_loss_replay_to_identical_values():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 5))
    labels = np.array([0, 2, 1, 1, 0, 2])
    w1, w2 = Node(rng.normal(size=(5, 4)), "w1"), Node(rng.normal(size=(4, 3)), "w2")
    h = (Node(x) @ w1).leaky_relu(0.1)
    centered = h - h.mean(axis=0)
    h = centered / (centered.square().mean(axis=0) + 1e-5).sqrt()
    logits = (h @ w2).concatenate(h[:, 0] ** 2, axis=1)
    loss = -logits.log_softmax()[np.arange(6), labels].mean()
    assert loss.shape == (1, 1)
    again = replay(loss, [Node(n.value.copy(), n.name) for n in leaves_of(loss)])
    np.testing.assert_array_equal(again.value, loss.value)
    for name, g in again.grad(1).items():
        np.testing.assert_array_equal(g, loss.grad(1)[name])


def test_model_losses_record_their_operations():
    dp.seed(0)

    class Net(dp.Model):
        def __init__(self):
            super().__init__()
            self.h = self.Tanh_Layer(3, 2, "h")

        def loss(self, x, y):
            return dp.losses.cross_entropy_with_logits(self.h(x), y)

    x, y = np.ones((4, 3)), np.eye(2)[[0, 1, 1, 0]]
    loss = Net().loss(x, y)
    again = replay(loss, [Node(n.value.copy(), n.name) for n in leaves_of(loss)])
    np.testing.assert_array_equal(again.value, loss.value)
