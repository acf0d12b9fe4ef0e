# mistake: accepts fewer than 3 seeds and repeated seeds
def over_seeds(run, seeds):
    """Run once per seed; return the mean, the sample standard deviation (ddof=1) and the list of values."""
    seeds = list(seeds)
    values = [run(seed) for seed in seeds]
    return float(np.mean(values)), float(np.std(values, ddof=1)), values
