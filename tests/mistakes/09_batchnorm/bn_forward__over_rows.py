# mistake: statistics over the features of each example (axis=1) instead of over the batch
def batchnorm_forward(x, gamma, beta, epsilon=1e-5):
    """Batch normalization of each column of x with the statistics of this batch."""
    mean = x.mean(axis=1)
    centered = x - mean
    var = centered.square().mean(axis=1)
    x_hat = centered / (var + epsilon).sqrt()
    out = gamma * x_hat + beta
    return out, x.value.mean(axis=0, keepdims=True), x.value.var(axis=0, keepdims=True)
