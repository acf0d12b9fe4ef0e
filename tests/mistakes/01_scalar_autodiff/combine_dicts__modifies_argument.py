# mistake: adds b's values into a in place and returns a, so the caller's dict a is changed
def combine_dicts(a, b):
    """Return a new dict with the keys of a and b; values of shared keys are added.

    a and b are not modified.
    """
    for key, value in b.items():
        a[key] = a.get(key, 0.0) + value
    return a
