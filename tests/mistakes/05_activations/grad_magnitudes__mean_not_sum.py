# mistake: the mean of |dL/dW| instead of the sum: every layer divided by its number of weights
def weight_grad_magnitudes(net, x, y):
    """Sum of the absolute weight gradients of each layer, in layer order."""
    grad, _ = net.get_grad(x, y)
    return np.array([np.abs(grad[f"h{l}_weight"]).mean() for l in range(1, net.n_layers + 1)])
