# mistake: the backward pass returns ones (the local derivative) and forgets to multiply by g
def sum_(self, axis=None):
    """Sum of all elements (axis=None, result 1x1), of each column (axis=0, 1xm) or each row (axis=1, nx1)."""
    if axis not in (None, 0, 1):
        raise ValueError(f"axis must be None, 0 or 1, got {axis!r}")
    def backward(g):
        return (np.ones(self.shape),)
    return Node._from_op(self.value.sum(axis=axis, keepdims=True), (self,), backward, f"sum({axis})")


Node.sum = sum_
