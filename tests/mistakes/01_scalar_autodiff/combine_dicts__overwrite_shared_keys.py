# mistake: merges the dicts by overwriting, so a key in both keeps only b's value instead of the sum
def combine_dicts(a, b):
    """Return a new dict with the keys of a and b; values of shared keys are added.

    a and b are not modified.
    """
    return {**a, **b}
