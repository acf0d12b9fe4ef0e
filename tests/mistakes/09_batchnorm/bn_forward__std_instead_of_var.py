# mistake: divides by sqrt(std + epsilon), taking the square root of the standard deviation
def batchnorm_forward(x, gamma, beta, epsilon=1e-5):
    """Batch normalization of each column of x with the statistics of this batch."""
    mean = x.mean(axis=0)
    centered = x - mean
    var = centered.square().mean(axis=0)
    x_hat = centered / (var.sqrt() + epsilon).sqrt()
    return gamma * x_hat + beta, mean.value, var.value
