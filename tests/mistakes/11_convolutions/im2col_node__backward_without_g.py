# mistake: the backward pass adds back the patches themselves instead of the incoming gradient
def im2col_node(x, shape, k, stride=1, pad=0):
    """im2col as a dp operation: value im2col(x.value), backward col2im(G)."""
    def backward(g):
        return col2im(im2col(x.value, shape, k, stride, pad), shape, k, stride, pad)
    return Node._from_op("im2col", im2col(x.value, shape, k, stride, pad), (x, backward),
                         op_args={"shape": tuple(shape), "k": k, "stride": stride, "pad": pad})
