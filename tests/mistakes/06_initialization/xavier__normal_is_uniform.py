# mistake: xavier_normal draws from a uniform distribution (with the right variance)
def xavier_uniform(fan_in, fan_out, rng):
    """Xavier/Glorot uniform: W ~ U(-a, a), with a such that Var(W) = 2 / (fan_in + fan_out).

    Returns an array of shape (fan_in, fan_out), drawn from the Generator rng.
    """
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng):
    """Xavier/Glorot normal: W ~ N(0, sigma²), with sigma such that Var(W) = 2 / (fan_in + fan_out).

    Returns an array of shape (fan_in, fan_out), drawn from the Generator rng.
    """
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))
