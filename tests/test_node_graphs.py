"""Whole graphs: summed paths, shared names, deep and reused graphs, memory, the result dict.

Expected gradients are closed forms worked out by hand.
"""

import gc
import signal
import threading
import weakref
from contextlib import contextmanager

import numpy as np
import pytest

from dp import Node


@contextmanager
def time_limit(seconds):
    """Fail instead of hanging forever (e.g. on exponential path enumeration)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        raise TimeoutError(f"took longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -3.0]])


def test_contributions_along_several_paths_are_summed():
    x = Node(X, "x")
    y = x * x + x * 3.0 + x.exp()  # three paths from x to y
    g = y.sum().grad()
    np.testing.assert_allclose(g["x"], 2 * X + 3 + np.exp(X), rtol=1e-12)


def test_same_node_on_both_sides_of_an_operation():
    x = Node(X, "x")
    np.testing.assert_allclose((x * x).sum().grad()["x"], 2 * X, rtol=1e-12)
    np.testing.assert_allclose((x / x).sum().grad()["x"], 0 * X, atol=1e-12)
    np.testing.assert_allclose((x - x).sum().grad()["x"], 0 * X, atol=0)


def test_leaves_sharing_a_name_are_one_parameter():
    w1 = Node(X, "w")
    w2 = Node(2 * X, "w")  # a second leaf, same name: gradients add
    g = (w1 * 3.0 + w2 * w2).sum().grad()
    assert set(g) == {"w"}
    np.testing.assert_allclose(g["w"], 3.0 + 2 * (2 * X), rtol=1e-12)


def test_long_chain_of_a_million_nodes():
    c, n = 1.0000001, 1_000_000
    x = Node(1.5, "x")
    y = x
    for _ in range(n):
        y = y * c
    with time_limit(120):
        g = y.grad()
    np.testing.assert_allclose(y.value, [[1.5 * c**n]], rtol=1e-6)
    np.testing.assert_allclose(g["x"], [[c**n]], rtol=1e-6)
    del x, y, g


@pytest.mark.parametrize("step, start, value, slope", [
    (lambda x: x + x, 0.75, 2.0**50 * 0.75, 2.0**50),  # x_50 = 2^50 x
    (lambda x: x * x, 1.0, 1.0, 2.0**50),              # x_50 = x^(2^50), at x = 1
], ids=["add", "mul"])
def test_reused_graph_of_depth_50_has_2_to_the_50_paths(step, start, value, slope):
    x = Node(start, "x")
    y = x
    for _ in range(50):
        y = step(y)
    with time_limit(30):
        g = y.grad()
    np.testing.assert_allclose(y.value, [[value]], rtol=1e-12)
    np.testing.assert_allclose(g["x"], [[slope]], rtol=1e-12)


def build_and_differentiate():
    w = Node(np.ones((3, 2)), "w")
    hidden = Node(np.ones((4, 3))).dot(w).tanh()
    out = hidden.sum()
    out.grad()
    return weakref.ref(w), weakref.ref(hidden), weakref.ref(out)


def test_unreferenced_graph_is_freed():
    refs = build_and_differentiate()
    gc.collect()
    assert [r() for r in refs] == [None, None, None]


def test_graphs_built_in_a_loop_leave_nothing_behind():
    refs = [r for _ in range(200) for r in build_and_differentiate()]
    gc.collect()
    assert sum(r() is not None for r in refs) == 0


def test_requires_grad_follows_named_leaves():
    x = Node(np.ones((4, 3)))            # an input batch: no name
    w = Node(np.ones((3, 2)), "W")
    assert x.requires_grad is False
    assert w.requires_grad is True
    assert x.dot(w).requires_grad is True
    assert (x * 2.0).exp().requires_grad is False
    assert x.op is None and w.op is None
    assert (x.dot(w) * w.sum()).op == "mul"  # the spec's example of an op name


def test_parents_are_the_input_nodes():
    a, b = Node(X, "a"), Node(X, "b")
    c = a * b
    assert isinstance(c.parents, tuple)
    assert len(c.parents) == 2 and c.parents[0] is a and c.parents[1] is b
    assert a.parents == ()


def test_result_has_exactly_the_named_leaves_the_output_depends_on():
    x = Node(np.ones((4, 3)))
    w = Node(np.ones((3, 2)), "W")
    b = Node(np.zeros((1, 2)), "b")
    unrelated = Node(np.ones((3, 2)), "V")
    _ = unrelated * w  # part of another graph that shares w
    g = (x.dot(w) + b).sum().grad()
    assert sorted(g) == ["W", "b"]
    np.testing.assert_allclose(g["W"], np.full((3, 2), 4.0))
    np.testing.assert_allclose(g["b"], np.full((1, 2), 4.0))


def test_output_with_no_named_leaf_gives_empty_dict():
    assert Node(np.ones((2, 2))).exp().sum().grad() == {}


def test_named_leaf_differentiated_alone():
    w = Node(X, "w")
    seed = np.array([[0.0, 1, 2], [3, 4, 5]])
    g = w.grad(seed)
    np.testing.assert_array_equal(g["w"], seed)
    g["w"][0, 0] = 99.0
    assert seed[0, 0] == 0.0, "grad returned the seed itself, not a copy"


@pytest.mark.parametrize("make", [
    lambda a, b: a + b,
    lambda a, b: a.T.T + b * 1.0,
    lambda a, b: a.reshape((3, 2)).reshape((2, 3)) - (-b),
    lambda a, b: a[:, :] + b.concatenate(b, axis=0)[:2, :],
], ids=["add", "transposes", "reshapes", "slices"])
def test_gradients_are_independent_writable_arrays(make):
    a, b = Node(X, "a"), Node(X, "b")
    seed = np.ones((2, 3))
    g = make(a, b).grad(seed)
    for name in ("a", "b"):
        assert isinstance(g[name], np.ndarray) and g[name].flags.writeable
    for name, other in (("a", "b"), ("b", "a")):
        before = g[other].copy()
        g[name] += 100.0
        np.testing.assert_array_equal(g[other], before)
        np.testing.assert_array_equal(seed, np.ones((2, 3)))
    np.testing.assert_array_equal(a.value, X)  # and the leaves' values are untouched
    np.testing.assert_array_equal(b.value, X)


def test_grad_can_be_called_twice_with_the_same_result():
    w = Node(X, "w")
    out = (w * w).sum()
    first = out.grad()["w"].copy()
    np.testing.assert_array_equal(out.grad()["w"], first)


def test_inputs_are_all_inputs_and_parents_those_backward_visits():
    """As decided in 92418b0: `.inputs` lists every input (for drawing the graph),
    `.parents` only those that lead to a named leaf."""
    x, w = Node(np.ones((2, 3))), Node(np.ones((3, 2)), "W")
    h = x.dot(w)
    assert len(h.inputs) == 2 and h.inputs[0] is x and h.inputs[1] is w
    assert len(h.parents) == 1 and h.parents[0] is w
    e = x.exp()
    assert len(e.inputs) == 1 and e.inputs[0] is x and e.parents == ()


def _chain(n):
    x = Node(0.5, "x")
    out = x
    for _ in range(n):
        out = out + 1.0
    return x, out


def _users_thresholds():
    # Two collections with no node made in between end any hold an earlier test left.
    gc.collect()
    gc.collect()
    return gc.get_threshold()


def test_a_large_graph_holds_off_full_collections_until_it_is_freed():
    # dp.node._GraphGC: a graph has no reference cycles, so while a large one is
    # built the collector's walks over it (the cost of building it) are held off, and
    # the user's thresholds come back as soon as it is freed, by reference counting.
    before = _users_thresholds()
    x, out = _chain(1 << 17)
    assert gc.get_threshold()[1:] != before[1:], "no hold while a large graph is built"
    assert gc.get_threshold()[0] == before[0], "young collections must go on"
    leaf = weakref.ref(x)
    del x, out  # no gc.collect(): the graph has no cycles
    assert leaf() is None
    assert gc.get_threshold() == before


def test_the_hold_ends_when_no_more_nodes_are_made_even_if_the_graph_lives():
    before = _users_thresholds()
    x, out = _chain(1 << 17)
    assert gc.get_threshold() != before
    gc.collect(0)  # a collection that sees no node made since the previous one
    gc.collect(0)
    assert gc.get_threshold() == before
    del x, out


def test_thresholds_the_user_sets_while_a_graph_is_held_are_kept():
    before = _users_thresholds()
    try:
        x, out = _chain(1 << 17)
        gc.set_threshold(500, 5, 5)
        del x, out
        assert gc.get_threshold() == (500, 5, 5)
    finally:
        gc.set_threshold(*before)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_number_constants_keep_their_sign_dtype_and_cannot_be_changed(dtype):
    x = Node(np.ones((1, 1), dtype=dtype), "x")
    assert np.signbit((x * -0.0).value[0, 0]) and not np.signbit((x * 0.0).value[0, 0])
    first, second = x + 2.0, x + 2.0
    constant = first.inputs[1].value
    assert constant.dtype == dtype and second.inputs[1].value[0, 0] == 2.0
    with pytest.raises(ValueError, match="read-only"):
        constant[0, 0] = 5.0
    assert (x + 2).value[0, 0] == 3.0 and (x + True).value[0, 0] == 2.0
