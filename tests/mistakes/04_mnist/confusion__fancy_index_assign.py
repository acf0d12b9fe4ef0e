# mistake: C[labels, predicted] += 1 with fancy indexing counts each (true, predicted) pair at most once
def confusion_matrix(labels, predicted, k):
    """Counts C[i, j] of examples of true class i predicted as class j.

    labels, predicted: integer arrays of shape (m,) with values in 0..k-1
    k:                 number of classes

    Returns an integer array of shape (k, k).
    """
    C = np.zeros((k, k), dtype=int)
    C[labels, predicted] += 1
    return C
