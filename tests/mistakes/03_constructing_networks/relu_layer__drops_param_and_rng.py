# mistake: param and rng are not passed on to Linear_Layer
def ReLu_Layer(fan_in, fan_out, name, param=None, rng=None):
    """A fully connected layer with ReLU activation: X -> relu(X·W + b).

    Arguments and return value as for Linear_Layer.
    """
    linear, param = Linear_Layer(fan_in, fan_out, name)

    def forward(X):
        return linear(X).relu()
    return forward, param
