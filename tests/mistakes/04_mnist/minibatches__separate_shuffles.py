# mistake: shuffles images and labels with two different permutations, so the pairs no longer belong together
def minibatches(x, y, batch_size, rng):
    """Yield (x_batch, y_batch) pairs that cover the data once, in random order.

    x, y:       arrays with the same number of rows n (one example per row)
    batch_size: rows per batch; the last batch holds the n % batch_size
                remaining rows if that is not 0
    rng:        numpy.random.Generator; the order is rng.permutation(n)
    """
    n = len(x)
    x_shuffled = x[rng.permutation(n)]
    y_shuffled = y[rng.permutation(n)]
    for start in range(0, n, batch_size):
        yield x_shuffled[start:start + batch_size], y_shuffled[start:start + batch_size]
