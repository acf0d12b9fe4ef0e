# mistake: compares the predicted labels with y as given, so one-hot targets are compared (broadcast) with label numbers
def accuracy(probs, y):
    """Fraction of examples whose most probable class is the correct one.

    probs: array (m, k) of class probabilities (or scores), one row per example
    y:     integer labels (m,) or one-hot rows (m, k)

    Returns a Python float in [0, 1].
    """
    return float(np.mean(np.argmax(probs, axis=1) == y))
