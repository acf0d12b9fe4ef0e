"""Bad input raises the promised error, and the message says what was given.

Messages are matched on key words (a type name, a shape, an op name), not on
whole sentences, so they can be reworded freely.
"""

import re

import numpy as np
import pytest

from dp import Node

ACCEPTED = r"(?i)number|array|float"  # the message should also say what is accepted


@pytest.mark.parametrize("value, given", [
    (np.zeros((2, 2, 2)), r"3-?D|3 dim|\(2, 2, 2\)|ndim"),
    ("abc", r"str"),
    (None, r"None"),
    (np.array([object(), object()], dtype=object), r"object"),
    (1 + 2j, r"complex"),
    (np.array([[1 + 2j]]), r"complex"),
    ([[1.0, 2.0], [3.0]], r"list"),
], ids=["3d", "str", "None", "object_array", "complex", "complex_array", "ragged_list"])
def test_unsupported_values_are_rejected(value, given):
    with pytest.raises((TypeError, ValueError), match=given) as info:
        Node(value)
    assert re.search(ACCEPTED, str(info.value)), str(info.value)


A23, A32 = np.ones((2, 3)), np.ones((3, 2))


@pytest.mark.parametrize("op, names", [
    (lambda a, b: a + b, r"add|\+"),
    (lambda a, b: a - b, r"sub|-"),
    (lambda a, b: a * b, r"mul|\*"),
    (lambda a, b: a / b, r"div|/"),
], ids=["add", "sub", "mul", "div"])
@pytest.mark.parametrize("right", [Node(A32), A32], ids=["node", "ndarray"])
def test_non_broadcastable_shapes_name_the_op_and_both_shapes(op, names, right):
    with pytest.raises(ValueError, match=names) as info:
        op(Node(A23), right)
    message = str(info.value)
    assert "(2, 3)" in message and "(3, 2)" in message, message


@pytest.mark.parametrize("call", [lambda a, b: a.dot(b), lambda a, b: a @ b], ids=["dot", "@"])
def test_mismatched_dot_names_the_op_and_both_shapes(call):
    with pytest.raises(ValueError, match=r"dot|matmul|@") as info:
        call(Node(A23), Node(np.ones((2, 4))))
    message = str(info.value)
    assert "(2, 3)" in message and "(2, 4)" in message, message


def test_grad_without_seed_needs_a_1x1_output():
    with pytest.raises(ValueError, match=r"(?i)seed|1x1|\(1, 1\)") as info:
        (Node(A23, "w") * 2.0).grad()
    assert "(2, 3)" in str(info.value), str(info.value)


@pytest.mark.parametrize("seed, given", [
    (np.ones((3, 2)), r"\(3, 2\)"),
    (np.ones((2, 3, 1)), r"\(2, 3, 1\)"),
    (np.ones(6), r"\(6,\)|\(6, 1\)"),
], ids=["transposed", "3d", "1d"])
def test_seed_of_the_wrong_shape(seed, given):
    with pytest.raises(ValueError, match=given):
        (Node(A23, "w") * 2.0).grad(seed)


def test_number_seed_on_a_matrix_output_is_a_wrong_shape():
    """`grad(1)` is for 1x1 outputs only (spec); a 2x3 output needs a 2x3 seed."""
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        (Node(A23, "w") * 2.0).grad(1)


@pytest.mark.parametrize("key", [5, -4, (slice(None), 2), (0, -3)],
                         ids=["row_5", "row_-4", "col_2", "col_-3"])
def test_integer_index_out_of_range_is_an_error(key):
    """As in NumPy: an integer index past the end is an error, not an empty result."""
    with pytest.raises(IndexError):
        Node(np.ones((3, 2)))[key]
