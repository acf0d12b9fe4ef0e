# mistake: always sums over axis 0 and reshapes, so a column operand gets column sums
def _reduce_to(grad, shape):
    """Sum a gradient over the axes along which an operand was broadcast.

    grad:  2-D array, the gradient with respect to the broadcast result
    shape: the operand's shape (2-tuple), e.g. (1, m), (n, 1), (1, 1) or grad.shape

    Returns a 2-D array with exactly this shape.
    """
    grad = np.asarray(grad)
    if grad.shape != tuple(shape):
        grad = grad.sum(axis=0).reshape(shape)
    assert grad.shape == tuple(shape), f"cannot reduce a gradient of shape {grad.shape} to {shape}"
    return grad
