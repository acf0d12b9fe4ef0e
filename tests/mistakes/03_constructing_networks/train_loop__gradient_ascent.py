# mistake: the update adds the gradient instead of subtracting it
def gradient_descent(model, x, y, alpha, steps):
    """Train model on (x, y) with `steps` full-batch gradient-descent steps of size alpha.

    Returns the list of the loss values (floats) computed in the steps.
    """
    losses = []
    for _ in range(steps):
        grad, loss = model.get_grad(x, y)
        param = model.get_param()
        model.set_param({name: param[name] + alpha * grad[name] for name in param})
        losses.append(loss)
    return losses
