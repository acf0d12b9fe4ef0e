# mistake: mixes the two conventions: rescales in training and multiplies by 1 - rate in eval mode
def dropout(x, rate, training=True, rng=None):
    """Inverted dropout of the entries of x."""
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1), got {rate!r}")
    if not training:
        return x * (1 - rate)
    if rng is None:
        rng = dp.init.generator()
    keep = rng.random(x.shape) >= rate
    return x * (keep / (1 - rate))
