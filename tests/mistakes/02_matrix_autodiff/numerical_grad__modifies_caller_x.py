# mistake: works on the caller's array and never restores the perturbed elements
def numerical_grad(f, x, eps=1e-6):
    """Central-difference gradient of a scalar function of a matrix.

    f:   function taking a 2-D float array and returning a Python float
    x:   2-D array, the point where the gradient is wanted (not modified)
    eps: step size

    Returns an array of the same shape as x whose element (i, j) is
    (f(x + eps*E_ij) - f(x - eps*E_ij)) / (2*eps).
    """
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        x[idx] += eps
        f_plus = f(x)
        x[idx] -= 2 * eps
        f_minus = f(x)
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad
