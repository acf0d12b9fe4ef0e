# mistake: returns the variance instead of the standard deviation
def over_seeds(run, seeds):
    """Run once per seed; return the mean, the sample standard deviation (ddof=1) and the list of values."""
    seeds = list(seeds)
    if len(seeds) < 3 or len(set(seeds)) != len(seeds):
        raise ValueError(f"give at least 3 different seeds, got {seeds}")
    values = [run(seed) for seed in seeds]
    return float(np.mean(values)), float(np.var(values, ddof=1)), values
