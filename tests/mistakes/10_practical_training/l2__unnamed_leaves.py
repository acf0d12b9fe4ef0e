# mistake: leaves without the parameter's name: the right value, but no gradient reaches the weights
def l2_penalty(model, lam):
    """(lam / 2) * the sum of the squares of all weights (not biases) of the model, a 1x1 Node."""
    total = Node(np.zeros((1, 1)))
    for name, value in model.get_param().items():
        if name.endswith("_weight"):
            total = total + Node(value).square().sum()
    return (lam / 2) * total
