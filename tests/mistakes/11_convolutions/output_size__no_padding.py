# mistake: padding forgotten: (n - k) // stride + 1
def output_size(n, k, stride=1, pad=0):
    """How many positions a k-wide filter takes along a side of length n (zero-padded by pad)."""
    return (n - k) // stride + 1
