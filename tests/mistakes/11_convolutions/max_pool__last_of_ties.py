# mistake: ties broken towards the last maximum of the window
def max_pool(x, shape, k=2, stride=None):
    """Max over k x k windows of each channel: (N, H*W*C) -> (N, H_out*W_out*C).

    Backward: each window's gradient goes to its first maximum (reading order); the rest get 0.
    """
    stride = k if stride is None else stride
    H, W, C = shape
    windows = im2col(x.value, shape, k, stride).reshape(-1, k * k, C)
    first_max = (k * k - 1 - windows[:, ::-1, :].argmax(axis=1))[:, None, :]            # (windows, 1, C)
    out = np.take_along_axis(windows, first_max, axis=1)      # (windows, 1, C)

    def backward(g):
        routed = np.zeros_like(windows)
        np.put_along_axis(routed, first_max, g.reshape(out.shape), axis=1)
        return col2im(routed.reshape(len(windows), k * k * C), shape, k, stride)
    return Node._from_op("max_pool", out.reshape(x.shape[0], -1), (x, backward),
                         op_args={"shape": tuple(shape), "k": k, "stride": stride})
