# mistake: the decay added to the gradient before Adam's step (L2 regularization, not decoupled)
class AdamW(Adam):
    """Adam with decoupled weight decay: theta <- theta - alpha * adam_step - alpha * weight_decay * theta (weights only).

    hyperparam: alpha (0.001), beta1 (0.9), beta2 (0.999), epsilon (1e-8), weight_decay (0.01).
    """

    defaults = {**Adam.defaults, "weight_decay": 0.01}

    def _update(self, param, grad, g, i):
        if g.endswith("_weight"):
            grad = {**grad, g: grad[g] + self.weight_decay * param[g]}
        return super()._update(param, grad, g, i)
