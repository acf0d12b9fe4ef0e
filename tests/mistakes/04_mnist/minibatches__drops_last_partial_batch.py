# mistake: stops at the last full batch, so the n % batch_size remaining examples are never used
def minibatches(x, y, batch_size, rng):
    """Yield (x_batch, y_batch) pairs that cover the data once, in random order.

    x, y:       arrays with the same number of rows n (one example per row)
    batch_size: rows per batch; the last batch holds the n % batch_size
                remaining rows if that is not 0
    rng:        numpy.random.Generator; the order is rng.permutation(n)
    """
    n = len(x)
    order = rng.permutation(n)
    for start in range(0, n - n % batch_size, batch_size):
        idx = order[start:start + batch_size]
        yield x[idx], y[idx]
