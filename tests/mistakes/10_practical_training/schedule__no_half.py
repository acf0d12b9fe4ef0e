# mistake: cosine without the factor 1/2: the decay starts at twice the base rate
def warmup_cosine(i, base, warmup, total, minimum=0.0):
    """The learning rate of step i (1-based): linear warm-up to `base` over `warmup` steps, then cosine decay to `minimum` at step `total`."""
    if i <= warmup:
        return base * i / warmup
    progress = (i - warmup) / (total - warmup)
    return minimum + (base - minimum) * (1 + math.cos(math.pi * progress))
