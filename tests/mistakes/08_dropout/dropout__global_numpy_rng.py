# mistake: draws the mask from np.random, ignoring both the rng argument and dp's generator
def dropout(x, rate, training=True, rng=None):
    """Inverted dropout of the entries of x."""
    if not 0 <= rate < 1:
        raise ValueError(f"dropout: rate must be in [0, 1), got {rate!r}")
    if not training or rate == 0:
        return x
    keep = np.random.random(x.shape) >= rate
    return x * (keep / (1 - rate))
