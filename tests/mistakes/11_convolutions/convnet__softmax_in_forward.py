# mistake: forward returns probabilities (softmax), so the loss applies softmax twice
class ConvNet(Model):
    """conv(8) - ReLU - pool - conv(16) - ReLU - pool - dense(10), for 28x28x1 images."""

    def __init__(self, c1=8, c2=16, seed=0, dtype=np.float64):
        super().__init__(dtype)
        dp.init.seed(seed)
        self.conv1 = self.add_layer(Conv2D((28, 28, 1), c1, 3, "conv1", pad=1, dtype=dtype))
        self.conv2 = self.add_layer(Conv2D((14, 14, c1), c2, 3, "conv2", pad=1, dtype=dtype))
        self.out = self.Linear_Layer(7 * 7 * c2, 10, "out")

    def forward(self, x):
        """The logits, (N, 10)."""
        x = x if isinstance(x, Node) else Node(x)
        h = max_pool(self.conv1(x).relu(), self.conv1.out_shape)
        h = max_pool(self.conv2(h).relu(), self.conv2.out_shape)
        return self.out(h).softmax()

    def loss(self, x, y):
        return dp.losses.cross_entropy_with_logits(self.forward(x), y)
