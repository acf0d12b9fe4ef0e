# mistake: keeps the running means in a class attribute, shared by all RMSProp objects
class RMSProp(Optimizer):
    """RMSProp:  s <- beta2 s + (1 - beta2) g²,  theta <- theta - alpha g / (sqrt(s) + epsilon)  (s = 0 at first).

    hyperparam: alpha (default 0.001), beta2 (default 0.9), epsilon (default 1e-8).
    """

    defaults = {"alpha": 0.001, "beta2": 0.9, "epsilon": 1e-8}
    num_grad_stores = 1   # grad_stores[0]: the running mean of the squared gradients
    shared_mean_square = {}

    def _set_param(self):
        """Set self.alpha, self.beta2 and self.epsilon from self.hyperparam, or else from self.defaults."""
        for name in ("alpha", "beta2", "epsilon"):
            setattr(self, name, self.hyperparam.get(name, self.defaults[name]))

    def _update(self, param, grad, g, i):
        """Update the mean square of parameter g's gradients and return its new value."""
        mean_square = RMSProp.shared_mean_square
        mean_square.setdefault(g, np.zeros_like(param[g]))
        mean_square[g] = self.beta2 * mean_square[g] + (1 - self.beta2) * grad[g] ** 2
        return param[g] - self.alpha * grad[g] / (np.sqrt(mean_square[g]) + self.epsilon)
