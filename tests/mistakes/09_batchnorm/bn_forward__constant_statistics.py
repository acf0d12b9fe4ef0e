# mistake: mean and variance computed in NumPy on x.value: right values, but no gradient through them
def batchnorm_forward(x, gamma, beta, epsilon=1e-5):
    """Batch normalization of each column of x with the statistics of this batch."""
    mean = x.value.mean(axis=0, keepdims=True)
    var = x.value.var(axis=0, keepdims=True)
    x_hat = (x - mean) / np.sqrt(var + epsilon)
    out = gamma * x_hat + beta
    return out, mean, var
