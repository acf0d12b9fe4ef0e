# mistake: only handles a broadcast row (1, m); columns and scalars are not reduced
def _reduce_to(grad, shape):
    """Sum a gradient over the axes along which an operand was broadcast.

    grad:  2-D array, the gradient with respect to the broadcast result
    shape: the operand's shape (2-tuple), e.g. (1, m), (n, 1), (1, 1) or grad.shape

    Returns a 2-D array with exactly this shape.
    """
    grad = np.asarray(grad)
    if shape[0] == 1 and grad.shape[0] != 1:
        grad = grad.sum(axis=0, keepdims=True)
    assert grad.shape == tuple(shape), f"cannot reduce a gradient of shape {grad.shape} to {shape}"
    return grad
