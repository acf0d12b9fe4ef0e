# mistake: runs the first seed every time
def over_seeds(run, seeds):
    """Run once per seed; return the mean, the sample standard deviation (ddof=1) and the list of values."""
    seeds = list(seeds)
    if len(seeds) < 3 or len(set(seeds)) != len(seeds):
        raise ValueError(f"give at least 3 different seeds, got {seeds}")
    values = [run(seeds[0]) for seed in seeds]
    return float(np.mean(values)), float(np.std(values, ddof=1)), values
