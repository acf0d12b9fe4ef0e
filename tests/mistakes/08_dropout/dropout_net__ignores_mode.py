# mistake: dropout without the model's mode: the network drops units in eval mode too
class DropoutNet(Model):
    """n_in -> ReLU "h1" -> dropout -> ReLU "h2" -> dropout -> linear "out" (n_out logits)."""

    def __init__(self, n_in, hidden, n_out, rate):
        super().__init__()
        self.rate = rate
        self.h1 = self.ReLu_Layer(n_in, hidden, "h1")
        self.h2 = self.ReLu_Layer(hidden, hidden, "h2")
        self.out = self.Linear_Layer(hidden, n_out, "out")

    def forward(self, x):
        """The logits, a Node of shape (m, n_out); dropout only in train mode."""
        h = dropout(self.h1(x), self.rate)
        h = dropout(self.h2(h), self.rate)
        return self.out(h)

    def loss(self, x, y):
        """Mean cross-entropy of softmax(logits) against one-hot targets y."""
        return dp.losses.cross_entropy_with_logits(self.forward(x), y)
