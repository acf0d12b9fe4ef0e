# mistake: epsilon added to the standard deviation instead of the variance
def batchnorm_forward(x, gamma, beta, epsilon=1e-5):
    """Batch normalization of each column of x with the statistics of this batch."""
    mean = x.mean(axis=0)
    centered = x - mean
    var = centered.square().mean(axis=0)
    x_hat = centered / (var.sqrt() + epsilon)
    out = gamma * x_hat + beta
    return out, mean.value, var.value
