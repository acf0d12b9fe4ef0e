# mistake: the backward pass calls col2im without the stride and the padding
def im2col_node(x, shape, k, stride=1, pad=0):
    """im2col as a dp operation: value im2col(x.value), backward col2im(G)."""
    def backward(g):
        return col2im(g, shape, k)
    return Node._from_op("im2col", im2col(x.value, shape, k, stride, pad), (x, backward),
                         op_args={"shape": tuple(shape), "k": k, "stride": stride, "pad": pad})
