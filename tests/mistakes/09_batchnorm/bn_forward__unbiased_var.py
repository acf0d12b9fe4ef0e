# mistake: normalizes with the unbiased variance (divided by m - 1)
def batchnorm_forward(x, gamma, beta, epsilon=1e-5):
    """Batch normalization of each column of x with the statistics of this batch."""
    m = x.shape[0]
    mean = x.mean(axis=0)
    centered = x - mean
    var = centered.square().sum(axis=0) / (m - 1)
    x_hat = centered / (var + epsilon).sqrt()
    out = gamma * x_hat + beta
    return out, mean.value, var.value
