# mistake: he_normal uses fan_out (he_uniform is right): right for square layers only
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
    std = np.sqrt(2.0 / fan_out)
    return rng.normal(0.0, std, size=(fan_in, fan_out))
