# mistake: no bias correction: steps along m / (sqrt(v) + epsilon)
class Adam(Optimizer):
    """Adam: momentum and RMSProp with bias correction (see the formulas above).

    hyperparam: alpha (default 0.001), beta1 (0.9), beta2 (0.999), epsilon (1e-8).
    """

    defaults = {"alpha": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
    num_grad_stores = 2   # grad_stores[0]: first moment m; grad_stores[1]: second moment v

    def _set_param(self):
        """Set self.alpha, self.beta1, self.beta2 and self.epsilon from self.hyperparam, or else from self.defaults."""
        for name in ("alpha", "beta1", "beta2", "epsilon"):
            setattr(self, name, self.hyperparam.get(name, self.defaults[name]))

    def _update(self, param, grad, g, i):
        """Update m and v of parameter g and return its new value at step i (1-based)."""
        m, v = self.grad_stores
        m[g] = self.beta1 * m[g] + (1 - self.beta1) * grad[g]
        v[g] = self.beta2 * v[g] + (1 - self.beta2) * grad[g] ** 2
        m_hat = m[g]
        v_hat = v[g]
        return param[g] - self.alpha * m_hat / (np.sqrt(v_hat) + self.epsilon)
