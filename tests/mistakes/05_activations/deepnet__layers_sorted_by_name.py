# mistake: keeps the layers in a dict and applies them in sorted name order: h1, h10, h2, ...
class DeepNet(Model):
    """A fully connected binary classifier with n_layers layers "h1", ..., f"h{n_layers}".

    activation: "sigmoid", "tanh" or "relu", the activation of the n_layers - 1
                hidden layers (each `width` units wide; "h1" takes n_in inputs)
    The last layer has one sigmoid unit: the probability of class 1.
    Initialization: "he_uniform" for relu hidden layers, "xavier_uniform" for
    sigmoid and tanh hidden layers and for the output layer.
    """

    ACTIVATIONS = ("sigmoid", "tanh", "relu")

    def __init__(self, activation, n_layers=10, width=32, n_in=2):
        super().__init__()
        if activation not in self.ACTIVATIONS:
            raise ValueError(f"activation must be one of {self.ACTIVATIONS}, got {activation!r}")
        self.activation = activation
        self.n_layers = n_layers
        hidden_layer = {"sigmoid": self.Sigmoid_Layer, "tanh": self.Tanh_Layer,
                        "relu": self.ReLu_Layer}[activation]
        init = "he_uniform" if activation == "relu" else "xavier_uniform"
        self.by_name = {}
        for l in range(1, n_layers):
            fan_in = n_in if l == 1 else width
            self.by_name[f"h{l}"] = hidden_layer(fan_in, width, f"h{l}", init=init)
        self.by_name[f"h{n_layers}"] = self.Sigmoid_Layer(width, 1, f"h{n_layers}", init="xavier_uniform")

    def forward(self, x):
        """Probability of class 1 for each row of x (m, n_in): a Node (m, 1)."""
        if not isinstance(x, Node):
            x = Node(x)
        h = x
        for name in sorted(self.by_name):
            h = self.by_name[name](h)
        return h

    def loss(self, x, y):
        """Binary cross-entropy (1x1 Node) of the predictions for x and the 0/1 column y."""
        return dp.losses.binary_cross_entropy(self.forward(x), y)
