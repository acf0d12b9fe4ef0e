# mistake: counts steps from 0, so the first step has the rate 0 and every rate is one step late
class ScheduledAdamW(AdamW):
    """AdamW whose learning rate at step i is warmup_cosine(i, alpha, warmup, total, minimum) (see above)."""

    defaults = {**AdamW.defaults, "warmup": 0, "total": 1000, "minimum": 0.0}

    def _set_hyperparam(self):
        super()._set_hyperparam()
        self.base_alpha = self.alpha

    def _update(self, param, grad, g, i):
        self.alpha = warmup_cosine(min(i - 1, self.total), self.base_alpha, self.warmup, self.total, self.minimum)
        return super()._update(param, grad, g, i)
