# mistake: images and labels shuffled with two different permutations
def split_train_val(x, y, n_val, seed):
    """Shuffle the rows of (x, y) with one permutation and split off n_val rows for validation.

    Returns x_train, y_train, x_val, y_val (validation: the first n_val rows of the permutation).
    Raises ValueError unless 1 <= n_val <= len(x) - 1.
    """
    if not 1 <= n_val <= len(x) - 1:
        raise ValueError(f"n_val must be between 1 and {len(x) - 1}, got {n_val}")
    order = np.random.default_rng(seed).permutation(len(x))
    val, train = order[:n_val], order[n_val:]
    order_y = np.random.default_rng(seed + 1).permutation(len(y))
    return x[train], y[order_y[n_val:]], x[val], y[order_y[:n_val]]
