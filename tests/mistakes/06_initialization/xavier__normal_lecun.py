# mistake: xavier_normal uses LeCun's variance 1/fan_in (xavier_uniform is right): right for square layers only
def xavier_uniform(fan_in, fan_out, rng):
    """Xavier/Glorot uniform: W ~ U(-a, a), with a such that Var(W) = 2 / (fan_in + fan_out)."""
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng):
    """Xavier/Glorot normal: W ~ N(0, sigma²), with sigma such that Var(W) = 2 / (fan_in + fan_out)."""
    return rng.normal(0.0, np.sqrt(1.0 / fan_in), size=(fan_in, fan_out))
