# mistake: epsilon inside the square root, sqrt(v_hat + epsilon): invisible with epsilon = 1e-8 and gradients of size 1
class Adam(Optimizer):
    """Adam: momentum and RMSProp with bias correction (see the formulas above)."""

    defaults = {"alpha": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
    num_grad_stores = 2

    def _set_param(self):
        for name in ("alpha", "beta1", "beta2", "epsilon"):
            setattr(self, name, self.hyperparam.get(name, self.defaults[name]))

    def _update(self, param, grad, name, i):
        m, v = self.grad_stores
        m[name] = self.beta1 * m[name] + (1 - self.beta1) * grad[name]
        v[name] = self.beta2 * v[name] + (1 - self.beta2) * grad[name] ** 2
        m_hat = m[name] / (1 - self.beta1 ** i)
        v_hat = v[name] / (1 - self.beta2 ** i)
        return param[name] - self.alpha * m_hat / np.sqrt(v_hat + self.epsilon)
