# mistake: orders the layers by sorting the parameter names as strings: h1, h10, h2, ..., h9
def weight_grad_magnitudes(net, x, y):
    """Sum of the absolute weight gradients of each layer, in layer order.

    net:  a DeepNet (layers "h1", ..., f"h{net.n_layers}")
    x, y: a batch of inputs and 0/1 labels
    Returns a NumPy array of shape (net.n_layers,): entry l - 1 is
    sum |dL/dW| of layer l.
    """
    grad, _ = net.get_grad(x, y)
    names = sorted(name for name in grad if name.endswith("_weight"))
    return np.array([np.abs(grad[name]).sum() for name in names])
