# mistake: one random number per configuration for all hyperparameters, so they rise and fall together
def log_uniform_configs(ranges, n, seed):
    """n configurations {name: value}, each value drawn log-uniformly from ranges[name] = (low, high)."""
    for name, (low, high) in ranges.items():
        if not 0 < low <= high:
            raise ValueError(f"{name}: expected a range 0 < low <= high, got ({low}, {high})")
    rng = np.random.default_rng(seed)
    configs = []
    for _ in range(n):
        u = rng.uniform()
        configs.append({name: float(np.exp(np.log(low) + u * (np.log(high) - np.log(low)))) for name, (low, high) in ranges.items()})
    return configs
