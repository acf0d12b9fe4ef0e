# mistake: np.std with ddof=0 (divides by n, not n - 1)
def over_seeds(run, seeds):
    """Run once per seed; return the mean, the sample standard deviation (ddof=1) and the list of values."""
    seeds = list(seeds)
    if len(seeds) < 3 or len(set(seeds)) != len(seeds):
        raise ValueError(f"give at least 3 different seeds, got {seeds}")
    values = [run(seed) for seed in seeds]
    return float(np.mean(values)), float(np.std(values)), values
