# mistake: E[H^2] returned as the variance
def dropout_moments(x, p, c):
    """Mean and variance of H = c X M for a fixed value x, when M is 0 with probability p
    and 1 otherwise. Returns (mean, variance), arrays shaped like x."""
    x = np.asarray(x, dtype=float)
    return c * (1 - p) * x, c ** 2 * (1 - p) * x ** 2
