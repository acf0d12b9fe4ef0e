# mistake: writes tanh' as 1 - z**2, confusing tanh(z) with z (right only at z = 0)
def activation_derivative(name, z):
    """Derivative of the activation `name` ("sigmoid", "tanh" or "relu") at z.

    z: NumPy array of any shape. Returns an array of the same shape, with
    relu'(0) = 0.
    """
    z = np.asarray(z, dtype=float)
    if name == "sigmoid":
        s = 1 / (1 + np.exp(-z))
        return s * (1 - s)
    if name == "tanh":
        return 1 - z ** 2
    if name == "relu":
        return (z > 0).astype(float)
    raise ValueError(f"unknown activation {name!r}")
