# mistake: the mean is taken over all m*2 entries instead of over the m examples
class MoonsNet(Model):
    """2 inputs -> ReLU layer "hidden" -> linear layer "out" (2 logits) -> softmax."""

    def __init__(self, hidden=16, rng=None):
        super().__init__(rng)
        self.hidden = self.ReLu_Layer(2, hidden, "hidden")
        self.out = self.Linear_Layer(hidden, 2, "out")

    def logits(self, x):
        """The scores of the two classes, a Node of shape (m, 2)."""
        return self.out(self.hidden(as_node(x)))

    def forward(self, x):
        """The class probabilities, a Node of shape (m, 2)."""
        return self.logits(x).softmax()

    def loss(self, x, y):
        """Mean cross-entropy of the batch; y is one-hot, shape (m, 2)."""
        return -(as_node(y) * self.logits(x).log_softmax()).mean()
