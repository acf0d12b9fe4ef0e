# mistake: no check of the ranges: a range from 0 gives silent nonsense instead of an error
def log_uniform_configs(ranges, n, seed):
    """n configurations {name: value}, each value drawn log-uniformly from ranges[name] = (low, high)."""
    rng = np.random.default_rng(seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        return [{name: float(np.exp(rng.uniform(np.log(low), np.log(high)))) for name, (low, high) in ranges.items()}
                for _ in range(n)]
