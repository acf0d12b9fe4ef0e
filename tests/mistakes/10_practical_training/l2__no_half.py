# mistake: lam * sum of squares, without the 1/2
def l2_penalty(model, lam):
    """(lam / 2) * the sum of the squares of all weights (not biases) of the model, a 1x1 Node."""
    total = Node(np.zeros((1, 1)))
    for name, value in model.get_param().items():
        if name.endswith("_weight"):
            total = total + Node(value, name).square().sum()
    return lam * total
