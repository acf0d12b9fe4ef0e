"""Drawing the computational graph of a Node, with Graphviz inside pygraphviz.

    draw(node)      a Digraph of the graph that computed ``node``; the last
                    expression of a notebook cell shows it as SVG
    to_svg(node)    the same drawing as an SVG string
    Digraph(...)    graphviz.Digraph for graphs of your own, shown in notebooks
                    the same way

Needs the Python packages ``graphviz`` (writes DOT source, pure Python) and
``pygraphviz`` (whose wheels contain Graphviz: no system program ``dot`` is
used); ``pip install 'dp[draw]'``. Neither is imported before it is needed.
Published as part of dp.viz.
"""

import contextlib
import functools
import os
import sys
import tempfile
import warnings

import numpy as np

from dp import _checks
from dp.node import Node

__all__ = ["draw", "to_svg", "Digraph", "GraphvizNotFoundError", "INSTALL_DRAWING",  # noqa: F822
           "SMALL_ARRAY"]

INSTALL_DRAWING = (
    "drawing graphs needs the Python packages `graphviz` (which writes the graph in "
    "Graphviz's DOT language) and `pygraphviz` (whose wheels contain Graphviz itself, "
    "so no system program is needed): pip install graphviz pygraphviz, or "
    "pip install 'dp[draw]', then run the cell again")
# Kept for code that imported them: both problems now have the same fix.
INSTALL_DOT = INSTALL_PYTHON_GRAPHVIZ = INSTALL_DRAWING

# Arrays with at most this many entries are printed in full; larger ones are not.
SMALL_ARRAY = 12

_LEAF_STYLE = {"shape": "box", "style": "filled,rounded", "fillcolor": "#dbe9f6"}
_OP_STYLE = {"shape": "ellipse", "style": "filled", "fillcolor": "#f2f2f2"}
_CONSTANT_STYLE = {"shape": "box", "style": "filled", "fillcolor": "#f7f7f7",
                   "color": "#999999", "fontcolor": "#555555"}
_MORE_STYLE = {"shape": "note", "style": "dashed", "fontcolor": "#555555"}


class GraphvizNotFoundError(RuntimeError, ImportError):
    """pygraphviz, which lays out and renders drawings, is missing (the message says what to do)."""


def draw(node: Node, show_values: bool = False, show_grads: bool = False,
         max_nodes: int = 300, rankdir: str = "LR"):
    """Draw the computational graph that computed ``node``, as a graphviz.Digraph.

    Leaves are boxes with their name and shape; operations are ellipses with the
    operation's name (node.op) and the shape of its result; every edge goes from
    an input to the result computed from it. The output has a thick border. A node
    used twice (x in x*x, or a shared input of two branches) is drawn once, with
    two edges. Nodes are identified by id(), which is stable while the graph lives.

    Named leaves (the variables we differentiate for) are blue boxes; unnamed
    leaves, such as a data batch Node(x) or the constant 2 in x * 2, are grey:
    backward never visits them, since no gradient is needed there.

    In a notebook the returned Digraph shows itself as SVG (laid out by the
    Graphviz inside pygraphviz); if pygraphviz is missing it shows how to
    install it instead. to_svg(node) gives the SVG as a string.

    Args:
        node: the output Node.
        show_values: also print each node's value: in full if it has at most
            SMALL_ARRAY entries, else nothing more than the shape.
        show_grads: also print d(node)/d(leaf) on each leaf box, from
            node.grad(); needs a 1x1 output. Leaves that share a name show their
            summed gradient. Large gradients are summarised by their largest |entry|.
        max_nodes: draw at most this many nodes: the ones closest to the output
            (fewest operations away), and one "… N more nodes" placeholder with
            an edge to each drawn node that has an input not drawn.
        rankdir: "LR" (inputs left, output right), "TB", "RL" or "BT".

    Returns:
        A dp.viz.Digraph (a graphviz.Digraph).

    Raises:
        TypeError: if node is not a Node.
        ValueError: for a bad max_nodes or rankdir, or show_grads on an output
            that is not 1x1.
        ImportError: if the Python package graphviz is missing.
    """
    _check_draw_arguments(node, max_nodes, rankdir)
    grads = _output_gradients(node) if show_grads else None
    drawn, n_total = _nodes_closest_to(node, max_nodes)
    drawn_ids = {id(n) for n in drawn}

    graph = _drawing_class()(graph_attr={"rankdir": rankdir},
                             node_attr={"fontname": "Helvetica", "fontsize": "11"})
    for n in drawn:
        style = _OP_STYLE if n.op is not None else (
            _LEAF_STYLE if n.name is not None else _CONSTANT_STYLE)
        graph.node(_dot_id(n), _label(n, show_values, grads),
                   penwidth="2.5" if n is node else "1", **style)
    n_hidden = n_total - len(drawn)
    if n_hidden:
        graph.node("more", f"… {n_hidden} more nodes", **_MORE_STYLE)
    for n in drawn:
        cut = False
        for parent in n.inputs:
            if id(parent) in drawn_ids:
                graph.edge(_dot_id(parent), _dot_id(n))
            else:
                cut = True
        if cut:
            graph.edge("more", _dot_id(n), style="dashed")
    return graph


def to_svg(graph, **draw_options) -> str:
    """The drawing as an SVG string.

    The layout is Graphviz's ``dot`` algorithm, run inside pygraphviz, whose
    wheels contain Graphviz: no ``dot`` program on PATH is needed or used.

    Args:
        graph: a Node (drawn with draw(graph, **draw_options)) or a Digraph from
            draw (or any graphviz.Digraph, such as dp.viz.Digraph).
        **draw_options: draw's options, for a Node.

    Returns:
        The SVG document.

    Raises:
        GraphvizNotFoundError: pygraphviz is missing (the message says how to
            install it).
        TypeError: for anything else than a Node or a Digraph, or options with
            a finished Digraph.
    """
    graphviz = _import_graphviz()
    if isinstance(graph, Node):
        graph = draw(graph, **draw_options)
    elif not isinstance(graph, graphviz.Digraph):
        raise TypeError(f"to_svg(graph): expected a Node or a Digraph from dp.viz.draw, "
                        f"got {type(graph).__name__}")
    elif draw_options:
        raise TypeError("to_svg: drawing options apply to a Node, not to a finished Digraph")
    return _render_svg(graph.source)


def _render_svg(dot_source):
    """Lay out DOT source with Graphviz's ``dot`` algorithm and render it as SVG.

    pygraphviz calls Graphviz's C library in-process (gvLayout, gvRender), so
    the result is the SVG that ``dot -Tsvg`` writes, without that program.
    """
    try:
        import pygraphviz
    except ImportError:
        raise GraphvizNotFoundError(INSTALL_DRAWING) from None
    with _graphviz_messages() as messages:
        svg = pygraphviz.AGraph(string=dot_source).draw(format="svg", prog="dot")
    for message in messages:
        warnings.warn(f"Graphviz: {message}", RuntimeWarning, stacklevel=3)
    return svg.decode("utf-8")


@contextlib.contextmanager
def _graphviz_messages():
    """Collect what Graphviz's C code writes to file descriptor 2 while drawing.

    The fontconfig inside pygraphviz's Linux wheels is older than most systems'
    configuration files and complains about them on stderr ("Fontconfig
    warning: ... unknown element"), harmlessly, in every first drawing; a
    Jupyter kernel would show that in the cell. Those lines are dropped; every
    other line is yielded (in the list, after the block) to be re-raised as a
    Python warning, so real Graphviz messages are still seen.
    """
    messages = []
    sys.stderr.flush()
    with tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield messages
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            for line in sink.read().decode("utf-8", "replace").splitlines():
                if line.strip() and not line.startswith("Fontconfig "):
                    messages.append(line.strip())


def _import_graphviz():
    try:
        import graphviz
    except ImportError:
        raise ImportError(INSTALL_DRAWING) from None
    return graphviz


def __getattr__(name):
    """Digraph: made on first use, so that importing this module does not import graphviz."""
    if name == "Digraph":
        return _drawing_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _drawing_class():
    """A graphviz.Digraph that shows itself in a notebook as SVG drawn by pygraphviz.

    The ``graphviz`` package only writes DOT source (pure Python); showing the graph
    would call the system program ``dot``. This subclass renders through
    _render_svg instead, and without pygraphviz shows install instructions
    rather than a traceback. Notebooks that draw their own graphs use it as
    dp.viz.Digraph, with graphviz.Digraph's API.
    """
    graphviz = _import_graphviz()

    class GraphDrawing(graphviz.Digraph):
        """A graphviz.Digraph drawn in notebooks by pygraphviz's built-in Graphviz."""

        def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
            try:
                return {"image/svg+xml": _render_svg(self.source)}
            except GraphvizNotFoundError:
                return {"text/plain": INSTALL_DRAWING}

    GraphDrawing.__qualname__ = "GraphDrawing"  # its repr: dp.viz.GraphDrawing, not <locals>
    GraphDrawing.__module__ = "dp.viz"  # where users find it
    return GraphDrawing


def _check_draw_arguments(node, max_nodes, rankdir):
    if not isinstance(node, Node):
        raise TypeError(f"draw(node): expected a dp Node, got {type(node).__name__}")
    _checks.integer("draw: max_nodes", max_nodes)
    _checks.one_of("draw: rankdir", rankdir, ("LR", "TB", "RL", "BT"))


def _output_gradients(node):
    if node.shape != (1, 1):
        raise ValueError(f"draw(show_grads=True): the output has shape {node.shape}; "
                         f"gradients are drawn for a 1x1 output, e.g. draw(out.sum(), "
                         f"show_grads=True)")
    return node.grad()


def _nodes_closest_to(output, max_nodes):
    """The ``max_nodes`` nodes fewest steps from the output, and the number of all nodes.

    Breadth-first search from the output: nodes come out in order of their
    distance. A dict keyed by id() keeps each node once, however often it is used.
    """
    order = [output]
    seen = {id(output)}
    for node in order:  # the list grows while we walk it: a queue
        for parent in node.inputs:
            if id(parent) not in seen:
                seen.add(id(parent))
                order.append(parent)
    return order[:max_nodes], len(order)


def _dot_id(node):
    return f"n{id(node)}"


def _label(node, show_values, grads):
    """Lines of a node's label, joined with DOT's line break ``\\n``."""
    if node.op is None:
        if node.name is not None:
            title = node.name.replace("\\", "\\\\")  # a backslash in a name is shown as it is
        elif node.value.size == 1:
            title = f"{node.value.item():g}"  # a constant such as the 2 in x * 2
        else:
            title = "constant"
    else:
        title = node.op
    lines = [title, str(node.shape)]
    if show_values and node.value.size <= SMALL_ARRAY:
        lines.append(_format_array(node.value))
    if grads is not None and node.op is None and node.name in grads:
        g = grads[node.name]
        if g.size <= SMALL_ARRAY:
            lines += ["grad", _format_array(g)]
        else:
            lines.append(f"grad: max |entry| {np.abs(g).max():.3g}")
    return "\\n".join(lines)


def _format_array(array):
    text = np.array2string(array, precision=3, suppress_small=True, separator=" ")
    return "\\n".join(line.strip() for line in text.splitlines())
