# mistake: the gradient is computed once, before the loop, and reused in every step
def gradient_descent(model, x, y, alpha, steps):
    """Train model on (x, y) with `steps` full-batch gradient-descent steps of size alpha.

    Returns the list of the loss values (floats) computed in the steps.
    """
    losses = []
    grad, loss = model.get_grad(x, y)
    for _ in range(steps):
        loss = model.get_grad(x, y)[1]
        param = model.get_param()
        model.set_param({name: param[name] - alpha * grad[name] for name in param})
        losses.append(loss)
    return losses
