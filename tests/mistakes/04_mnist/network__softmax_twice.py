# mistake: forward already returns probabilities, and loss applies softmax to them a second time
class Network(Model):
    """784-500-200-10 classifier: two ReLU layers and a linear layer with softmax."""

    def __init__(self, dtype=np.float32):
        super().__init__(dtype=dtype)   # parameters in float32, like the data
        self.h1 = self.ReLu_Layer(784, 500, "h1")
        self.h2 = self.ReLu_Layer(500, 200, "h2")
        self.out = self.Linear_Layer(200, 10, "out")

    def forward(self, x):
        """Class probabilities for a batch x (array or Node of shape (m, 784)): Node (m, 10)."""
        if not isinstance(x, Node):
            x = Node(x)
        return self.out(self.h2(self.h1(x))).softmax()

    def loss(self, x, y):
        """Cross-entropy (1x1 Node) of the predictions for x against one-hot targets y (m, 10)."""
        return cross_entropy(self.forward(x).softmax(), y)
