"""Teaching aids: draw the computational graph, watch training.

Graphs (dp.graph_drawing; needs ``pip install 'dp[draw]'``, no system Graphviz):
    draw(node)                  a Digraph of the graph that computed ``node``;
                                the last expression of a notebook cell shows it as SVG
    to_svg(node)                the same drawing as an SVG string
    Digraph(...)                graphviz.Digraph for drawing graphs of your own, shown
                                in notebooks the same way

Training (dp.training_plots, matplotlib; every function returns the Axes it drew on):
    plot_loss(loss_hist)        one loss curve, optionally smoothed
    plot_losses({label: hist})  several runs in one plot
    LivePlot()                  a loss curve redrawn during training in a notebook
    plot_grad_magnitudes(grads) Σ|∂L/∂W| per layer, log scale: vanishing gradients

Neither graphviz, pygraphviz nor matplotlib is imported before it is needed, so
``import dp`` works without them and stays fast.
"""

from dp.graph_drawing import (INSTALL_DOT, INSTALL_DRAWING, INSTALL_PYTHON_GRAPHVIZ,
                              SMALL_ARRAY, GraphvizNotFoundError, draw, to_svg)
from dp.training_plots import (LivePlot, PngImage, moving_average, natural_key,
                               plot_grad_magnitudes, plot_loss, plot_losses,
                               weight_grad_sums)

__all__ = ["draw", "to_svg", "Digraph", "GraphvizNotFoundError", "plot_loss",  # noqa: F822
           "plot_losses", "LivePlot", "plot_grad_magnitudes", "weight_grad_sums",
           "moving_average", "natural_key",
           # also published: the drawings' install message and small-array limit,
           # and the image LivePlot displays
           "INSTALL_DRAWING", "INSTALL_DOT", "INSTALL_PYTHON_GRAPHVIZ", "SMALL_ARRAY",
           "PngImage"]


def __getattr__(name):
    # Digraph and GraphDrawing are made on first use: importing dp.viz does not import graphviz.
    if name in ("Digraph", "GraphDrawing"):
        from dp.graph_drawing import _drawing_class
        return _drawing_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
