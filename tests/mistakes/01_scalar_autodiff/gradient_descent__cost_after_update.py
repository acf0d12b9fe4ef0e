# mistake: records the cost after each update instead of before it, so costs[0] is not the cost of the initial parameters
def gradient_descent(x_values, y_values, w_init, b_init, learning_rate, n_steps):
    """Fit y = w * x + b by gradient descent on the MSE; return (w, b, costs)."""
    w, b = float(w_init), float(b_init)
    costs = []
    for _ in range(n_steps):
        cost = mse_cost(Scalar(w, name="w"), Scalar(b, name="b"), x_values, y_values)
        grads = cost.grad(1.0)
        w = w - learning_rate * grads["w"]
        b = b - learning_rate * grads["b"]
        costs.append(mse_cost(Scalar(w), Scalar(b), x_values, y_values).value)
    return w, b, costs
