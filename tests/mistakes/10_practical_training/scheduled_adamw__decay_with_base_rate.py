# mistake: Adam's step follows the schedule, but the decay uses the base rate
class ScheduledAdamW(AdamW):
    """AdamW whose learning rate at step i is warmup_cosine(i, alpha, warmup, total, minimum) (see above)."""

    defaults = {**AdamW.defaults, "warmup": 0, "total": 1000, "minimum": 0.0}

    def _set_hyperparam(self):
        super()._set_hyperparam()
        self.base_alpha = self.alpha

    def _update(self, param, grad, g, i):
        self.alpha = warmup_cosine(min(i, self.total), self.base_alpha, self.warmup, self.total, self.minimum)
        new = Adam._update(self, param, grad, g, i)
        if g.endswith("_weight"):
            new = new - self.base_alpha * self.weight_decay * param[g]
        return new
