# mistake: adds beta before scaling: gamma * (x_hat + beta)
def batchnorm_forward(x, gamma, beta, epsilon=1e-5):
    """Batch normalization of each column of x with the statistics of this batch."""
    mean = x.mean(axis=0)
    centered = x - mean
    var = centered.square().mean(axis=0)
    x_hat = centered / (var + epsilon).sqrt()
    out = gamma * (x_hat + beta)
    return out, mean.value, var.value
