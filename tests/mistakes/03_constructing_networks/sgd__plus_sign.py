# mistake: the update adds the gradient instead of subtracting it
class SGD(Optimizer):
    """Stochastic gradient descent: theta <- theta - alpha * gradient. Hyperparameter: alpha (0.01)."""

    def _set_param(self):
        self.alpha = self.hyperparam.get("alpha", 0.01)

    def _update(self, param, grad, name, step):
        return param[name] + self.alpha * grad[name]
