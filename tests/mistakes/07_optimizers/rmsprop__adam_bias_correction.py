# mistake: borrows Adam's bias correction, s / (1 - beta2^i), which RMSProp does not have (right at step 1 only: s_1 / (1 - beta2) = g²)
class RMSProp(Optimizer):
    """RMSProp:  s <- beta2 s + (1 - beta2) g²,  theta <- theta - alpha g / (sqrt(s) + epsilon)."""

    defaults = {"alpha": 0.001, "beta2": 0.9, "epsilon": 1e-8}
    num_grad_stores = 1

    def _set_param(self):
        for name in ("alpha", "beta2", "epsilon"):
            setattr(self, name, self.hyperparam.get(name, self.defaults[name]))

    def _update(self, param, grad, name, i):
        s = self.grad_stores[0]
        s[name] = self.beta2 * s[name] + (1 - self.beta2) * grad[name] ** 2
        s_hat = s[name] / (1 - self.beta2 ** i)
        return param[name] - self.alpha * grad[name] / (np.sqrt(s_hat) + self.epsilon)
