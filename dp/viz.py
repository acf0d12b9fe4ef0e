"""Teaching aids: draw the computational graph, watch training.

Graphs (need the Python packages `graphviz` and `pygraphviz`, whose wheels contain
Graphviz: no system program `dot` is used; pip install 'dp[draw]'):
    draw(node)                  a graphviz.Digraph of the graph that computed `node`;
                                the last expression of a notebook cell shows it as SVG
    to_svg(node)                the same drawing as an SVG string
    Digraph(...)                graphviz.Digraph for drawing graphs of your own, shown
                                in notebooks the same way

Training (matplotlib; every function returns the Axes it drew on):
    plot_loss(loss_hist)        one loss curve, optionally smoothed
    plot_losses({label: hist})  several runs in one plot
    LivePlot()                  a loss curve redrawn during training in a notebook
    plot_grad_magnitudes(grads) Σ|∂L/∂W| per layer, log scale: vanishing gradients

Neither graphviz, pygraphviz nor matplotlib is imported before it is needed, so
`import dp` works without them and stays fast.
"""

import contextlib
import functools
import io
import numbers
import os
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Mapping

import numpy as np

from dp.node import Node

__all__ = ["draw", "to_svg", "Digraph", "GraphvizNotFoundError", "plot_loss", "plot_losses",
           "LivePlot", "plot_grad_magnitudes", "weight_grad_sums", "moving_average",
           "natural_key"]

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
    """Graphviz cannot lay out the drawing here: `pygraphviz` is missing (the message says how to install it)."""


# -- drawing the computational graph -------------------------------------------------


def draw(node, show_values=False, show_grads=False, max_nodes=300, rankdir="LR"):
    """Draw the computational graph that computed `node`, as a graphviz.Digraph.

    Leaves are boxes with their name and shape; operations are ellipses with the
    operation's name (node.op) and the shape of its result; every edge goes from
    an input to the result computed from it. The output has a thick border. A node
    used twice (x in x*x, or a shared input of two branches) is drawn once, with
    two edges. Nodes are identified by id(), which is stable while the graph lives.

    Named leaves (the variables we differentiate for) are blue boxes; unnamed
    leaves, such as a data batch Node(x) or the constant 2 in x * 2, are grey:
    backward never visits them, since no gradient is needed there.

    show_values: also print each node's value: in full if it has at most
                 SMALL_ARRAY entries, else nothing more than the shape.
    show_grads:  also print d(node)/d(leaf) on each leaf box, from node.grad();
                 needs a 1x1 output. Leaves that share a name show their summed
                 gradient. Large gradients are summarised by their largest |entry|.
    max_nodes:   draw at most this many nodes: the ones closest to the output
                 (fewest operations away), and one "… N more nodes" placeholder
                 with an edge to each drawn node that has an input not drawn.
    rankdir:     "LR" (inputs left, output right), "TB", "RL" or "BT".

    In a notebook the returned Digraph shows itself as SVG (laid out by the
    Graphviz inside pygraphviz); if pygraphviz is missing it shows how to
    install it instead. to_svg(node) gives the SVG as a string.
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


def to_svg(graph, **draw_options):
    """The drawing as an SVG string.

    graph: a Node (drawn with draw(graph, **draw_options)) or a Digraph from draw
           (or any graphviz.Digraph, such as dp.viz.Digraph).
    The layout is Graphviz's `dot` algorithm, run inside pygraphviz, whose wheels
    contain Graphviz: no `dot` program on PATH is needed or used.
    Raises GraphvizNotFoundError, saying how to install it, if pygraphviz is missing.
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
    """Lay out DOT source with Graphviz's `dot` algorithm and render it as SVG.

    pygraphviz calls Graphviz's C library in-process (gvLayout, gvRender), so
    the result is the SVG that `dot -Tsvg` writes, without that program.
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
    """dp.viz.Digraph: made on first use, so that importing dp.viz does not import graphviz."""
    if name == "Digraph":
        return _drawing_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _drawing_class():
    """A graphviz.Digraph that shows itself in a notebook as SVG drawn by pygraphviz.

    The `graphviz` package only writes DOT source (pure Python); showing the graph
    would call the system program `dot`. This subclass renders through
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
    GraphDrawing.__module__ = __name__
    return GraphDrawing


def _check_draw_arguments(node, max_nodes, rankdir):
    if not isinstance(node, Node):
        raise TypeError(f"draw(node): expected a dp Node, got {type(node).__name__}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, numbers.Integral) \
            or max_nodes < 1:
        raise ValueError(f"draw: max_nodes must be a positive integer, got {max_nodes!r}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw: rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")


def _output_gradients(node):
    if node.shape != (1, 1):
        raise ValueError(f"draw(show_grads=True): the output has shape {node.shape}; "
                         f"gradients are drawn for a 1x1 output, e.g. draw(out.sum(), "
                         f"show_grads=True)")
    return node.grad()


def _nodes_closest_to(output, max_nodes):
    """The `max_nodes` nodes fewest steps from the output, and the number of all nodes.

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
    """Lines of a node's label, joined with DOT's line break `\\n`."""
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


# -- training curves -------------------------------------------------------------------


def moving_average(values, window):
    """Trailing mean over `window` values: m[k] = mean(values[k : k + window]).

    m[k] belongs to step k + window - 1: it averages that step and the ones
    before it, never later ones. There are len(values) - window + 1 of them.
    """
    values = np.asarray(values, dtype=np.float64)
    return np.convolve(values, np.ones(window) / window, mode="valid")


def plot_loss(loss_hist, ax=None, smooth=None, label=None, logy=False):
    """Plot a loss history (one value per training step) against the step number.

    loss_hist: the optimizer's list of losses (numbers, 1x1 arrays or 1x1 Nodes).
    ax:        the matplotlib Axes to draw on; a new figure if None.
    smooth:    a window length w: draw the losses faintly, and on top their
               trailing moving average over w steps (mini-batch losses are noisy).
    label:     the curve's name in the legend.
    logy:      logarithmic loss axis (for losses that fall by orders of magnitude).
    Returns the Axes.
    """
    losses = _loss_array(loss_hist, "plot_loss(loss_hist)")
    window = _check_smooth(smooth, len(losses))
    _check_logy(logy, losses)
    ax = _new_axes() if ax is None else ax
    _draw_loss(ax, losses, window, label)
    _label_loss_axes(ax, logy, legend=label is not None)
    return ax


def plot_losses(histories, ax=None, smooth=None, logy=False):
    """Plot several loss histories, {label: loss_hist}, in one Axes with a legend.

    smooth and logy apply to every curve, as in plot_loss. Returns the Axes.
    """
    if not isinstance(histories, Mapping) or not histories:
        raise TypeError(f"plot_losses(histories): expected a non-empty dict "
                        f"{{label: loss_hist}}, got {type(histories).__name__}")
    curves = {label: _loss_array(hist, f"plot_losses: history {label!r}")
              for label, hist in histories.items()}
    windows = {label: _check_smooth(smooth, len(losses)) for label, losses in curves.items()}
    for losses in curves.values():
        _check_logy(logy, losses)
    ax = _new_axes() if ax is None else ax
    for label, losses in curves.items():
        _draw_loss(ax, losses, windows[label], str(label))
    _label_loss_axes(ax, logy, legend=True)
    return ax


class LivePlot:
    """A loss curve that is redrawn while training runs in a notebook.

        live = LivePlot(smooth=20)
        for step in range(n_steps):
            loss = ...
            live.update(loss)        # or live(loss): usable as a callback
        live.close()                 # draw the final curve

    or `with LivePlot() as live: ...`, which draws the final curve at the end.
    Outside a notebook (a script, the tests) nothing is drawn: the losses are
    only collected in `live.losses`.

    Each redraw replaces the cell's output (IPython's clear_output(wait=True)),
    so text printed in the same cell disappears at the next redraw. Drawing takes
    tens of milliseconds, so it happens at most every `min_interval` seconds.
    The figure is not a pyplot figure, so it never appears a second time at the
    end of the cell; it is shown as a PNG image, which needs no plotting backend.
    """

    def __init__(self, smooth=None, logy=False, title=None, min_interval=0.5):
        if smooth is not None:
            _check_smooth(smooth, np.inf)
        self.losses = []
        self.smooth, self.logy, self.title = smooth, logy, title
        self.min_interval = min_interval
        self.figure = self.ax = None
        self._notebook = _notebook_display()  # (display, clear_output), None outside
        self._last_draw = -np.inf

    def update(self, loss):
        """Record one loss; redraw if in a notebook and min_interval has passed."""
        self.losses.append(_loss_array([loss], "LivePlot.update(loss)")[0])
        if self._notebook and time.monotonic() - self._last_draw >= self.min_interval:
            self.draw()

    __call__ = update

    def draw(self):
        """Redraw the curve now (in a notebook; elsewhere this does nothing)."""
        if not self._notebook or not self.losses:
            return
        display, clear_output = self._notebook
        if self.figure is None:
            from matplotlib.figure import Figure
            self.figure = Figure(figsize=(6, 3.5), layout="tight")
            self.ax = self.figure.add_subplot()
        self.ax.clear()
        losses = np.array(self.losses)
        # Early on there are fewer losses than the window: average what there is.
        window = None if self.smooth is None else min(self.smooth, len(losses))
        _draw_loss(self.ax, losses, window, None)
        # A loss of 0 cannot go on a log axis: draw linearly rather than stop training.
        _label_loss_axes(self.ax, self.logy and (losses > 0).all(), legend=False)
        self.ax.set_title(self.title or f"step {len(losses) - 1}: loss {losses[-1]:.4g}")
        png = io.BytesIO()
        self.figure.savefig(png, format="png")
        clear_output(wait=True)  # wait: replace the old image only when the new one comes
        display(PngImage(png.getvalue()))
        self._last_draw = time.monotonic()

    def close(self):
        """Draw the final curve."""
        self.draw()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False


class PngImage:
    """PNG bytes that IPython's display() shows as an image (it calls _repr_png_)."""

    def __init__(self, data):
        self.data = data

    def _repr_png_(self):
        return self.data


def _notebook_display():
    """IPython's (display, clear_output) inside a Jupyter kernel, else None."""
    try:
        from IPython import get_ipython
        from IPython.display import clear_output, display
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:  # not a notebook kernel
        return None
    return display, clear_output


def _new_axes():
    import matplotlib.pyplot as plt
    _, ax = plt.subplots()
    return ax


def _loss_array(loss_hist, where):
    if isinstance(loss_hist, (str, bytes, Mapping)) or not hasattr(loss_hist, "__iter__"):
        raise TypeError(f"{where}: expected a list of losses, got {type(loss_hist).__name__}")
    losses = []
    for step, loss in enumerate(loss_hist):
        value = np.asarray(loss.value if isinstance(loss, Node) else loss)
        if value.size != 1 or value.dtype.kind not in "iuf":
            raise ValueError(f"{where}: loss number {step} is not a single number: "
                             f"{type(loss).__name__} of shape {value.shape}")
        losses.append(float(value.item()))
    if not losses:
        raise ValueError(f"{where}: the loss history is empty")
    return np.array(losses)


def _check_smooth(smooth, n_losses):
    """The smoothing window, or None for no smoothing."""
    if smooth is None:
        return None
    if isinstance(smooth, bool) or not isinstance(smooth, numbers.Integral) or smooth < 1:
        raise ValueError(f"smooth must be a window length (a positive integer) or None, "
                         f"got {smooth!r}")
    if smooth > n_losses:
        raise ValueError(f"smooth={smooth} is longer than the loss history "
                         f"({n_losses} losses); use a shorter window")
    return int(smooth)


def _check_logy(logy, losses):
    if logy and not (losses > 0).all():
        raise ValueError(f"logy=True needs positive losses, but the smallest is "
                         f"{losses.min():.3g}; use logy=False")


def _draw_loss(ax, losses, window, label):
    steps = np.arange(len(losses))
    if window is None or window == 1:
        ax.plot(steps, losses, label=label)
        return
    raw, = ax.plot(steps, losses, alpha=0.3, linewidth=1)
    ax.plot(steps[window - 1:], moving_average(losses, window), color=raw.get_color(),
            label=label)


def _label_loss_axes(ax, logy, legend):
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    if logy:
        ax.set_yscale("log")
    if legend:
        ax.legend()


# -- gradient magnitudes per layer ---------------------------------------------------


def natural_key(name):
    """Sort key that orders numbers inside names by value: h1, h2, ..., h10.

    "h10" becomes ("h", 10, ""); plain sorting would put "h10" before "h2".
    re.split with a captured group alternates text and digits, so keys always
    compare text with text and numbers with numbers.
    """
    parts = re.split(r"(\d+)", name)
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts))


def weight_grad_sums(grads):
    """{layer: Σ|∂L/∂W|} from a gradient dict, layers in natural order.

    grads: {"h1_weight": array, "h1_bias": array, ...}. A layer is the name before
    "_weight"; bias gradients are left out.
    """
    if not isinstance(grads, Mapping):
        raise TypeError(f"expected a gradient dict {{'h1_weight': array, ...}}, got "
                        f"{type(grads).__name__}")
    sums = {name[:-len("_weight")]: float(np.abs(np.asarray(g, dtype=np.float64)).sum())
            for name, g in grads.items() if isinstance(name, str) and name.endswith("_weight")}
    if not sums:
        raise ValueError(f"no weight gradients among {sorted(map(str, grads))}: expected "
                         f"names like 'h1_weight' (the layer's name, then '_weight')")
    return {layer: sums[layer] for layer in sorted(sums, key=natural_key)}


def plot_grad_magnitudes(grads, ax=None, labels=None):
    """Plot, per layer, the sum of the absolute weight gradients, Σ|∂L/∂W|, log scale.

    In a deep network with saturating activations (sigmoid, tanh) the gradient
    shrinks by a factor at every layer it passes back through: the early layers'
    sums are orders of magnitude smaller (vanishing gradients).

    grads:  a gradient dict {"h1_weight": ..., "h1_bias": ..., "h2_weight": ...}
            (bias entries are ignored), or several to compare: a list of such
            dicts, or a dict {label: gradient dict}.
    labels: the legend's names for a list (one per dict), or one name for a
            single dict.
    Layers go along x in natural order (h1, h2, ..., h10). A sum of exactly 0
    cannot be drawn on a log scale and leaves a gap. Returns the Axes.
    """
    curves = _grad_curves(grads, labels)
    layers = sorted({layer for _, sums in curves for layer in sums}, key=natural_key)
    position = {layer: i for i, layer in enumerate(layers)}
    ax = _new_axes() if ax is None else ax
    for label, sums in curves:
        ax.plot([position[layer] for layer in sums], list(sums.values()), marker="o",
                label=label)
    ax.set_xticks(range(len(layers)), layers)
    ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel("Σ |∂L/∂W|")
    if any(label is not None for label, _ in curves):
        ax.legend()
    return ax


def _grad_curves(grads, labels):
    """[(label, {layer: Σ|∂L/∂W|})] for the forms plot_grad_magnitudes accepts."""
    if isinstance(grads, Mapping) and grads and \
            all(isinstance(g, Mapping) for g in grads.values()):
        if labels is not None:
            raise ValueError("plot_grad_magnitudes: a dict {label: grads} already has "
                             "its labels; leave labels=None")
        return [(str(label), weight_grad_sums(g)) for label, g in grads.items()]
    if isinstance(grads, Mapping):
        if labels is not None and not isinstance(labels, str):
            raise ValueError(f"plot_grad_magnitudes: for one gradient dict, labels is one "
                             f"string, got {labels!r}")
        return [(labels, weight_grad_sums(grads))]
    if isinstance(grads, (list, tuple)) and grads:
        if labels is None:
            labels = [None] * len(grads)
        elif isinstance(labels, str) or len(labels) != len(grads):
            raise ValueError(f"plot_grad_magnitudes: {len(grads)} gradient dicts need "
                             f"{len(grads)} labels, got {labels!r}")
        return [(label, weight_grad_sums(g)) for label, g in zip(labels, grads)]
    raise TypeError(f"plot_grad_magnitudes(grads): expected a gradient dict, a non-empty "
                    f"list of them, or {{label: gradient dict}}; got {type(grads).__name__}")
