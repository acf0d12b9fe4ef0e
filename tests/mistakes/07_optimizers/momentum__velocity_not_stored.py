# mistake: computes the new velocity but never stores it in grad_stores
class SGDMomentum(Optimizer):
    """SGD with momentum:  v <- beta v + (1 - beta) g,  theta <- theta - alpha v  (v = 0 at first).

    hyperparam: alpha (default 0.001), beta (default 0.9).
    """

    defaults = {"alpha": 0.001, "beta": 0.9}
    num_grad_stores = 1   # grad_stores[0]: the velocity of each parameter

    def _set_param(self):
        """Set self.alpha and self.beta from self.hyperparam, or else from self.defaults."""
        self.alpha = self.hyperparam.get("alpha", self.defaults["alpha"])
        self.beta = self.hyperparam.get("beta", self.defaults["beta"])

    def _update(self, param, grad, g, i):
        """Update the velocity of parameter g and return its new value."""
        velocity = self.beta * self.grad_stores[0][g] + (1 - self.beta) * grad[g]
        return param[g] - self.alpha * velocity
