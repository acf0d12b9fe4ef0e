# mistake: takes the absolute value of the sum, so positive and negative entries cancel first
def weight_grad_magnitudes(net, x, y):
    """Sum of the absolute weight gradients of each layer, in layer order.

    net:  a DeepNet (layers "h1", ..., f"h{net.n_layers}")
    x, y: a batch of inputs and 0/1 labels
    Returns a NumPy array of shape (net.n_layers,): entry l - 1 is
    sum |dL/dW| of layer l.
    """
    grad, _ = net.get_grad(x, y)
    return np.array([abs(grad[f"h{l}_weight"].sum()) for l in range(1, net.n_layers + 1)])
