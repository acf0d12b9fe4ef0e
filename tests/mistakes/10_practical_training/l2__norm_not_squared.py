# mistake: the Frobenius norm instead of its square
def l2_penalty(model, lam):
    """(lam / 2) * the sum of the squares of all weights (not biases) of the model, a 1x1 Node."""
    total = Node(np.zeros((1, 1)))
    for name, value in model.get_param().items():
        if name.endswith("_weight"):
            total = total + Node(value, name).square().sum().sqrt()
    return (lam / 2) * total
