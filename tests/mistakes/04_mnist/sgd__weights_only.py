# mistake: updates only the weight matrices; the biases keep their initial values
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
    while len(losses) < steps:
        for x_batch, y_batch in minibatches(x, y, batch_size, rng):
            grad, loss = net.get_grad(x_batch, y_batch)
            param = net.get_param()
            new = {}
            for name, value in param.items():
                if name.endswith("weight"):
                    new[name] = value - alpha * grad[name]
                else:
                    new[name] = value
            net.set_param(new)
            losses.append(loss.value.item())
            if len(losses) == steps:
                break
    return losses
