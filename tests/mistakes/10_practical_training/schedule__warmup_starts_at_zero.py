# mistake: warm-up from (i - 1) / warmup: the first step has learning rate 0
def warmup_cosine(i, base, warmup, total, minimum=0.0):
    """The learning rate of step i (1-based): linear warm-up to `base` over `warmup` steps, then cosine decay to `minimum` at step `total`."""
    if i <= warmup:
        return base * (i - 1) / warmup
    progress = (i - warmup) / (total - warmup)
    return minimum + (base - minimum) * 0.5 * (1 + math.cos(math.pi * progress))
