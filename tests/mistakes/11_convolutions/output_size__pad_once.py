# mistake: padding counted on one side only: (n + pad - k) // stride + 1
def output_size(n, k, stride=1, pad=0):
    """How many positions a k-wide filter takes along a side of length n (zero-padded by pad)."""
    return (n + pad - k) // stride + 1
