# mistake: the mean treated as a constant, dL/dx = G
def centring_grad(G):
    """dL/dx for y = x - mean(x, axis=0) (each column centred over the batch), given
    G = dL/dy of shape (m, n). Returns an array of shape (m, n)."""
    return np.asarray(G, dtype=float).copy()
