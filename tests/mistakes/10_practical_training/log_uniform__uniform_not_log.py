# mistake: draws uniformly between low and high, so almost every value lies in the top factor of 10
def log_uniform_configs(ranges, n, seed):
    """n configurations {name: value}, each value drawn log-uniformly from ranges[name] = (low, high)."""
    for name, (low, high) in ranges.items():
        if not 0 < low <= high:
            raise ValueError(f"{name}: expected a range 0 < low <= high, got ({low}, {high})")
    rng = np.random.default_rng(seed)
    return [{name: float(rng.uniform(low, high)) for name, (low, high) in ranges.items()} for _ in range(n)]
