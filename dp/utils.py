"""Small helpers around training: one-hot targets, accuracy, mini-batches."""

import numpy as np

from dp import _checks, init
from dp.node import Node

__all__ = ["one_hot", "accuracy", "minibatches"]


def _labels(what, labels):
    """Integer class labels as a 1-D int array (a column of labels is fine too)."""
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(f"{what}: expected a 1-D array of class labels, got shape "
                         f"{labels.shape}")
    if labels.dtype.kind == "f" and np.all(labels == np.round(labels)):
        labels = labels.astype(np.int64)  # 0.0, 1.0, ... are fine
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{what}: class labels must be integers 0, 1, ..., got dtype "
                        f"{labels.dtype}")
    if labels.size and labels.min() < 0:
        raise ValueError(f"{what}: class labels must be >= 0, got {labels.min()}")
    return labels


def one_hot(labels, n_classes: int | None = None) -> np.ndarray:
    """Rows of zeros with a 1 at each label:  Y[i, labels[i]] = 1.

    Args:
        labels: integers 0 .. n_classes-1, shape (m,) or (m, 1).
        n_classes: the number of columns k (default: the largest label + 1).

    Returns:
        A float64 array of shape (m, k).

    Raises:
        TypeError: if the labels are not integers.
        ValueError: for negative labels, a label >= n_classes, or a bad n_classes.
    """
    labels = _labels("one_hot", labels)
    if n_classes is None:
        n_classes = int(labels.max()) + 1 if labels.size else 0
    else:
        n_classes = _checks.integer("one_hot: n_classes", n_classes)
    if labels.size and labels.max() >= n_classes:
        raise ValueError(f"one_hot: label {labels.max()} does not fit n_classes={n_classes} "
                         f"(labels go from 0 to n_classes - 1)")
    y = np.zeros((len(labels), n_classes))
    y[np.arange(len(labels)), labels] = 1.0
    return y


def accuracy(pred, y, threshold: float = 0.5) -> float:
    """The fraction of examples whose predicted class is the true class.

    Args:
        pred: the network's output (Node or array), shape (m, k): the predicted
            class of a row is the column of its largest value (probabilities or
            logits alike). With one column (k = 1) the class is 1 where
            pred > threshold.
        y: the true classes: labels (m,) or (m, 1), or one-hot rows (m, k).
        threshold: for one column: 0.5 for probabilities; use 0 for logits.

    Returns:
        A float in [0, 1].

    Raises:
        ValueError: if the shapes of pred and y do not fit together.
    """
    pred = pred.value if isinstance(pred, Node) else np.asarray(pred)
    if pred.ndim == 1:
        pred = pred.reshape(-1, 1)
    y = y.value if isinstance(y, Node) else np.asarray(y)
    if pred.ndim != 2 or len(pred) != len(y):
        raise ValueError(f"accuracy: pred has shape {pred.shape} and y has shape "
                         f"{y.shape}; expected (m, k) predictions for m targets")
    if pred.shape[1] == 1:
        predicted = (pred[:, 0] > threshold).astype(np.int64)
    else:
        predicted = pred.argmax(axis=1)
    if y.ndim == 2 and y.shape[1] > 1:
        if y.shape != pred.shape:
            raise ValueError(f"accuracy: one-hot y has shape {y.shape}, but pred has "
                             f"shape {pred.shape}")
        true = y.argmax(axis=1)
    else:
        true = _labels("accuracy", y)
    return float(np.mean(predicted == true))


def minibatches(x, y, batch_size: int, shuffle: bool = True, rng=None):
    """An iterator of (x_batch, y_batch) pairs that goes once through the data (one epoch).

    Every example appears in exactly one batch; the last batch is smaller
    when batch_size does not divide the number of examples.

    Args:
        x: inputs, one example per row.
        y: targets, one per row of x.
        batch_size: rows per batch, a positive integer.
        shuffle: visit the examples in a random order, else in their order.
        rng: the numpy Generator for the order (default: dp's, see dp.init.seed).

    Returns:
        An iterator of (x_batch, y_batch); the arguments are checked at the call.

    Raises:
        ValueError: if x and y differ in length or batch_size is not a positive integer.
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"minibatches: x has {len(x)} rows but y has {len(y)}")
    batch_size = _checks.integer("minibatches: batch_size", batch_size)
    if shuffle:
        order = (init.generator() if rng is None else rng).permutation(len(x))
    else:
        order = np.arange(len(x))
    # The checks above run at the call; the batches are made as they are asked for.
    return ((x[order[start:start + batch_size]], y[order[start:start + batch_size]])
            for start in range(0, len(x), batch_size))
