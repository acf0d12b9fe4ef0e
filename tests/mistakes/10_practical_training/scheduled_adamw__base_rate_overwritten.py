# mistake: the scheduled rate overwrites the base rate, so every update scales the previous rate again
class ScheduledAdamW(AdamW):
    """AdamW whose learning rate at step i is warmup_cosine(i, alpha, warmup, total, minimum) (see above)."""

    defaults = {**AdamW.defaults, "warmup": 0, "total": 1000, "minimum": 0.0}

    def _update(self, param, grad, g, i):
        self.alpha = warmup_cosine(min(i, self.total), self.alpha, self.warmup, self.total, self.minimum)
        return super()._update(param, grad, g, i)
