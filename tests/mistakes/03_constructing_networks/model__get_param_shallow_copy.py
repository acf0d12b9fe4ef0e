# mistake: get_param copies the dict but not the arrays
class Model:
    """Base class of a network. Subclasses create layers in __init__ and define forward and loss."""

    def __init__(self, rng=None):
        self.param = {}   # {parameter name: array}, shared by the forward functions of all layers
        self.rng = np.random.default_rng(0) if rng is None else rng   # for the initial weights

    def _add_layer(self, make_layer, fan_in, fan_out, name):
        if name + SEP + "weight" in self.param:
            raise ValueError(f"this model has a layer named {name!r} already; layer names must be unique")
        forward, _ = make_layer(fan_in, fan_out, name, param=self.param, rng=self.rng)
        return forward

    def Linear_Layer(self, fan_in, fan_out, name):
        """Add a linear layer to the model; returns its forward function."""
        return self._add_layer(Linear_Layer, fan_in, fan_out, name)

    def ReLu_Layer(self, fan_in, fan_out, name):
        """Add a ReLU layer to the model; returns its forward function."""
        return self._add_layer(ReLu_Layer, fan_in, fan_out, name)

    def forward(self, x):
        """The network's output for a batch x (a NumPy array or a Node)."""
        raise NotImplementedError("a subclass of Model defines forward(x)")

    def loss(self, x, y):
        """The loss of the batch (x, y) as a 1x1 Node."""
        raise NotImplementedError("a subclass of Model defines loss(x, y)")

    def get_param(self):
        """A new dict {name: copy of the value} of all parameters."""
        return dict(self.param)

    def set_param(self, param):
        """Make param[name] the value of every parameter `name` of the model.

        Changes the entries of self.param (the dict the layers read), not the attribute.
        """
        for name, old in self.param.items():
            value = np.array(param[name], dtype=old.dtype)
            if value.shape != old.shape:
                raise ValueError(f"set_param: {name!r} has shape {old.shape}, got {value.shape}")
            self.param[name] = value

    def get_grad(self, x, y):
        """Loss and gradients for the batch (x, y).

        Returns (grad, loss): grad = {parameter name: dloss/dparameter}, loss a float.
        """
        loss = self.loss(x, y)
        return loss.grad(1), float(loss.value.item())
