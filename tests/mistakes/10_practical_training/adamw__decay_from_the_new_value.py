# mistake: the decay computed from the value after Adam's step
class AdamW(Adam):
    """Adam with decoupled weight decay: theta <- theta - alpha * adam_step - alpha * weight_decay * theta (weights only).

    hyperparam: alpha (0.001), beta1 (0.9), beta2 (0.999), epsilon (1e-8), weight_decay (0.01).
    """

    defaults = {**Adam.defaults, "weight_decay": 0.01}

    def _update(self, param, grad, g, i):
        new = super()._update(param, grad, g, i)
        if g.endswith("_weight"):
            new = new - self.alpha * self.weight_decay * new
        return new
