"""dp.viz: graph drawings checked by parsing the SVG that `dot` makes (nodes,
edges and labels of graphs whose structure we know), and plots checked through
the Axes they return (lines, points, scales, tick labels).
"""

import subprocess
import sys
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")  # headless: before pyplot is imported anywhere

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dp import graph_drawing, training_plots, viz  # noqa: E402
from dp.node import Node  # noqa: E402
from dp.viz import (GraphvizNotFoundError, LivePlot, draw, natural_key,  # noqa: E402
                    plot_grad_magnitudes, plot_loss, plot_losses, to_svg,
                    weight_grad_sums)

SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(svg):
    """The drawing's nodes {dot id: [label lines]} and edges [(from label, to label)]."""
    root = ET.fromstring(svg)
    nodes, edges = {}, []
    for group in root.iter(f"{SVG}g"):
        kind = group.get("class")
        if kind == "node":
            lines = [text.text for text in group.iter(f"{SVG}text")]
            nodes[group.find(f"{SVG}title").text] = lines
        elif kind == "edge":
            edges.append(group.find(f"{SVG}title").text.split("->"))
    return nodes, [(nodes[a][0], nodes[b][0]) for a, b in edges]


def paper_example():
    A = Node(np.array([[1, 1, 1], [2, 2, 2]]), "A")
    B = Node(np.array([[1, 2, 3]]), "B")
    return (A * B).exp().sum()


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# -- drawing graphs ------------------------------------------------------------------------


def test_paper_example_has_five_nodes_four_edges_and_its_labels():
    nodes, edges = parse_svg(to_svg(paper_example()))
    assert sorted(lines[0] for lines in nodes.values()) == ["A", "B", "exp", "mul", "sum"]
    assert sorted(edges) == [("A", "mul"), ("B", "mul"), ("exp", "sum"), ("mul", "exp")]
    shapes = {lines[0]: lines[1] for lines in nodes.values()}
    assert shapes == {"A": "(2, 3)", "B": "(1, 3)", "mul": "(2, 3)", "exp": "(2, 3)",
                      "sum": "(1, 1)"}


def test_leaves_are_boxes_and_operations_ellipses():
    source = draw(paper_example()).source
    leaf_lines = [line for line in source.splitlines() if 'label="A' in line]
    op_lines = [line for line in source.splitlines() if 'label="mul' in line]
    assert "shape=box" in leaf_lines[0] and "shape=ellipse" in op_lines[0]


def test_a_diamond_draws_the_shared_input_once():
    x = Node(np.ones((2, 2)), "x")
    out = (x.exp() + x.square()).sum()   # x feeds two branches that meet again
    nodes, edges = parse_svg(to_svg(out))
    assert sorted(lines[0] for lines in nodes.values()) == \
        ["add", "exp", "square", "sum", "x"]
    assert sorted(edges) == [("add", "sum"), ("exp", "add"), ("square", "add"),
                             ("x", "exp"), ("x", "square")]


def test_an_input_used_twice_by_one_operation_is_one_node_with_two_edges():
    x = Node(np.ones((2, 2)), "x")
    nodes, edges = parse_svg(to_svg((x * x).sum()))
    assert len(nodes) == 3
    assert sorted(edges) == [("mul", "sum"), ("x", "mul"), ("x", "mul")]


def test_a_reused_graph_with_a_million_paths_has_one_node_per_operation():
    y = x = Node(1.0, "x")
    for _ in range(20):
        y = y + y                           # 2^20 paths from x to y, 21 nodes
    nodes, edges = parse_svg(to_svg(y))
    assert len(nodes) == 21                 # no "more nodes" placeholder either
    assert len(edges) == 40 and edges.count(("x", "add")) == 2
    del x


def test_constants_and_unnamed_inputs_are_drawn_as_such():
    W = Node(np.ones((3, 2)), "W")
    out = (Node(np.ones((4, 3))).dot(W) * 2.0).sum()
    nodes, edges = parse_svg(to_svg(out))
    # The data batch and the constant 2 are inputs too, drawn but not named.
    assert sorted(lines[0] for lines in nodes.values()) == [
        "2", "W", "constant", "dot", "mul", "sum"]
    assert sorted(edges) == sorted([("constant", "dot"), ("W", "dot"), ("dot", "mul"),
                                    ("2", "mul"), ("mul", "sum")])


def test_a_long_chain_is_capped_at_max_nodes_plus_a_placeholder():
    y = x = Node(1.0, "x")
    for _ in range(1000):
        y = y.tanh()                        # 1001 nodes: x and 1000 tanhs
    nodes, edges = parse_svg(to_svg(y, max_nodes=300))
    assert len(nodes) == 301
    labels = [" ".join(lines) for lines in nodes.values()]
    assert "… 701 more nodes" in labels
    assert "x" not in [lines[0] for lines in nodes.values()]  # the farthest node
    # 299 edges between the 300 drawn tanhs, and one from the placeholder.
    assert len(edges) == 300
    assert edges.count(("… 701 more nodes", "tanh")) == 1
    del x


def test_a_graph_smaller_than_max_nodes_has_no_placeholder():
    nodes, _ = parse_svg(to_svg(paper_example(), max_nodes=5))
    assert len(nodes) == 5
    nodes, edges = parse_svg(to_svg(paper_example(), max_nodes=4))
    assert len(nodes) == 5 and ("… 1 more nodes", "mul") in edges


def test_values_and_gradients_on_the_paper_example():
    nodes, _ = parse_svg(to_svg(paper_example(), show_values=True, show_grads=True))
    by_title = {lines[0]: " ".join(lines[1:]) for lines in nodes.values()}
    A, B = np.array([[1.0] * 3, [2.0] * 3]), np.array([[1.0, 2.0, 3.0]])
    total = np.exp(A * B).sum()
    assert f"{total:.3f}" in by_title["sum"]
    # d/dA sum(exp(A*B)) = B exp(A*B);  d/dB = column sums of A exp(A*B).
    for entry in (B * np.exp(A * B)).ravel():
        assert f"{entry:.3f}" in by_title["A"]
    for entry in (A * np.exp(A * B)).sum(axis=0):
        assert f"{entry:.3f}" in by_title["B"]
    assert "grad" not in by_title["mul"]  # gradients are shown on leaves only


def test_large_values_are_shown_as_shape_only():
    W = Node(np.full((10, 10), 7.0), "W")
    nodes, _ = parse_svg(to_svg(W.sum(), show_values=True, show_grads=True))
    w_lines = next(lines for lines in nodes.values() if lines[0] == "W")
    assert "7." not in " ".join(w_lines)
    assert w_lines[1] == "(10, 10)" and w_lines[2] == "grad: max |entry| 1"


@pytest.mark.parametrize("kwargs, error, message", [
    ({"node": np.ones((2, 2))}, TypeError, "dp Node"),
    ({"max_nodes": 0}, ValueError, "max_nodes"),
    ({"rankdir": "up"}, ValueError, "rankdir"),
    ({"node": Node(np.ones((2, 2)), "a") * 2.0, "show_grads": True}, ValueError,
     r"shape \(2, 2\).*1x1"),
])
def test_bad_draw_arguments_get_clear_errors(kwargs, error, message):
    kwargs.setdefault("node", paper_example())
    with pytest.raises(error, match=message):
        draw(**kwargs)


def test_drawing_never_runs_a_dot_program(monkeypatch, tmp_path):
    # The only `dot` on PATH is a trap: it records that it ran, and fails.
    trap, ran = tmp_path / "dot", tmp_path / "dot-ran"
    trap.write_text(f"#!/bin/sh\ntouch {ran}\nexit 1\n")
    trap.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    nodes, edges = parse_svg(to_svg(paper_example()))
    assert len(nodes) == 5 and len(edges) == 4
    bundle = draw(paper_example())._repr_mimebundle_()
    assert len(parse_svg(bundle["image/svg+xml"])[0]) == 5
    assert not ran.exists()


def test_missing_pygraphviz_says_how_to_install_it(monkeypatch):
    drawing = draw(paper_example())
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # as if not installed
    with pytest.raises(GraphvizNotFoundError) as error:
        to_svg(drawing)
    assert "pip install graphviz pygraphviz" in str(error.value)
    assert isinstance(error.value, ImportError)
    # In a notebook: the install message as text, not a traceback.
    assert drawing._repr_mimebundle_() == {"text/plain": viz.INSTALL_DRAWING}


def test_own_digraphs_show_themselves_as_svg_and_graphviz_warnings_reach_python():
    graph = viz.Digraph(graph_attr={"rankdir": "LR"})
    graph.node("x", "x = 2", shape="box")
    graph.node("f", "f = x²", shape="no-such-shape")
    graph.edge("x", "f", label="2x")
    with pytest.warns(RuntimeWarning, match="Graphviz: .*no-such-shape"):
        bundle = graph._repr_mimebundle_()
    nodes, edges = parse_svg(bundle["image/svg+xml"])
    assert sorted(lines[0] for lines in nodes.values()) == ["f = x²", "x = 2"]
    assert edges == [("x = 2", "f = x²")]


def test_graphviz_messages_keep_real_lines_and_drop_fontconfig_noise():
    import os
    with graph_drawing._graphviz_messages() as messages:
        os.write(2, b'Fontconfig warning: "05-reset-dirs-sample.conf", line 6: unknown element\n')
        os.write(2, b"Warning: using box for unknown shape\n")
    assert messages == ["Warning: using box for unknown shape"]


def test_the_drawing_shows_itself_as_svg_in_a_notebook():
    bundle = draw(paper_example())._repr_mimebundle_()
    nodes, _ = parse_svg(bundle["image/svg+xml"])
    assert len(nodes) == 5


def test_dp_imports_without_the_graphviz_package():
    program = (
        "import sys; sys.modules['graphviz'] = None  # as if not installed\n"
        "import dp, dp.viz, dp.gradcheck\n"
        "try:\n"
        "    dp.viz.draw(dp.Node(1.0, 'x'))\n"
        "except ImportError as e:\n"
        "    print(e)\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "pip install graphviz" in result.stdout


def test_importing_dp_and_dp_viz_loads_no_drawing_library():
    program = ("import sys, dp, dp.viz\n"
               "print(sorted(m for m in ('graphviz', 'pygraphviz') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True,
                            text=True, timeout=60)
    assert (result.returncode, result.stdout) == (0, "[]\n"), result.stderr


# -- loss curves -------------------------------------------------------------------------------


def test_plot_loss_draws_one_point_per_step():
    losses = [1.0 / (k + 1) for k in range(50)]
    ax = plot_loss(losses)
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), np.arange(50))
    np.testing.assert_array_equal(line.get_ydata(), losses)
    assert ax.get_yscale() == "linear" and ax.get_legend() is None


def test_smoothing_adds_a_trailing_moving_average():
    ax = plot_loss(np.arange(50.0), smooth=10, label="run")
    raw, smoothed = ax.get_lines()
    assert len(raw.get_xdata()) == 50
    # The mean of 10 consecutive integers ending at k is k - 4.5.
    np.testing.assert_array_equal(smoothed.get_xdata(), np.arange(9, 50))
    np.testing.assert_allclose(smoothed.get_ydata(), np.arange(9, 50) - 4.5)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["run"]


def test_plot_loss_accepts_1x1_arrays_and_nodes_and_log_scale():
    losses = [np.array([[2.0]]), Node(1.0), 0.5]
    ax = plot_loss(losses, logy=True)
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [2.0, 1.0, 0.5])
    assert ax.get_yscale() == "log"


def test_plot_loss_draws_on_the_given_axes():
    _, ax = plt.subplots()
    assert plot_loss([3.0, 2.0], ax=ax) is ax


def test_plot_losses_compares_runs_with_a_legend():
    ax = plot_losses({"sgd": [3.0, 2.0, 1.5], "adam": [3.0, 1.0, 0.5, 0.2]})
    assert [len(line.get_xdata()) for line in ax.get_lines()] == [3, 4]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sgd", "adam"]


@pytest.mark.parametrize("call, error, message", [
    (lambda: plot_loss([]), ValueError, "empty"),
    (lambda: plot_loss("1, 2"), TypeError, "list of losses"),
    (lambda: plot_loss([1.0, np.ones(3)]), ValueError, "loss number 1"),
    (lambda: plot_loss([1.0, 2.0], smooth=5), ValueError, "longer than"),
    (lambda: plot_loss([1.0, 2.0], smooth=0.5), ValueError, "positive integer"),
    (lambda: plot_loss([1.0, 0.0], logy=True), ValueError, "positive losses"),
    (lambda: plot_losses([[1.0, 2.0]]), TypeError, "label"),
])
def test_bad_loss_input_gets_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_live_plot_outside_a_notebook_only_records():
    live = LivePlot(smooth=3)
    for loss in [3.0, 2.0, 1.0]:
        live.update(loss)
    live.close()
    assert live.losses == [3.0, 2.0, 1.0] and live.figure is None
    assert plt.get_fignums() == []


class FakeNotebook:
    """Stands in for IPython's display and clear_output."""

    def __init__(self):
        self.shown, self.cleared = [], []

    def display(self, obj):
        self.shown.append(obj)

    def clear_output(self, wait=False):
        self.cleared.append(wait)


def test_live_plot_in_a_notebook_redraws_the_growing_curve(monkeypatch):
    notebook = FakeNotebook()
    monkeypatch.setattr(training_plots, "_notebook_display",
                        lambda: (notebook.display, notebook.clear_output))
    with LivePlot(min_interval=0) as live:
        for loss in [4.0, 3.0, 2.0, 1.0]:
            live(loss)
    assert len(notebook.shown) == 5            # one per update, and the final one
    assert notebook.cleared == [True] * 5      # wait=True: no flicker
    assert all(image._repr_png_().startswith(b"\x89PNG") for image in notebook.shown)
    np.testing.assert_array_equal(live.ax.get_lines()[0].get_ydata(), [4, 3, 2, 1])
    assert plt.get_fignums() == []             # not a pyplot figure: never shown twice


def test_live_plot_redraws_at_most_every_min_interval(monkeypatch):
    notebook = FakeNotebook()
    monkeypatch.setattr(training_plots, "_notebook_display",
                        lambda: (notebook.display, notebook.clear_output))
    live = LivePlot(min_interval=3600, smooth=10)
    for loss in range(20):
        live.update(float(loss))
    assert len(notebook.shown) == 1            # the first update only
    live.close()
    raw, smoothed = live.ax.get_lines()
    assert len(raw.get_xdata()) == 20 and len(smoothed.get_xdata()) == 11


# -- gradient magnitudes per layer -----------------------------------------------------------


def layer_grads(n_layers, scale=1.0):
    """Layer k's weight gradient is a 2x3 array of -scale * 10^-k: Σ|g| = 6 scale 10^-k."""
    grads = {}
    for k in sorted(range(1, n_layers + 1), key=str):   # h1, h10, h2, ...: unsorted
        grads[f"h{k}_weight"] = np.full((2, 3), -scale * 10.0 ** -k)
        grads[f"h{k}_bias"] = np.full((1, 3), 1e6)     # must be ignored
    return grads


def test_natural_key_sorts_numbers_by_value():
    names = ["h10", "h2", "h1", "h11", "h9"]
    assert sorted(names, key=natural_key) == ["h1", "h2", "h9", "h10", "h11"]
    assert sorted(names) == ["h1", "h10", "h11", "h2", "h9"]  # what we avoid


def test_grad_magnitudes_per_layer_in_natural_order_on_a_log_scale():
    ax = plot_grad_magnitudes(layer_grads(10))
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"h{k}" for k in range(1, 11)]
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), 6 * 10.0 ** -np.arange(1, 11))
    assert ax.get_yscale() == "log"


def test_weight_grad_sums_ignores_biases():
    sums = weight_grad_sums(layer_grads(2))
    assert list(sums) == ["h1", "h2"]
    np.testing.assert_allclose(list(sums.values()), [0.6, 0.06])


@pytest.mark.parametrize("form", ["list", "dict"])
def test_one_curve_per_activation_with_labels(form):
    runs = {"sigmoid": layer_grads(10, scale=1.0), "relu": layer_grads(10, scale=5.0)}
    if form == "list":
        ax = plot_grad_magnitudes(list(runs.values()), labels=list(runs))
    else:
        ax = plot_grad_magnitudes(runs)
    assert [len(line.get_ydata()) for line in ax.get_lines()] == [10, 10]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sigmoid", "relu"]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata()[0], 5 * 0.6)


@pytest.mark.parametrize("grads, labels, error, message", [
    ({"h1_bias": np.ones(3)}, None, ValueError, "h1_weight"),
    ([layer_grads(2), layer_grads(2)], ["one"], ValueError, "2 labels"),
    ([], None, TypeError, "gradient dict"),
    (np.ones(3), None, TypeError, "gradient dict"),
])
def test_bad_gradient_input_gets_clear_errors(grads, labels, error, message):
    with pytest.raises(error, match=message):
        plot_grad_magnitudes(grads, labels=labels)
