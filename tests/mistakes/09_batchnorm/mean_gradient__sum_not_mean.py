# mistake: subtracts the column sum instead of the mean
def centring_grad(G):
    """dL/dx for y = x - mean(x, axis=0) (each column centred over the batch), given
    G = dL/dy of shape (m, n). Returns an array of shape (m, n)."""
    G = np.asarray(G, dtype=float)
    return G - G.sum(axis=0, keepdims=True)
