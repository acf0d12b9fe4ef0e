# mistake: relu is applied to X·W before the bias is added
def ReLu_Layer(fan_in, fan_out, name, param=None, rng=None):
    """A fully connected layer with ReLU activation: X -> relu(X·W + b).

    Arguments and return value as for Linear_Layer.
    """
    _, param = Linear_Layer(fan_in, fan_out, name, param, rng)

    def forward(X):
        W = Node(param[name + "_weight"], name + "_weight")
        b = Node(param[name + "_bias"], name + "_bias")
        return as_node(X).dot(W).relu() + b
    return forward, param
