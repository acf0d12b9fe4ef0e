# mistake: the (N*H_out*W_out, F) product is returned without the reshape to one row per image
class Conv2D(Layer):
    """A convolution layer: (N, H*W*C) -> (N, H_out*W_out*filters), channels last.

    Parameters "<name>_weight" (k*k*C, filters), rows in the order (di, dj, c), and
    "<name>_bias" (1, filters).
    """

    def __init__(self, in_shape, filters, k, name, stride=1, pad=0, dtype=np.float64):
        super().__init__(name)
        H, W, C = in_shape
        self.in_shape, self.filters, self.k, self.stride, self.pad = tuple(in_shape), filters, k, stride, pad
        self.out_shape = (output_size(H, k, stride, pad), output_size(W, k, stride, pad), filters)
        self.weight_name, self.bias_name = f"{name}_weight", f"{name}_bias"
        fan_in = k * k * C
        self.param = {
            self.weight_name: dp.init.he_normal(fan_in, filters, dp.init.generator()).astype(dtype),
            self.bias_name: np.zeros((1, filters), dtype=dtype)}

    def forward(self, x):
        weight = Node(self.param[self.weight_name], self.weight_name)
        bias = Node(self.param[self.bias_name], self.bias_name)
        cols = im2col_node(x, self.in_shape, self.k, self.stride, self.pad)
        return cols.dot(weight) + bias

    def __repr__(self):
        return f"Conv2D({self.name!r}, {self.in_shape} -> {self.out_shape}, k={self.k}, stride={self.stride}, pad={self.pad})"
