# mistake: computes the cost with NumPy on the plain values and wraps the number in a new Scalar, so the result is not connected to w and b and has no gradient
def mse_cost(w, b, x_values, y_values):
    """Mean squared error of the line w * x + b on the data, as a Scalar connected to w and b."""
    residual = w.value * x_values + b.value - y_values
    return Scalar(np.mean(residual**2))
