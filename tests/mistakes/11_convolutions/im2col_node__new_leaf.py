# mistake: the result is a new leaf: no gradient reaches x
def im2col_node(x, shape, k, stride=1, pad=0):
    """im2col as a dp operation: value im2col(x.value), backward col2im(G)."""
    def backward(g):
        return col2im(g, shape, k, stride, pad)
    return Node(im2col(x.value, shape, k, stride, pad))
