"""Watching training: loss curves and gradient magnitudes, drawn with matplotlib.

    plot_loss(loss_hist)          one loss curve, optionally smoothed
    plot_losses({label: hist})    several runs in one plot
    LivePlot()                    a loss curve redrawn during training in a notebook
    plot_grad_magnitudes(grads)   Σ|∂L/∂W| per layer, log scale: vanishing gradients

Every plotting function returns the Axes it drew on. matplotlib is imported
only when something is drawn. Published as part of dp.viz.
"""

import io
import re
import time
from collections.abc import Mapping

import numpy as np

from dp import _checks
from dp.node import Node

__all__ = ["plot_loss", "plot_losses", "LivePlot", "PngImage", "plot_grad_magnitudes",
           "weight_grad_sums", "moving_average", "natural_key"]


# -- training curves -------------------------------------------------------------------


def moving_average(values, window):
    """Trailing mean over ``window`` values: m[k] = mean(values[k : k + window]).

    m[k] belongs to step k + window - 1: it averages that step and the ones
    before it, never later ones. There are len(values) - window + 1 of them.
    """
    values = np.asarray(values, dtype=np.float64)
    return np.convolve(values, np.ones(window) / window, mode="valid")


def plot_loss(loss_hist, ax=None, smooth: int | None = None, label: str | None = None,
              logy: bool = False):
    """Plot a loss history (one value per training step) against the step number.

    Args:
        loss_hist: the optimizer's list of losses (numbers, 1x1 arrays or 1x1 Nodes).
        ax: the matplotlib Axes to draw on; a new figure if None.
        smooth: a window length w: draw the losses faintly, and on top their
            trailing moving average over w steps (mini-batch losses are noisy).
        label: the curve's name in the legend.
        logy: logarithmic loss axis (for losses that fall by orders of magnitude).

    Returns:
        The Axes.

    Raises:
        TypeError: if loss_hist is not a list of losses.
        ValueError: for an empty history, a loss that is not one number, a bad
            window, or logy with a loss <= 0.
    """
    losses = _loss_array(loss_hist, "plot_loss(loss_hist)")
    window = _check_smooth(smooth, len(losses))
    _check_logy(logy, losses)
    ax = _new_axes() if ax is None else ax
    _draw_loss(ax, losses, window, label)
    _label_loss_axes(ax, logy, legend=label is not None)
    return ax


def plot_losses(histories, ax=None, smooth: int | None = None, logy: bool = False):
    """Plot several loss histories in one Axes with a legend.

    Args:
        histories: {label: loss_hist}, a non-empty dict.
        ax: the matplotlib Axes to draw on; a new figure if None.
        smooth: as in plot_loss, for every curve.
        logy: as in plot_loss, for every curve.

    Returns:
        The Axes.

    Raises:
        TypeError: if histories is not a non-empty dict.
        ValueError: as in plot_loss, naming the history.
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

    or ``with LivePlot() as live: ...``, which draws the final curve at the end.
    Outside a notebook (a script, the tests) nothing is drawn: the losses are
    only collected in ``live.losses``.

    Each redraw replaces the cell's output (IPython's clear_output(wait=True)),
    so text printed in the same cell disappears at the next redraw. Drawing takes
    tens of milliseconds, so it happens at most every ``min_interval`` seconds.
    The figure is not a pyplot figure, so it never appears a second time at the
    end of the cell; it is shown as a PNG image, which needs no plotting backend.

    Args:
        smooth: draw a trailing moving average over this many steps on top.
        logy: logarithmic loss axis (drawn linearly while a loss is <= 0).
        title: the plot's title (default: the step and its loss).
        min_interval: the fewest seconds between two redraws.

    Attributes:
        losses: every loss recorded so far, as floats.
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
    smooth = _checks.integer("smooth", smooth, allow_none=True,
                             expected="a window length (a positive integer) or None")
    if smooth > n_losses:
        raise ValueError(f"smooth={smooth} is longer than the loss history "
                         f"({n_losses} losses); use a shorter window")
    return smooth


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


def weight_grad_sums(grads) -> dict[str, float]:
    """Σ|∂L/∂W| of each layer's weights, layers in natural order.

    Args:
        grads: {"h1_weight": array, "h1_bias": array, ...}. A layer is the name
            before "_weight"; bias gradients are left out.

    Returns:
        {layer: Σ|∂L/∂W|}.

    Raises:
        TypeError: if grads is not a dict.
        ValueError: if it has no "<layer>_weight" entry.
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

    Layers go along x in natural order (h1, h2, ..., h10). A sum of exactly 0
    cannot be drawn on a log scale and leaves a gap.

    Args:
        grads: a gradient dict {"h1_weight": ..., "h1_bias": ..., "h2_weight": ...}
            (bias entries are ignored), or several to compare: a list of such
            dicts, or a dict {label: gradient dict}.
        ax: the matplotlib Axes to draw on; a new figure if None.
        labels: the legend's names for a list (one per dict), or one name for
            a single dict.

    Returns:
        The Axes.

    Raises:
        TypeError: for grads in none of these forms.
        ValueError: for labels that do not fit grads.
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
