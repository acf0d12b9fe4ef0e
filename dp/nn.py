"""Neural-network building blocks on top of ``Node``: layers and the ``Model`` class.

A layer is a callable object with a name and a dict of trainable parameters.
Calling it builds its part of the computational graph from the current
parameter arrays (each one becomes a named leaf ``Node(array, "<layer>_<kind>")``),
so gradients come back under the same names that ``Model.get_param()`` uses.

Layers (X is a batch: one example per row, m rows):

    Linear   H = X · W + b                 W: (fan_in, fan_out), b: (1, fan_out)
    ReLU     H = max(0, X · W + b)
    Sigmoid  H = σ(X · W + b)
    Tanh     H = tanh(X · W + b)
    Dropout  H = X * M / (1 - rate)        M_ij ~ Bernoulli(1 - rate), train mode only
    BatchNorm H = γ * (X - μ) / √(σ² + ε) + β   per column (feature)

A model is a subclass of ``Model`` that creates its layers in ``__init__`` and
defines ``forward(x)`` and ``loss(x, y)``:

    class Network(Model):
        def __init__(self):
            super().__init__()
            self.h1 = self.ReLu_Layer(784, 500, "h1")
            self.h2 = self.Linear_Layer(500, 10, "h2")
        def forward(self, x):
            return self.h2(self.h1(x)).softmax()
        def loss(self, x, y):
            return dp.losses.cross_entropy(self.forward(x), y)

Train mode and eval mode: dropout and batch normalization behave differently
while training and while predicting. A model starts in train mode, and the
optimizers' train() switches to it. Before predicting, say so explicitly:

    net.eval_mode()
    y_pred = net.forward(x_test)
"""

import numpy as np

from dp import _checks, aliases
from dp import init as initializers
from dp.node import Node

__all__ = ["Layer", "Dense", "Dropout", "BatchNorm", "Model", "parameter_name",  # noqa: F822
           "check_layer_name", "NeuralNode", "nn"]

_SEPARATOR = "_"  # parameter name = layer name + "_" + kind, e.g. "h1_weight"


def parameter_name(layer_name, kind):
    """The name of a layer's parameter: ``parameter_name("h1", "weight") == "h1_weight"``.

    Gradients come back under these names (``Model.get_grad``), and
    ``Model.get_param`` / ``set_param`` use them as keys.
    """
    return _SEPARATOR.join((layer_name, kind))


def check_layer_name(name):
    """Raise TypeError unless ``name`` can name a layer (a non-empty string)."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"a layer needs a name (a non-empty string) that is unique in its "
                        f"model, e.g. \"h1\"; got {name!r}")


def _as_node(x):
    return x if isinstance(x, Node) else Node(x)


class Layer:
    """A named part of a model.

    Args:
        name: the layer's name, a non-empty string unique in its model.

    Attributes:
        name: the layer's name; its parameters are named "<name>_<kind>".
        param: {full name: ndarray}, the trainable parameters.
        state: {full name: ndarray}, values the layer keeps that are not trained
            by gradients (batch norm's running statistics).
        training: True in train mode, False in eval mode (set by the model).

    Raises:
        TypeError: if name is not a non-empty string.
    """

    def __init__(self, name):
        check_layer_name(name)
        self.name = name
        self.param = {}
        self.state = {}
        self.training = True

    def __call__(self, x):
        """Apply the layer to a Node (or an array, which becomes a constant Node)."""
        return self.forward(_as_node(x))

    def forward(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define forward(x)")

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"


class Dense(Layer):
    """A fully connected layer:  H = act(X · W + b).

    X: (m, fan_in), W: (fan_in, fan_out) named "<name>_weight",
    b: (1, fan_out) named "<name>_bias" (added to every row).

    Args:
        fan_in: the number of inputs (columns of X).
        fan_out: the number of outputs (columns of H).
        name: the layer's name.
        activation: act, one of None (linear), "relu", "sigmoid", "tanh".
        init: weight initializer, a name from dp.init ("he_uniform", the
            default, "he_normal", "xavier_uniform", "xavier_normal", "zeros")
            or a function (fan_in, fan_out, rng) -> (fan_in, fan_out) array.
        bias_init: "uniform" (default: U(±1/√fan_in), as published), "zeros", or
            a function (fan_in, fan_out, rng) -> (1, fan_out) array.
        dtype: the floating-point type of W and b.

    Raises:
        ValueError: for sizes that are not positive integers, an unknown
            activation or initializer, or an initializer's wrong shape.
    """

    ACTIVATIONS = (None, "relu", "sigmoid", "tanh")

    def __init__(self, fan_in, fan_out, name, activation=None, init="he_uniform",
                 bias_init="uniform", dtype=np.float64):
        super().__init__(name)
        self.fan_in = _checks.integer(f"layer {name!r}: fan_in (number of inputs)", fan_in)
        self.fan_out = _checks.integer(f"layer {name!r}: fan_out (number of outputs)", fan_out)
        if activation not in self.ACTIVATIONS:
            raise ValueError(f"layer {name!r}: activation must be one of "
                             f"{self.ACTIVATIONS}, got {activation!r}")
        self.activation = activation
        self.weight_name = parameter_name(name, "weight")
        self.bias_name = parameter_name(name, "bias")
        shapes = {self.weight_name: (self.fan_in, self.fan_out),
                  self.bias_name: (1, self.fan_out)}
        weight_init = initializers.get_initializer(init)
        bias_init = initializers.get_bias_initializer(bias_init)

        self.param = {
            self.weight_name: initializers.initial_value(
                weight_init, self.fan_in, self.fan_out, shapes[self.weight_name], dtype,
                self.weight_name),
            self.bias_name: initializers.initial_value(
                bias_init, self.fan_in, self.fan_out, shapes[self.bias_name], dtype,
                self.bias_name)}

    def forward(self, x):
        if x.shape[1] != self.fan_in:
            raise ValueError(f"layer {self.name!r} expects {self.fan_in} input columns "
                             f"(features), got an input of shape {x.shape}")
        # Fresh leaves for the current arrays: no copies, and set_param() only has
        # to replace dict entries for the next forward pass to see them.
        weight = Node(self.param[self.weight_name], self.weight_name)
        bias = Node(self.param[self.bias_name], self.bias_name)
        out = x.dot(weight) + bias
        if self.activation is None:
            return out
        return getattr(out, self.activation)()

    def __repr__(self):
        act = "linear" if self.activation is None else self.activation
        return f"Dense({self.name!r}, {self.fan_in} -> {self.fan_out}, {act})"


class Dropout(Layer):
    """Inverted dropout with drop probability ``rate``.

    Train mode:  H = X * M / (1 - rate),  M_ij = 0 with probability rate, else 1,
                 a new mask M for every forward pass (from dp.init's generator).
                 Dividing the survivors by (1 - rate) keeps E[H] = X, so
    eval mode:   H = X   needs no rescaling.

    Args:
        rate: the probability of dropping a unit, in [0, 1).
        name: the layer's name.

    Raises:
        ValueError: if rate is not a number in [0, 1).
    """

    def __init__(self, rate, name):
        super().__init__(name)
        self.rate = _checks.real(f"Dropout {name!r}: rate (the probability of dropping a unit)",
                                 rate, lambda v: 0 <= v < 1, "in [0, 1)")

    def forward(self, x):
        if not self.training or self.rate == 0:
            return x
        keep = initializers.generator().random(x.shape) >= self.rate
        scale = np.asarray(1 / (1 - self.rate), dtype=x.dtype)
        return x * (keep * scale)  # the mask is a constant: no gradient flows into it

    def __repr__(self):
        return f"Dropout({self.name!r}, rate={self.rate})"


class BatchNorm(Layer):
    """Batch normalization of each of the n columns (features) of the input.

    Train mode, for a batch X of m rows (m >= 2):
        μ = mean of each column,  σ² = mean of (X - μ)² (the biased batch variance)
        H = γ * (X - μ) / √(σ² + ε) + β
    and the running statistics move towards the batch's (momentum p):
        running_mean ← (1 - p) running_mean + p μ
        running_var  ← (1 - p) running_var  + p σ² · m / (m - 1)   (unbiased)
    Eval mode: the same formula with running_mean and running_var in place of
    μ and σ², so a prediction does not depend on the other rows of the batch.

    Trainable: γ "<name>_gamma" (ones) and β "<name>_beta" (zeros), both (1, n).
    State (not trained, in ``state`` and Model.get_state()):
    "<name>_running_mean" (zeros) and "<name>_running_var" (ones).
    Defaults as in PyTorch: momentum p = 0.1, ε = 1e-5.

    Args:
        n: the number of features (columns).
        name: the layer's name.
        momentum: p, in (0, 1].
        epsilon: ε, in (0, 1].
        dtype: the floating-point type of the parameters and the state.

    Raises:
        ValueError: for an n that is not a positive integer, or a momentum or
            epsilon outside (0, 1].
    """

    def __init__(self, n, name, momentum=0.1, epsilon=1e-5, dtype=np.float64):
        super().__init__(name)
        self.n = _checks.integer(f"BatchNorm {name!r}: n (number of features)", n)
        self.momentum, self.epsilon = (
            _checks.real(f"BatchNorm {name!r}: {what}", value, lambda v: 0 < v <= 1, "in (0, 1]")
            for what, value in (("momentum", momentum), ("epsilon", epsilon)))
        self.gamma_name = parameter_name(name, "gamma")
        self.beta_name = parameter_name(name, "beta")
        self.mean_name = parameter_name(name, "running_mean")
        self.var_name = parameter_name(name, "running_var")
        self.param = {self.gamma_name: np.ones((1, self.n), dtype=dtype),
                      self.beta_name: np.zeros((1, self.n), dtype=dtype)}
        self.state = {self.mean_name: np.zeros((1, self.n), dtype=dtype),
                      self.var_name: np.ones((1, self.n), dtype=dtype)}

    def forward(self, x):
        if x.shape[1] != self.n:
            raise ValueError(f"BatchNorm {self.name!r} expects {self.n} columns "
                             f"(features), got an input of shape {x.shape}")
        gamma = Node(self.param[self.gamma_name], self.gamma_name)
        beta = Node(self.param[self.beta_name], self.beta_name)
        if self.training:
            x_hat = self._normalize_with_batch_statistics(x)
        else:
            mean, var = self.state[self.mean_name], self.state[self.var_name]
            x_hat = (x - mean) * (1 / np.sqrt(var + self.epsilon))
        return x_hat * gamma + beta

    def _normalize_with_batch_statistics(self, x):
        m = x.shape[0]
        if m < 2:
            raise ValueError(f"BatchNorm {self.name!r} in train mode needs a batch of at "
                             f"least 2 rows to estimate a variance, got {m}; call "
                             f"model.eval_mode() to predict single examples")
        # Built from Node operations, so the gradient also flows through μ and σ².
        centered = x - x.mean(axis=0)
        var = centered.square().mean(axis=0)
        x_hat = centered / (var + self.epsilon).sqrt()
        # New arrays, not in-place updates: arrays handed out by get_state() stay valid.
        p = self.momentum
        batch_mean = x.value.mean(axis=0, keepdims=True)
        unbiased_var = var.value * (m / (m - 1))
        self.state[self.mean_name] = (1 - p) * self.state[self.mean_name] + p * batch_mean
        self.state[self.var_name] = (1 - p) * self.state[self.var_name] + p * unbiased_var
        return x_hat

    def __repr__(self):
        return f"BatchNorm({self.name!r}, n={self.n})"


def _checked_arrays(what, given, current):
    """Check ``given`` against ``current`` ({name: array}) before anything is changed.

    Every name of ``current`` must be in ``given``, no other name may be, and each
    value must be an array of real numbers of the same shape. Returns
    {name: array} converted to the current dtypes; raises one error listing
    every problem.
    """
    if not hasattr(given, "keys") or not hasattr(given, "__getitem__"):
        raise TypeError(f"{what}: expected a dict {{name: array}}, got {type(given).__name__}")
    problems = []
    missing = [name for name in current if name not in given]
    unknown = [name for name in given if name not in current]
    if missing:
        problems.append(f"missing {missing}")
    if unknown:
        problems.append(f"unknown names {unknown} (the model has {list(current)})")
    checked = {}
    for name in current:
        if name not in given:
            continue
        value = given[name]
        if isinstance(value, Node):
            value = value.value
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            problems.append(f"{name!r} is not an array of real numbers "
                            f"({type(value).__name__} of dtype {array.dtype})")
        elif array.shape != current[name].shape:
            problems.append(f"{name!r} has shape {array.shape}, expected "
                            f"{current[name].shape}")
        else:
            checked[name] = array.astype(current[name].dtype, copy=False)
    if problems:
        raise ValueError(f"{what}: nothing was changed, because " + "; ".join(problems))
    return checked


class Model:
    """Base class of a neural network: holds its layers and their parameters.

    Subclass it, create layers in __init__ with the layer methods below
    (ReLu_Layer, Linear_Layer, Sigmoid_Layer, Tanh_Layer, Dropout_Layer (also
    called Dropout), BatchNorm_Layer), and define forward(x) and loss(x, y).

    Args:
        dtype: the floating-point type of the parameters (float64 by default;
            give float32 data to a float32 model, or NumPy computes in float64).

    Attributes:
        dtype: that type, as a numpy dtype.
        training: True in train mode, False in eval mode (see train_mode/eval_mode).

    Raises:
        TypeError: if dtype is not a floating-point type.
    """

    def __new__(cls, *args, **kwargs):
        # Every model has a mode, a dtype and a layer registry before any __init__
        # runs, so a subclass whose __init__ never calls super().__init__() (the
        # 2019 exercise allowed that) still works, with float64 parameters.
        model = super().__new__(cls)
        model.training = True
        model.dtype = np.dtype(np.float64)
        model._layers = {}
        return model

    def __init__(self, dtype=np.float64):
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Model(dtype): expected a floating-point type such as "
                            f"np.float64 or np.float32, got {dtype}")
        self.dtype = dtype
        self.training = True
        # self._layers is not reset: it keeps layers made before super().__init__().

    # -- layers ------------------------------------------------------------------

    def _registry(self):
        """{layer name: layer}, in the order the layers were created."""
        return self.__dict__.setdefault("_layers", {})

    def add_layer(self, layer: Layer) -> Layer:
        """Add a layer (an instance of a Layer subclass) to the model.

        The layer methods below use this; call it yourself for a layer class
        you wrote.

        Args:
            layer: the layer; its name, and the names of its parameters, must be
                unique in the model.

        Returns:
            The layer.

        Raises:
            TypeError: if layer is not a dp.nn.Layer.
            ValueError: if its name or a parameter name is taken.
        """
        if not isinstance(layer, Layer):
            raise TypeError(f"add_layer: expected a dp.nn.Layer, got {type(layer).__name__}")
        layers = self._registry()
        if layer.name in layers:
            raise ValueError(f"a layer named {layer.name!r} already exists in this "
                             f"model ({layers[layer.name]!r}); give each layer its own name")
        taken = {name for other in layers.values() for name in (*other.param, *other.state)}
        clash = taken.intersection(layer.param).union(taken.intersection(layer.state))
        if clash:
            raise ValueError(f"layer {layer.name!r}: parameter names {sorted(clash)} are "
                             f"already used by another layer; choose another layer name")
        layer.training = self.training
        layers[layer.name] = layer
        return layer

    def layers(self):
        """The model's layers, {name: layer}, in the order they were created."""
        return dict(self._registry())

    # The layer methods. `name` is required: its default None is there only so that
    # a forgotten name gets the error that explains what a layer name is.

    def Linear_Layer(self, fan_in, fan_out, name=None, init="he_uniform", bias_init="uniform"):
        """A linear layer  X · W + b  named ``name`` (see Dense for init and bias_init)."""
        return self._add_dense(None, fan_in, fan_out, name, init, bias_init)

    def ReLu_Layer(self, fan_in, fan_out, name=None, init="he_uniform", bias_init="uniform"):
        """A ReLU layer  max(0, X · W + b)  named ``name``."""
        return self._add_dense("relu", fan_in, fan_out, name, init, bias_init)

    def Sigmoid_Layer(self, fan_in, fan_out, name=None, init="he_uniform",
                      bias_init="uniform"):
        """A logistic layer  σ(X · W + b)  named ``name`` (consider init="xavier_uniform")."""
        return self._add_dense("sigmoid", fan_in, fan_out, name, init, bias_init)

    def Tanh_Layer(self, fan_in, fan_out, name=None, init="he_uniform", bias_init="uniform"):
        """A tanh layer  tanh(X · W + b)  named ``name`` (consider init="xavier_uniform")."""
        return self._add_dense("tanh", fan_in, fan_out, name, init, bias_init)

    def _add_dense(self, activation, fan_in, fan_out, name, init, bias_init):
        return self.add_layer(Dense(fan_in, fan_out, name, activation, init, bias_init,
                                    self.dtype))

    def Dropout_Layer(self, rate, name=None):
        """An inverted-dropout layer that drops units with probability ``rate`` in train mode."""
        return self.add_layer(Dropout(rate, name))

    Dropout = Dropout_Layer  # the name the course's notebooks use

    def BatchNorm_Layer(self, n, name=None, momentum=0.1, epsilon=1e-5):
        """Batch normalization of n features, with parameters "<name>_gamma", "<name>_beta"."""
        return self.add_layer(BatchNorm(n, name, momentum, epsilon, self.dtype))

    def __repr__(self):
        layers = ", ".join(repr(layer) for layer in self._registry().values())
        return f"{type(self).__name__}({layers})"

    # -- train mode and eval mode ------------------------------------------------

    def train_mode(self):
        """Dropout drops units, batch norm uses (and updates) batch statistics. Returns self."""
        return self._set_mode(True)

    def eval_mode(self):
        """Dropout does nothing, batch norm uses its running statistics. Returns self.

        Call it before predicting or measuring accuracy after training.
        """
        return self._set_mode(False)

    def _set_mode(self, training):
        self.training = training
        for layer in self._registry().values():
            layer.training = training
        return self

    # -- parameters, state and gradients -------------------------------------------

    def _require_layers(self, what):
        if not self._registry():
            raise NotImplementedError(
                f"{type(self).__name__}.{what}: the model has no layers; create them in "
                f"__init__, e.g. self.h1 = self.ReLu_Layer(784, 500, \"h1\")")

    def get_param(self) -> dict[str, np.ndarray]:
        """All trainable parameters, {name: ndarray}, e.g. {"h1_weight": ..., "h1_bias": ...}.

        The arrays are the model's own (not copies, for speed): do not modify
        them in place; compute new arrays and hand them to set_param().
        Copy them (e.g. {k: v.copy() for k, v in ...}) to keep a snapshot.
        """
        self._require_layers("get_param()")
        return {name: value for layer in self._registry().values()
                for name, value in layer.param.items()}

    def set_param(self, param: dict) -> None:
        """Replace every trainable parameter by param[name].

        Everything is checked first: param must have exactly the names of
        get_param(), each with an array of the same shape (it is converted to
        the model's dtype). If anything is wrong, a ValueError says what, and
        no parameter is changed. The model keeps the arrays it is given (no
        copies): do not change them in place afterwards.

        Args:
            param: {name: array}, one entry for every name of get_param().

        Raises:
            TypeError: if param is not a dict.
            ValueError: if names are missing or unknown, or a value is not an
                array of real numbers of the parameter's shape.
        """
        self._require_layers("set_param()")
        checked = _checked_arrays("set_param", param, self.get_param())
        for layer in self._registry().values():
            for name in layer.param:
                layer.param[name] = checked[name]

    def get_state(self):
        """Values kept by layers that are not trained (batch norm's running
        statistics), {name: copy of the array}."""
        return {name: value.copy() for layer in self._registry().values()
                for name, value in layer.state.items()}

    def set_state(self, state):
        """Replace the layers' state (see get_state); checked like set_param."""
        current = {name: value for layer in self._registry().values()
                   for name, value in layer.state.items()}
        checked = _checked_arrays("set_state", state, current)
        for layer in self._registry().values():
            for name in layer.state:
                layer.state[name] = np.array(checked[name])

    def get_grad(self, x, y) -> tuple[dict[str, np.ndarray], Node]:
        """The loss on (x, y) and its gradient.

        Args:
            x: a batch of inputs, one example per row.
            y: their targets.

        Returns:
            (grad, loss): grad is {name: dloss/dparameter} with an entry for every
            parameter of get_param() (zeros for a parameter the loss does not
            depend on); loss is the 1x1 Node returned by self.loss(x, y) (its
            number: loss.value).

        Raises:
            TypeError: if self.loss does not return a Node.
            ValueError: if it returns a Node that is not 1x1.
        """
        self._require_layers("get_grad()")
        loss = self.loss(x, y)
        if not isinstance(loss, Node):
            raise TypeError(f"{type(self).__name__}.loss(x, y) must return a Node, "
                            f"got {type(loss).__name__}")
        if loss.shape != (1, 1):
            raise ValueError(f"{type(self).__name__}.loss(x, y) must return a 1x1 Node, "
                             f"got shape {loss.shape}; reduce it with .sum() or .mean()")
        grads = loss.grad(1)
        grad = {name: grads[name] if name in grads else np.zeros_like(value)
                for name, value in self.get_param().items()}
        return grad, loss

    # -- to be defined by subclasses ---------------------------------------------------

    def forward(self, x):
        """The network's output for a batch x (one example per row)."""
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, x), "
                                  f"the network's output for a batch x")

    def loss(self, x, y):
        """The loss (a 1x1 Node) of the network on inputs x with targets y."""
        raise NotImplementedError(f"{type(self).__name__} must define loss(self, x, y), "
                                  f"returning a 1x1 Node, e.g. "
                                  f"dp.losses.cross_entropy(self.forward(x), y)")



# The 2019 names (NeuralNode, nn, nn._ReLu_Layer, ...) are dp.legacy's; it registers
# them (dp.aliases), so this module answers to them without importing dp.legacy.
__getattr__ = aliases.module_getattr(__name__)
