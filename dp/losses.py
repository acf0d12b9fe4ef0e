"""Loss functions: each takes the network's output and the targets, returns a 1x1 Node.

Notation: m examples (rows), k outputs (columns); P predicted probabilities,
Z logits (the values before softmax or σ), Y targets of the same shape (one-hot
rows for classes). Every loss is the mean over the m examples of a per-example
loss, which is summed over the k columns:

    loss = (1/m) Σ_i  ℓ(row i)

so its size does not depend on the batch size, and one learning rate suits
every batch size.

y may be a NumPy array or a Node; an array is converted to the dtype of the
prediction (a float32 model stays float32).

Prefer the *_with_logits versions: computing log(softmax(Z)) in one step never
takes the log of a probability that has rounded to 0, so the loss and its
gradient stay finite for any logits (see cross_entropy).
"""

import numpy as np

from dp.node import Node

__all__ = ["cross_entropy", "cross_entropy_with_logits", "mse",
           "binary_cross_entropy", "binary_cross_entropy_with_logits"]


def _prepare(loss_name, pred, y):
    """Check the arguments and return (pred Node, y Node) of equal shapes."""
    if not isinstance(pred, Node):
        raise TypeError(f"{loss_name}: the prediction must be a Node (the network's "
                        f"output), got {type(pred).__name__}")
    if not isinstance(y, Node):
        y = np.asarray(y)
        if y.ndim == 1:  # a vector of targets is a column, as in Node(...)
            y = y.reshape(-1, 1)
        if y.dtype.kind not in "biuf":
            raise TypeError(f"{loss_name}: y must hold numbers, got dtype {y.dtype}")
        y = Node(y.astype(pred.dtype, copy=False))
    if y.shape != pred.shape:
        hint = ""
        if pred.shape[1] > 1 and y.shape[1] == 1:
            hint = ("; for class labels 0..k-1, one-hot encode them first: "
                    "dp.utils.one_hot(labels, k)")
        raise ValueError(f"{loss_name}: y has shape {y.shape} but the prediction has "
                         f"shape {pred.shape}; they must be equal{hint}")
    return pred, y


def _mean_over_rows(per_entry):
    """(1/m) Σ_ij per_entry_ij: summed over the columns, averaged over the rows."""
    return per_entry.sum() * (1.0 / per_entry.shape[0])


def cross_entropy(probs: Node, y, epsilon: float = 1e-12) -> Node:
    """Cross-entropy from probabilities (e.g. the output of softmax):

        loss = -(1/m) Σ_i Σ_j  Y_ij log(P_ij + ε)

    ε = 1e-12 keeps log(0) = -inf away when a probability has rounded to 0:
    it changes a loss only where P is near 0 and bounds the gradient
    -Y/(P + ε) by 1/ε. A probability that is exactly 0 has lost all
    information about how wrong the network is, which is why
    cross_entropy_with_logits(Z, Y), computed from the logits, is better.

    Args:
        probs: the network's output, an (m, k) Node of probabilities (rows summing to 1).
        y: the targets, an (m, k) array or Node (one-hot rows for classes).
        epsilon: ε, added to the probabilities before the log.

    Returns:
        The loss, a 1x1 Node.

    Raises:
        TypeError: if probs is not a Node or y does not hold numbers.
        ValueError: if the shapes of probs and y differ.
    """
    probs, y = _prepare("cross_entropy", probs, y)
    return -_mean_over_rows(y * (probs + epsilon).log())


def cross_entropy_with_logits(logits: Node, y) -> Node:
    """Cross-entropy of softmax(Z) from the logits Z, computed stably:

        loss = -(1/m) Σ_i Σ_j  Y_ij log_softmax(Z)_ij,
        log_softmax(Z)_ij = Z_ij - log Σ_k exp(Z_ik)

    The gradient with respect to Z is (softmax(Z) - Y) / m (for one-hot rows).

    Args:
        logits: the network's output, an (m, k) Node of logits (before softmax).
        y: the targets, an (m, k) array or Node (one-hot rows for classes).

    Returns:
        The loss, a 1x1 Node.

    Raises:
        TypeError: if logits is not a Node or y does not hold numbers.
        ValueError: if the shapes of logits and y differ.
    """
    logits, y = _prepare("cross_entropy_with_logits", logits, y)
    return -_mean_over_rows(y * logits.log_softmax())


def mse(pred: Node, y) -> Node:
    """Squared error, summed over the outputs and averaged over the examples:

        loss = (1/m) Σ_i Σ_j (pred_ij - Y_ij)²

    (For one output column this is the usual mean squared error; PyTorch's
    MSELoss also divides by the number of columns k.)

    Args:
        pred: the network's output, an (m, k) Node.
        y: the targets, an (m, k) array or Node; a vector of m targets is a column.

    Returns:
        The loss, a 1x1 Node.

    Raises:
        TypeError: if pred is not a Node or y does not hold numbers.
        ValueError: if the shapes of pred and y differ.
    """
    pred, y = _prepare("mse", pred, y)
    return _mean_over_rows((pred - y).square())


def binary_cross_entropy(p: Node, y, epsilon: float = 1e-12) -> Node:
    """Binary cross-entropy from probabilities p of the positive class (e.g. σ(z)):

        loss = -(1/m) Σ_i Σ_j [ Y_ij log(p_ij + ε) + (1 - Y_ij) log(1 - p_ij + ε) ]

    with ε = 1e-12 as in cross_entropy; prefer binary_cross_entropy_with_logits.

    Args:
        p: the network's output, an (m, k) Node of probabilities of the positive class.
        y: the targets, an (m, k) array or Node of 0s and 1s.
        epsilon: ε, added to the probabilities before the log.

    Returns:
        The loss, a 1x1 Node.

    Raises:
        TypeError: if p is not a Node or y does not hold numbers.
        ValueError: if the shapes of p and y differ.
    """
    p, y = _prepare("binary_cross_entropy", p, y)
    return -_mean_over_rows(y * (p + epsilon).log() + (1 - y) * (1 - p + epsilon).log())


def binary_cross_entropy_with_logits(logits: Node, y) -> Node:
    """Binary cross-entropy of σ(z) from the logits z, computed stably:

        loss = -(1/m) Σ_i Σ_j [ Y_ij log σ(z_ij) + (1 - Y_ij) log(1 - σ(z_ij)) ]

    How: σ(z) is the softmax of the pair (0, z): σ(z) = e^z / (e^0 + e^z) and
    1 - σ(z) = e^0 / (e^0 + e^z). So log_softmax of the rows [0, z] gives
    [log(1 - σ(z)), log σ(z)] without ever rounding σ(z) to 0 or 1. The
    gradient with respect to z is (σ(z) - Y) / m.

    Args:
        logits: the network's output, an (m, k) Node of logits z.
        y: the targets, an (m, k) array or Node of 0s and 1s.

    Returns:
        The loss, a 1x1 Node.

    Raises:
        TypeError: if logits is not a Node or y does not hold numbers.
        ValueError: if the shapes of logits and y differ.
    """
    logits, y = _prepare("binary_cross_entropy_with_logits", logits, y)
    m, k = logits.shape
    z = logits.reshape((m * k, 1))
    pairs = Node(np.zeros((m * k, 1), dtype=logits.dtype)).concatenate(z, axis=1)
    log_probs = pairs.log_softmax()            # columns: log(1 - σ(z)), log σ(z)
    log_not = log_probs[:, 0].reshape((m, k))
    log_yes = log_probs[:, 1].reshape((m, k))
    return -_mean_over_rows(y * log_yes + (1 - y) * log_not)
