# mistake: weight of shape (fan_out, fan_in), used transposed in forward
SEP = "_"   # joins a layer's name and a parameter's role: "hidden" + "weight" -> "hidden_weight"


def Linear_Layer(fan_in, fan_out, name, param=None, rng=None):
    """A fully connected layer without activation: X -> X·W + b.

    fan_in:  number of input features (columns of X)
    fan_out: number of units (columns of the output)
    name:    the layer's name; its parameters are called name + "_weight" and name + "_bias"
    param:   dict {parameter name: array} to add the parameters to (and to take
             existing values from); a new dict if None
    rng:     numpy.random.Generator for the initial weights; default_rng(0) if None

    Returns (forward, param): forward(X) maps a Node of shape (m, fan_in) to a
    Node of shape (m, fan_out), using the values in param at the time of the call.
    """
    if param is None:
        param = {}
    if rng is None:
        rng = np.random.default_rng(0)
    weight_name = name + SEP + "weight"
    bias_name = name + SEP + "bias"
    if weight_name not in param:
        bound = np.sqrt(6.0 / fan_in)
        param[weight_name] = rng.uniform(-bound, bound, size=(fan_out, fan_in))
    if bias_name not in param:
        param[bias_name] = np.zeros((1, fan_out))

    def forward(X):
        W = Node(param[weight_name], weight_name)
        b = Node(param[bias_name], bias_name)
        return as_node(X).dot(W.T) + b
    return forward, param
