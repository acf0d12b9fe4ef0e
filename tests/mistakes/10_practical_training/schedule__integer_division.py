# mistake: base * (i // warmup): the learning rate stays 0 for the whole warm-up
def warmup_cosine(i, base, warmup, total, minimum=0.0):
    """The learning rate of step i (1-based): linear warm-up to `base` over `warmup` steps, then cosine decay to `minimum` at step `total`."""
    if i <= warmup:
        return base * (i // warmup)
    progress = (i - warmup) / (total - warmup)
    return minimum + (base - minimum) * 0.5 * (1 + math.cos(math.pi * progress))
