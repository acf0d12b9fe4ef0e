# mistake: columns in channels-first order (c, di, dj), as in CS231n's layout
def im2col(x, shape, k, stride=1, pad=0):
    """Patches of a batch of images as rows: (N, H*W*C) -> (N*H_out*W_out, k*k*C).

    Rows run over (image, output row, output column), columns over (di, dj, channel).
    """
    H, W, C = shape
    N = x.shape[0]
    H_out, W_out = output_size(H, k, stride, pad), output_size(W, k, stride, pad)
    padded = np.pad(x.reshape(N, H, W, C), ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    cols = np.empty((N, H_out, W_out, C, k, k), dtype=x.dtype)
    for di in range(k):
        for dj in range(k):
            cols[:, :, :, :, di, dj] = padded[:, di:di + stride * (H_out - 1) + 1:stride,
                                              dj:dj + stride * (W_out - 1) + 1:stride, :]
    return cols.reshape(N * H_out * W_out, k * k * C)
