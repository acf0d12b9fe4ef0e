# mistake: rows are the predicted classes and columns the true classes (the transpose)
def confusion_matrix(labels, predicted, k):
    """Counts C[i, j] of examples of true class i predicted as class j.

    labels, predicted: integer arrays of shape (m,) with values in 0..k-1
    k:                 number of classes

    Returns an integer array of shape (k, k).
    """
    C = np.zeros((k, k), dtype=int)
    for t, p in zip(labels, predicted):
        C[p, t] += 1
    return C
