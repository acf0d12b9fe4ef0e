"""Layers and Model: values and gradients against HIPS autograd, modes, parameters, errors."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import dp.init
from dp.nn import Model, NeuralNode, nn
from dp.node import Node
from dp.optim import SGD

RNG = np.random.default_rng(2024)


class OneLayer(Model):
    """A model around one layer; its loss is Σ layer(x) * C for a fixed C."""

    def __init__(self, make_layer, weights):
        super().__init__()
        self.layer = make_layer(self)
        self.weights = weights

    def forward(self, x):
        return self.layer(x)

    def loss(self, x, y):
        return (self.forward(x) * self.weights).sum()


ACTIVATIONS = {
    "Linear_Layer": lambda z: z,
    "ReLu_Layer": lambda z: anp.maximum(z, 0),
    "Sigmoid_Layer": lambda z: 1 / (1 + anp.exp(-z)),
    "Tanh_Layer": anp.tanh,
}


@pytest.mark.parametrize("factory", sorted(ACTIVATIONS))
def test_dense_layers_match_autograd(factory):
    dp.init.seed(0)
    x, c = RNG.normal(size=(5, 4)), RNG.normal(size=(5, 3))
    model = OneLayer(lambda m: getattr(m, factory)(4, 3, "h"), c)
    param = model.get_param()
    assert sorted(param) == ["h_bias", "h_weight"]
    assert param["h_weight"].shape == (4, 3) and param["h_bias"].shape == (1, 3)

    act = ACTIVATIONS[factory]

    def reference(w, b):  # the same layer in autograd.numpy
        return anp.sum(act(anp.dot(x, w) + b) * c)

    w, b = param["h_weight"], param["h_bias"]
    np.testing.assert_allclose(model.forward(x).value, act(x @ w + b), rtol=1e-12)
    grad, loss = model.get_grad(x, None)
    assert loss.value[0, 0] == pytest.approx(reference(w, b), rel=1e-12)
    np.testing.assert_allclose(grad["h_weight"], autograd.grad(reference, 0)(w, b), rtol=1e-10)
    np.testing.assert_allclose(grad["h_bias"], autograd.grad(reference, 1)(w, b), rtol=1e-10)


def test_default_initialization_is_he_uniform_with_uniform_biases():
    dp.init.seed(1)
    model = OneLayer(lambda m: m.ReLu_Layer(600, 400, "h"), None)
    w, b = model.get_param()["h_weight"], model.get_param()["h_bias"]
    bound = np.sqrt(6 / 600)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert np.var(w) == pytest.approx(2 / 600, rel=0.02)  # Var U(-b, b) = b²/3
    assert np.abs(b).max() <= 1 / np.sqrt(600) and np.abs(b).max() > 0.95 / np.sqrt(600)


def test_initializer_can_be_chosen_per_layer():
    dp.init.seed(2)

    class Two(Model):
        def __init__(self):
            super().__init__()
            self.a = self.Tanh_Layer(300, 200, "a", init="xavier_normal", bias_init="zeros")
            self.b = self.Linear_Layer(200, 3, "b", init=lambda i, o, rng: np.full((i, o), 0.5))

    param = Two().get_param()
    assert np.std(param["a_weight"]) == pytest.approx(np.sqrt(2 / 500), rel=0.03)
    np.testing.assert_array_equal(param["a_bias"], np.zeros((1, 200)))
    np.testing.assert_array_equal(param["b_weight"], np.full((200, 3), 0.5))


def test_bad_initializers_are_refused():
    with pytest.raises(ValueError, match=r"unknown weight initializer 'he_unifrom'.*he_uniform"):
        OneLayer(lambda m: m.ReLu_Layer(3, 2, "h", init="he_unifrom"), None)
    with pytest.raises(ValueError, match=r"h_weight.*returned shape \(2, 3\), expected \(3, 2\)"):
        OneLayer(lambda m: m.ReLu_Layer(3, 2, "h", init=lambda i, o, rng: np.zeros((o, i))),
                 None)
    with pytest.raises(ValueError, match="unknown bias initializer"):
        OneLayer(lambda m: m.ReLu_Layer(3, 2, "h", bias_init="ones"), None)


# -- parameters -------------------------------------------------------------------------

class Mlp(Model):
    def __init__(self, dtype=np.float64):
        super().__init__(dtype=dtype)
        self.h1 = self.ReLu_Layer(4, 5, "h1")
        self.h2 = self.Linear_Layer(5, 2, "h2")
        self.unused = self.Linear_Layer(2, 2, "unused")

    def forward(self, x):
        return self.h2(self.h1(x))

    def loss(self, x, y):
        return (self.forward(x) - Node(y)).square().sum()


def test_get_param_returns_the_models_own_arrays_and_forward_uses_them():
    model = Mlp()
    first, second = model.get_param(), model.get_param()
    assert list(first) == ["h1_weight", "h1_bias", "h2_weight", "h2_bias",
                           "unused_weight", "unused_bias"]
    assert all(first[name] is second[name] for name in first)
    x = RNG.normal(size=(3, 4))
    zero = {name: np.zeros_like(value) for name, value in first.items()}
    zero["h2_bias"] = np.array([[1.0, -2.0]])
    model.set_param(zero)
    np.testing.assert_array_equal(model.forward(x).value, np.tile([[1.0, -2.0]], (3, 1)))
    assert model.get_param()["h2_bias"] is zero["h2_bias"]


def test_get_grad_has_every_parameter_zeros_for_unused_ones():
    model = Mlp()
    x, y = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 2))
    grad, loss = model.get_grad(x, y)
    param = model.get_param()
    assert set(grad) == set(param)
    for name in param:
        assert grad[name].shape == param[name].shape
    np.testing.assert_array_equal(grad["unused_weight"], 0)
    np.testing.assert_array_equal(grad["unused_bias"], 0)
    assert isinstance(loss, Node) and loss.shape == (1, 1)

    def reference(w1, b1, w2, b2):
        return anp.sum((anp.dot(anp.maximum(anp.dot(x, w1) + b1, 0), w2) + b2 - y) ** 2)

    args = [param[n] for n in ("h1_weight", "h1_bias", "h2_weight", "h2_bias")]
    for i, name in enumerate(("h1_weight", "h1_bias", "h2_weight", "h2_bias")):
        np.testing.assert_allclose(grad[name], autograd.grad(reference, i)(*args), rtol=1e-10)


@pytest.mark.parametrize("change, message", [
    (lambda p: p.pop("h2_bias"), r"missing \['h2_bias'\]"),
    (lambda p: p.update(h3_weight=np.zeros((2, 2))), r"unknown names \['h3_weight'\]"),
    (lambda p: p.update(h2_weight=np.zeros((2, 5))),
     r"'h2_weight' has shape \(2, 5\), expected \(5, 2\)"),
    (lambda p: p.update(h2_bias=np.zeros(2)), r"'h2_bias' has shape \(2,\), expected \(1, 2\)"),
    (lambda p: p.update(h2_bias="zero"), "'h2_bias' is not an array of real numbers"),
])
def test_set_param_checks_everything_and_changes_nothing_on_error(change, message):
    model = Mlp()
    before = {name: value.copy() for name, value in model.get_param().items()}
    # h1 gets valid new values, so a half-applied update would show there
    new = {name: value + 1 for name, value in model.get_param().items()}
    change(new)
    with pytest.raises(ValueError, match=message) as error:
        model.set_param(new)
    assert "nothing was changed" in str(error.value)
    for name, value in model.get_param().items():
        np.testing.assert_array_equal(value, before[name])


def test_set_param_lists_every_problem_and_wants_a_dict():
    model = Mlp()
    new = {name: value for name, value in model.get_param().items()}
    del new["h1_bias"]
    new["h1_weight"] = np.zeros((1, 1))
    with pytest.raises(ValueError, match=r"missing \['h1_bias'\].*'h1_weight' has shape"):
        model.set_param(new)
    with pytest.raises(TypeError, match="expected a dict"):
        model.set_param([np.zeros(1)])


def test_float32_model_stays_float32():
    model = Mlp(dtype=np.float32)
    x, y = RNG.normal(size=(3, 4)).astype(np.float32), np.zeros((3, 2), np.float32)
    assert all(v.dtype == np.float32 for v in model.get_param().values())
    grad, loss = model.get_grad(x, y)
    assert loss.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grad.values())
    SGD(model, x, y, {"alpha": 0.01}, batch_size=3).train(2, print_each=None, progress=False)
    assert all(v.dtype == np.float32 for v in model.get_param().values())
    model.set_param({k: v.astype(np.float64) for k, v in model.get_param().items()})
    assert all(v.dtype == np.float32 for v in model.get_param().values())


def test_get_grad_wants_a_1x1_node_from_loss():
    class Bad(Mlp):
        def loss(self, x, y):
            return self.forward(x)

    with pytest.raises(ValueError, match=r"1x1 Node, got shape \(3, 2\).*\.sum\(\)"):
        Bad().get_grad(np.zeros((3, 4)), None)

    class NotNode(Mlp):
        def loss(self, x, y):
            return 1.0

    with pytest.raises(TypeError, match="must return a Node"):
        NotNode().get_grad(np.zeros((3, 4)), None)


# -- layer names, sizes and missing methods ------------------------------------------------

def test_a_layer_name_used_twice_is_refused():
    class Twice(Model):
        def __init__(self):
            super().__init__()
            self.a = self.ReLu_Layer(2, 2, "h")
            self.b = self.Dropout(0.5, "h")

    with pytest.raises(ValueError, match="a layer named 'h' already exists"):
        Twice()


@pytest.mark.parametrize("make, error, message", [
    (lambda m: m.ReLu_Layer(2, 2), TypeError, "needs a name"),
    (lambda m: m.ReLu_Layer(2, 2, ""), TypeError, "needs a name"),
    (lambda m: m.Linear_Layer(2, 2, 3), TypeError, "needs a name"),
    (lambda m: m.ReLu_Layer(0, 2, "h"), ValueError, "fan_in"),
    (lambda m: m.ReLu_Layer(2, 2.5, "h"), ValueError, "fan_out"),
    (lambda m: m.Dropout(1.0, "d"), ValueError, r"rate .* in \[0, 1\)"),
    (lambda m: m.Dropout(-0.1, "d"), ValueError, "rate"),
    (lambda m: m.BatchNorm_Layer(0, "bn"), ValueError, "number of features"),
    (lambda m: m.BatchNorm_Layer(3, "bn", momentum=0), ValueError, "momentum"),
])
def test_bad_layer_arguments_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        make(Model())


def test_layer_checks_its_input_width():
    model = Mlp()
    with pytest.raises(ValueError, match="layer 'h1' expects 4 input columns"):
        model.forward(np.zeros((2, 3)))


def test_missing_forward_loss_or_layers_say_what_to_write():
    class Empty(Model):
        pass

    model = Empty()
    with pytest.raises(NotImplementedError, match=r"must define forward\(self, x\)"):
        model.forward(np.zeros((1, 1)))
    with pytest.raises(NotImplementedError, match=r"must define loss\(self, x, y\)"):
        model.loss(None, None)
    for call in (model.get_param, lambda: model.get_grad(None, None),
                 lambda: model.set_param({})):
        with pytest.raises(NotImplementedError, match="no layers.*ReLu_Layer"):
            call()
    model.layer = model.Linear_Layer(1, 1, "lin")
    with pytest.raises(NotImplementedError, match="must define loss"):
        model.get_grad(np.zeros((1, 1)), None)


def test_subclass_without_super_init_still_works():
    class Forgetful(Model):  # as in the 2019 exercise
        def __init__(self):
            self.h = self.Linear_Layer(2, 1, "h")

    a, b = Forgetful(), Forgetful()
    assert list(a.get_param()) == ["h_weight", "h_bias"]
    assert a.get_param()["h_weight"] is not b.get_param()["h_weight"]
    assert a.training


def test_neuralnode_factories_return_forward_and_param():
    assert nn is NeuralNode and nn.Model is Model
    dp.init.seed(3)
    forward_fn, param = NeuralNode._ReLu_Layer(3, 1, "relu")
    assert sorted(param) == ["relu_bias", "relu_weight"]
    toy = np.fromfunction(lambda i, j: i - 5, (10, 3))
    expected = np.maximum(toy @ param["relu_weight"] + param["relu_bias"], 0)
    np.testing.assert_allclose(forward_fn(Node(toy)).value, expected)
    # a dict that holds both values is used as it is
    given = {"lin_weight": np.ones((3, 1)), "lin_bias": np.zeros((1, 1))}
    forward_fn, param = NeuralNode._Linear_Layer(3, 1, "lin", given)
    assert param is given
    np.testing.assert_allclose(forward_fn(Node(toy)).value, toy.sum(axis=1, keepdims=True))
    with pytest.raises(ValueError, match="give both or neither"):
        NeuralNode._Linear_Layer(3, 1, "lin", {"lin_weight": np.ones((3, 1))})


# -- dropout ------------------------------------------------------------------------------

class Dropped(Model):
    def __init__(self, rate):
        super().__init__()
        self.drop = self.Dropout(rate, "drop")


def test_dropout_is_the_identity_in_eval_mode():
    model = Dropped(0.5).eval_mode()
    x = Node(RNG.normal(size=(4, 3)), "x")
    out = model.drop(x)
    np.testing.assert_array_equal(out.value, x.value)
    np.testing.assert_array_equal(out.sum().grad(1)["x"], np.ones((4, 3)))


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8])
def test_dropout_drops_with_probability_rate_and_keeps_the_expectation(rate):
    dp.init.seed(4)
    model = Dropped(rate)
    assert model.training
    x = Node(np.full((400, 250), 3.0), "x")  # 100 000 units
    out = model.drop(x)
    kept = out.value != 0
    n = kept.size
    # the share of dropped units is rate, within 5 standard deviations
    assert abs((1 - kept.mean()) - rate) < 5 * np.sqrt(rate * (1 - rate) / n)
    # survivors are scaled by 1 / (1 - rate), so the mean stays 3
    np.testing.assert_allclose(out.value[kept], 3.0 / (1 - rate))
    assert out.value.mean() == pytest.approx(3.0, abs=5 * 3.0 * np.sqrt(rate / (1 - rate) / n))
    # the gradient goes through the same mask with the same scale
    np.testing.assert_allclose(out.sum().grad(1)["x"], kept / (1 - rate))


def test_dropout_masks_are_new_each_pass_and_reproducible_with_seed():
    model = Dropped(0.5)
    x = Node(np.ones((20, 20)))
    dp.init.seed(5)
    first, second = model.drop(x).value, model.drop(x).value
    assert not np.array_equal(first, second)
    dp.init.seed(5)
    np.testing.assert_array_equal(model.drop(x).value, first)
    np.testing.assert_array_equal(Dropped(0.0).drop(x).value, x.value)


# -- batch normalization ------------------------------------------------------------------

class Normalized(Model):
    """Linear layer, then batch norm, then tanh, with a fixed weighting C."""

    def __init__(self, weights, momentum=0.1):
        super().__init__()
        self.lin = self.Linear_Layer(4, 3, "lin")
        self.bn = self.BatchNorm_Layer(3, "bn", momentum=momentum)
        self.weights = weights

    def forward(self, x):
        return self.bn(self.lin(x)).tanh()

    def loss(self, x, y):
        return (self.forward(x) * self.weights).sum()


def reference_batch_norm_train(z, gamma, beta, eps=1e-5):
    mu = anp.mean(z, axis=0, keepdims=True)
    var = anp.mean((z - mu) ** 2, axis=0, keepdims=True)
    return gamma * (z - mu) / anp.sqrt(var + eps) + beta


def test_batch_norm_train_mode_matches_autograd():
    dp.init.seed(6)
    x, c = RNG.normal(size=(6, 4)), RNG.normal(size=(6, 3))
    model = Normalized(c)
    param = model.get_param()
    assert sorted(param) == ["bn_beta", "bn_gamma", "lin_bias", "lin_weight"]
    # non-trivial γ and β, so that their gradients are tested too
    param = {**param, "bn_gamma": RNG.uniform(0.5, 2, (1, 3)), "bn_beta": RNG.normal(size=(1, 3))}
    model.set_param(param)
    names = ["lin_weight", "lin_bias", "bn_gamma", "bn_beta"]

    def reference(w, b, gamma, beta):
        return anp.sum(anp.tanh(reference_batch_norm_train(anp.dot(x, w) + b, gamma, beta)) * c)

    args = [param[n] for n in names]
    grad, loss = model.get_grad(x, None)
    assert loss.value[0, 0] == pytest.approx(reference(*args), rel=1e-12)
    for i, name in enumerate(names):
        np.testing.assert_allclose(grad[name], autograd.grad(reference, i)(*args),
                                   rtol=1e-8, atol=1e-12, err_msg=name)
    # the batch mean is removed, so the linear bias has (up to rounding) no gradient
    np.testing.assert_allclose(grad["lin_bias"], 0, atol=1e-12)


def test_batch_norm_running_statistics_and_eval_mode():
    dp.init.seed(7)
    model = Normalized(None, momentum=0.25)
    assert set(model.get_state()) == {"bn_running_mean", "bn_running_var"}
    assert not set(model.get_state()) & set(model.get_param())
    running_mean, running_var = np.zeros((1, 3)), np.ones((1, 3))
    for _ in range(3):
        x = RNG.normal(2.0, 3.0, size=(8, 4))
        z = x @ model.get_param()["lin_weight"] + model.get_param()["lin_bias"]
        model.forward(x)
        running_mean = 0.75 * running_mean + 0.25 * z.mean(axis=0, keepdims=True)
        running_var = 0.75 * running_var + 0.25 * z.var(axis=0, ddof=1, keepdims=True)
    state = model.get_state()
    np.testing.assert_allclose(state["bn_running_mean"], running_mean, rtol=1e-12)
    np.testing.assert_allclose(state["bn_running_var"], running_var, rtol=1e-12)

    model.eval_mode()
    x = RNG.normal(size=(5, 4))
    z = x @ model.get_param()["lin_weight"] + model.get_param()["lin_bias"]
    expected = np.tanh((z - running_mean) / np.sqrt(running_var + 1e-5))  # γ = 1, β = 0
    np.testing.assert_allclose(model.forward(x).value, expected, rtol=1e-12)
    # a row's prediction does not depend on the rest of the batch, and eval
    # mode leaves the running statistics alone
    np.testing.assert_allclose(model.forward(x[:1]).value, expected[:1], rtol=1e-12)
    np.testing.assert_array_equal(model.get_state()["bn_running_mean"], running_mean)
    # get_state gives copies
    state["bn_running_mean"][:] = 99
    assert not np.any(model.get_state()["bn_running_mean"] == 99)


def test_batch_norm_set_state_and_small_batches():
    model = Normalized(None)
    state = {"bn_running_mean": np.full((1, 3), 2.0), "bn_running_var": np.full((1, 3), 4.0)}
    model.set_state(state)
    np.testing.assert_array_equal(model.get_state()["bn_running_var"], state["bn_running_var"])
    with pytest.raises(ValueError, match="missing"):
        model.set_state({"bn_running_mean": np.zeros((1, 3))})
    with pytest.raises(ValueError, match="at least 2 rows.*eval_mode"):
        model.forward(np.zeros((1, 4)))


def test_mode_switch_reaches_every_layer():
    model = Normalized(None)
    assert model.training and model.bn.training
    assert model.eval_mode() is model
    assert not model.training and not model.bn.training and not model.lin.training
    model.later = model.Dropout(0.5, "later")
    assert not model.later.training  # a layer made in eval mode starts in eval mode
    model.train_mode()
    assert model.training and model.later.training and model.bn.training


def test_a_layer_class_written_by_a_student_can_be_added():
    from dp.nn import Layer

    class Scale(Layer):
        """H = X * s, one learnable factor s per column."""

        def __init__(self, n, name):
            super().__init__(name)
            self.param = {f"{name}_scale": np.full((1, n), 2.0)}

        def forward(self, x):
            return x * Node(self.param[f"{self.name}_scale"], f"{self.name}_scale")

    class Scaled(Model):
        def __init__(self):
            super().__init__()
            self.lin = self.Linear_Layer(3, 2, "lin")
            self.scale = self.add_layer(Scale(2, "s"))

        def forward(self, x):
            return self.scale(self.lin(x))

        def loss(self, x, y):
            return self.forward(x).sum()

    model = Scaled()
    assert list(model.get_param()) == ["lin_weight", "lin_bias", "s_scale"]
    x = RNG.normal(size=(4, 3))
    grad, _ = model.get_grad(x, None)
    p = model.get_param()
    np.testing.assert_allclose(grad["s_scale"], (x @ p["lin_weight"] + p["lin_bias"]).sum(
        axis=0, keepdims=True))
    assert repr(model) == "Scaled(Dense('lin', 3 -> 2, linear), Scale('s'))"
    with pytest.raises(TypeError, match="expected a dp.nn.Layer"):
        model.add_layer(lambda x: x)
