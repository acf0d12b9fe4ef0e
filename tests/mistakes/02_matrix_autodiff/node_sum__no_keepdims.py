# mistake: keepdims forgotten: the 1-D column sums (axis=0) become a column (m, 1) instead of a row (1, m)
def sum_(self, axis=None):
    """Sum of all elements (axis=None, result 1x1), of each column (axis=0, 1xm) or each row (axis=1, nx1)."""
    if axis not in (None, 0, 1):
        raise ValueError(f"axis must be None, 0 or 1, got {axis!r}")
    def backward(g):
        return (np.broadcast_to(g, self.shape),)
    return Node._from_op(self.value.sum(axis=axis), (self,), backward, f"sum({axis})")


Node.sum = sum_
