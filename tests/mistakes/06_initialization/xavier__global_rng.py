# mistake: draws from np.random instead of the rng argument
def xavier_uniform(fan_in, fan_out, rng):
    """Xavier/Glorot uniform: W ~ U(-a, a), with a such that Var(W) = 2 / (fan_in + fan_out).

    Returns an array of shape (fan_in, fan_out), drawn from the Generator rng.
    """
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return np.random.uniform(-bound, bound, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng):
    """Xavier/Glorot normal: W ~ N(0, sigma²), with sigma such that Var(W) = 2 / (fan_in + fan_out).

    Returns an array of shape (fan_in, fan_out), drawn from the Generator rng.
    """
    std = np.sqrt(2.0 / (fan_in + fan_out))
    return np.random.normal(0.0, std, size=(fan_in, fan_out))
