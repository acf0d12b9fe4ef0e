# mistake: updates w first and then recomputes the gradient for b at the new w, instead of using one gradient for both
def gradient_descent(x_values, y_values, w_init, b_init, learning_rate, n_steps):
    """Fit y = w * x + b by gradient descent on the MSE; return (w, b, costs)."""
    w, b = float(w_init), float(b_init)
    costs = []
    for _ in range(n_steps):
        cost = mse_cost(Scalar(w, name="w"), Scalar(b, name="b"), x_values, y_values)
        costs.append(cost.value)
        w = w - learning_rate * cost.grad(1.0)["w"]
        cost_new_w = mse_cost(Scalar(w, name="w"), Scalar(b, name="b"), x_values, y_values)
        b = b - learning_rate * cost_new_w.grad(1.0)["b"]
    return w, b, costs
