# mistake: tanh' written as 1 - tanh(z), the square forgotten (right only where tanh(z) is 0 or 1)
def activation_derivative(name, z):
    """Derivative of the activation `name` ("sigmoid", "tanh" or "relu") at z."""
    z = np.asarray(z, dtype=float)
    if name == "sigmoid":
        s = 1 / (1 + np.exp(-z))
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(z)
    if name == "relu":
        return (z > 0).astype(float)
    raise ValueError(f"unknown activation {name!r}")
