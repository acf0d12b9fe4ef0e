# mistake: alpha is always 0.01, whatever the hyperparameters say
class SGD(Optimizer):
    """Stochastic gradient descent: theta <- theta - alpha * gradient. Hyperparameter: alpha (0.01)."""

    def _set_param(self):
        self.alpha = 0.01

    def _update(self, param, grad, name, step):
        return param[name] - self.alpha * grad[name]
