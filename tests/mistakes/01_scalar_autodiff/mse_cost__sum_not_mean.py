# mistake: returns the sum of the squared errors instead of their mean (forgets to divide by n)
def mse_cost(w, b, x_values, y_values):
    """Mean squared error of the line w * x + b on the data, as a Scalar connected to w and b."""
    total = 0.0
    for x_i, y_i in zip(x_values, y_values):
        total = total + (w * x_i + b - y_i).square()
    return total
