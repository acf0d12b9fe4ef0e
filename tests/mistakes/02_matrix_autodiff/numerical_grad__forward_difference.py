# mistake: one-sided (forward) difference instead of the central difference
def numerical_grad(f, x, eps=1e-6):
    """Central-difference gradient of a scalar function of a matrix.

    f:   function taking a 2-D float array and returning a Python float
    x:   2-D array, the point where the gradient is wanted (not modified)
    eps: step size

    Returns an array of the same shape as x whose element (i, j) is
    (f(x + eps*E_ij) - f(x - eps*E_ij)) / (2*eps).
    """
    x = np.array(x, dtype=np.float64)          # a private float copy
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        f_0 = f(x)
        x[idx] = original + eps
        f_plus = f(x)
        x[idx] = original
        grad[idx] = (f_plus - f_0) / eps
    return grad
