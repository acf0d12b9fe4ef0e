# mistake: stops when the first pass over the data is over, so it makes fewer than `steps` updates
def sgd(net, x, y, alpha, batch_size, steps, rng):
    """Train `net` with mini-batch stochastic gradient descent.

    net:        a Model with get_grad, get_param and set_param
    x, y:       training inputs and targets (same number of rows)
    alpha:      learning rate
    batch_size: examples per mini-batch
    steps:      number of updates (may span several epochs)
    rng:        numpy.random.Generator, passed on to minibatches

    Returns the list of the `steps` mini-batch losses (Python floats).
    """
    losses = []
    for step, (x_batch, y_batch) in enumerate(minibatches(x, y, batch_size, rng)):
        if step == steps:
            break
        grad, loss = net.get_grad(x_batch, y_batch)
        param = net.get_param()
        net.set_param({name: param[name] - alpha * grad[name] for name in param})
        losses.append(loss.value.item())
    return losses
