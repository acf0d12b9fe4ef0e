# mistake: the padding cut off with [pad:-pad], which is empty when pad = 0
def col2im(cols, shape, k, stride=1, pad=0):
    """The adjoint of im2col: (N*H_out*W_out, k*k*C) -> (N, H*W*C), overlapping patches added."""
    H, W, C = shape
    H_out, W_out = output_size(H, k, stride, pad), output_size(W, k, stride, pad)
    N = cols.shape[0] // (H_out * W_out)
    patches = cols.reshape(N, H_out, W_out, k, k, C)
    padded = np.zeros((N, H + 2 * pad, W + 2 * pad, C), dtype=cols.dtype)
    for di in range(k):
        for dj in range(k):
            padded[:, di:di + stride * (H_out - 1) + 1:stride,
                   dj:dj + stride * (W_out - 1) + 1:stride, :] += patches[:, :, :, di, dj, :]
    return padded[:, pad:-pad, pad:-pad, :].reshape(N, -1)
