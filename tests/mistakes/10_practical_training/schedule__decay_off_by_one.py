# mistake: the decay counted from i - warmup - 1: the last step is one step short of the minimum
def warmup_cosine(i, base, warmup, total, minimum=0.0):
    """The learning rate of step i (1-based): linear warm-up to `base` over `warmup` steps, then cosine decay to `minimum` at step `total`."""
    if i <= warmup:
        return base * i / warmup
    progress = (i - warmup - 1) / (total - warmup)
    return minimum + (base - minimum) * 0.5 * (1 + math.cos(math.pi * progress))
