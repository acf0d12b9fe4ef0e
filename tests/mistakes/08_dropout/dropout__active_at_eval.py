# mistake: ignores training: drops units in eval mode too
def dropout(x, rate, training=True, rng=None):
    """Inverted dropout of the entries of x."""
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1), got {rate!r}")
    if rate == 0:
        return x
    if rng is None:
        rng = dp.init.generator()
    keep = rng.random(x.shape) >= rate
    return x * (keep / (1 - rate))
