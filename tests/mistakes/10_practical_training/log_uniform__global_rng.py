# mistake: seeds and uses NumPy's global generator, changing every other user's random state
def log_uniform_configs(ranges, n, seed):
    """n configurations {name: value}, each value drawn log-uniformly from ranges[name] = (low, high)."""
    for name, (low, high) in ranges.items():
        if not 0 < low <= high:
            raise ValueError(f"{name}: expected a range 0 < low <= high, got ({low}, {high})")
    np.random.seed(seed)
    return [{name: float(np.exp(np.random.uniform(np.log(low), np.log(high)))) for name, (low, high) in ranges.items()}
            for _ in range(n)]
