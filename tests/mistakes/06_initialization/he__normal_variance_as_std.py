# mistake: he_normal passes the variance 2/fan_in as the standard deviation
def he_uniform(fan_in, fan_out, rng):
    """He/Kaiming uniform: W ~ U(-a, a), with a such that Var(W) = 2 / fan_in.

    Returns an array of shape (fan_in, fan_out), drawn from the Generator rng.
    """
    bound = np.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def he_normal(fan_in, fan_out, rng):
    """He/Kaiming normal: W ~ N(0, sigma²), with sigma such that Var(W) = 2 / fan_in.

    Returns an array of shape (fan_in, fan_out), drawn from the Generator rng.
    """
    return rng.normal(0.0, 2.0 / fan_in, size=(fan_in, fan_out))
