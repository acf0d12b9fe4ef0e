"""Optimizers: update rules against independent references, the training loop, bad input.

The parameter trajectories are checked with a model whose loss gradient is
scripted: at its t-th call, loss = Σ W * G_t + Σ b * H_t, so ∂loss/∂W = G_t and
∂loss/∂b = H_t exactly. The same gradient sequence is fed to a reference
implementation of each formula written here (and to torch.optim if installed).
"""

import numpy as np
import pytest

import dp.init
from dp.nn import Model
from dp.node import Node
from dp.optim import SGD, Adam, Optimizer, RMS_Prop, SGD_Momentum

STEPS = 100


def gradient_sequence(shape, steps=STEPS, seed=0):
    """Random gradients whose size changes by orders of magnitude over time,
    so that the ε terms and the running averages matter."""
    rng = np.random.default_rng(seed)
    scales = 10.0 ** rng.uniform(-4, 1, size=steps)
    return [scale * rng.normal(size=shape) for scale in scales]


class ScriptedGradients(Model):
    """A one-layer model whose loss has the gradients we choose, step by step."""

    def __init__(self, grads_w, grads_b):
        super().__init__()
        self.layer = self.Linear_Layer(3, 2, "p")
        self.grads_w, self.grads_b = grads_w, grads_b
        self.calls = 0

    def forward(self, x):
        return self.layer(x)

    def loss(self, x, y):
        g_w, g_b = self.grads_w[self.calls], self.grads_b[self.calls]
        self.calls += 1
        p = self.get_param()
        weight, bias = Node(p["p_weight"], "p_weight"), Node(p["p_bias"], "p_bias")
        return (weight * g_w).sum() + (bias * g_b).sum()


def run_dp(optimizer_class, hyperparam, steps=STEPS, split=None):
    """Train the scripted model; return (initial params, [params after each step])."""
    dp.init.seed(1)
    grads_w, grads_b = gradient_sequence((3, 2), steps, 0), gradient_sequence((1, 2), steps, 1)
    model = ScriptedGradients(grads_w, grads_b)
    start = {k: v.copy() for k, v in model.get_param().items()}
    data = np.zeros((4, 3))
    opt = optimizer_class(model, data, data, hyperparam=hyperparam, batch_size=2)
    history = []
    for part in (split or [steps]):
        history += opt.train(part, print_each=None, err_hist=True, progress=False)[2]
    return start, history, {"p_weight": grads_w, "p_bias": grads_b}


# -- independent references: one function per formula, on one array ------------------

def ref_sgd(theta, grads, alpha):
    out = []
    for g in grads:
        theta = theta - alpha * g
        out.append(theta)
    return out


def ref_momentum(theta, grads, alpha, beta):
    velocity, out = np.zeros_like(theta), []
    for g in grads:
        velocity = beta * velocity + (1 - beta) * g
        theta = theta - alpha * velocity
        out.append(theta)
    return out


def ref_rmsprop(theta, grads, alpha, beta2, epsilon):
    mean_square, out = np.zeros_like(theta), []
    for g in grads:
        mean_square = beta2 * mean_square + (1 - beta2) * g * g
        theta = theta - alpha * g / (np.sqrt(mean_square) + epsilon)
        out.append(theta)
    return out


def ref_adam(theta, grads, alpha, beta1, beta2, epsilon):
    m, v, out = np.zeros_like(theta), np.zeros_like(theta), []
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
        theta = theta - alpha * m_hat / (np.sqrt(v_hat) + epsilon)
        out.append(theta)
    return out


CASES = [
    (SGD, {"alpha": 0.01}, lambda th, gs: ref_sgd(th, gs, 0.01)),
    (SGD, {}, lambda th, gs: ref_sgd(th, gs, 0.001)),
    (SGD_Momentum, {"alpha": 0.05, "beta": 0.8},
     lambda th, gs: ref_momentum(th, gs, 0.05, 0.8)),
    (SGD_Momentum, {}, lambda th, gs: ref_momentum(th, gs, 0.001, 0.9)),
    (RMS_Prop, {"alpha": 0.01, "beta2": 0.95, "epsilon": 1e-6},
     lambda th, gs: ref_rmsprop(th, gs, 0.01, 0.95, 1e-6)),
    (RMS_Prop, {}, lambda th, gs: ref_rmsprop(th, gs, 0.001, 0.9, 1e-8)),
    (Adam, {"alpha": 0.01, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6},
     lambda th, gs: ref_adam(th, gs, 0.01, 0.8, 0.99, 1e-6)),
    (Adam, {}, lambda th, gs: ref_adam(th, gs, 0.001, 0.9, 0.999, 1e-8)),
]


def check_trajectory(start, history, grads, reference):
    assert len(history) == STEPS
    for name in start:
        expected = reference(start[name], grads[name])
        actual = [params[name] for params in history]
        np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("optimizer_class, hyperparam, reference", CASES,
                         ids=lambda c: getattr(c, "__name__", None) or str(c))
def test_trajectory_equals_reference(optimizer_class, hyperparam, reference):
    check_trajectory(*run_dp(optimizer_class, hyperparam), reference)


@pytest.mark.parametrize("optimizer_class, hyperparam, reference", CASES[::2],
                         ids=lambda c: getattr(c, "__name__", None) or str(c))
def test_training_twice_continues_the_run(optimizer_class, hyperparam, reference):
    # The running averages and Adam's step count i carry over to the second train().
    check_trajectory(*run_dp(optimizer_class, hyperparam, split=[37, 63]), reference)


def test_the_reference_check_can_fail():
    # The check above is not vacuous: RMSProp with a (wrong) bias correction, or
    # momentum without the (1 - β) factor, is caught.
    start, history, grads = run_dp(RMS_Prop, {"alpha": 0.01})
    with pytest.raises(AssertionError):
        check_trajectory(start, history, grads,
                         lambda th, gs: ref_adam(th, gs, 0.01, 0.0, 0.9, 1e-8))
    start, history, grads = run_dp(SGD_Momentum, {"alpha": 0.01, "beta": 0.9})
    with pytest.raises(AssertionError):
        check_trajectory(start, history, grads,
                         lambda th, gs: ref_momentum(th, gs, 0.1, 0.9))


# -- the same trajectories from torch.optim ---------------------------------------------

def torch_trajectory(make_optimizer, theta, grads):
    torch = pytest.importorskip("torch")
    p = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer(torch.optim, [p])
    out = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(p.detach().numpy().copy())
    return out


TORCH_CASES = [
    (SGD, {"alpha": 0.01}, lambda o, ps: o.SGD(ps, lr=0.01)),
    # PyTorch keeps v' = β v' + g (dampening 0): ours v = (1 - β) v', so lr = α (1 - β).
    (SGD_Momentum, {"alpha": 0.05, "beta": 0.8},
     lambda o, ps: o.SGD(ps, lr=0.05 * (1 - 0.8), momentum=0.8, dampening=0)),
    # PyTorch's alpha is our β₂; it also adds ε after the square root.
    (RMS_Prop, {"alpha": 0.01, "beta2": 0.95, "epsilon": 1e-6},
     lambda o, ps: o.RMSprop(ps, lr=0.01, alpha=0.95, eps=1e-6)),
    (Adam, {"alpha": 0.01, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6},
     lambda o, ps: o.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6)),
    (Adam, {}, lambda o, ps: o.Adam(ps, lr=0.001, betas=(0.9, 0.999), eps=1e-8)),
]


@pytest.mark.parametrize("optimizer_class, hyperparam, make_torch", TORCH_CASES,
                         ids=lambda c: getattr(c, "__name__", None) or str(c))
def test_trajectory_equals_torch(optimizer_class, hyperparam, make_torch):
    pytest.importorskip("torch")
    start, history, grads = run_dp(optimizer_class, hyperparam)
    check_trajectory(start, history, grads,
                     lambda th, gs: torch_trajectory(make_torch, th, gs))


# -- state belongs to one optimizer ------------------------------------------------------

def test_each_optimizer_owns_fresh_stores():
    data = np.zeros((4, 3))
    grads = gradient_sequence((3, 2)), gradient_sequence((1, 2))
    first = Adam(ScriptedGradients(*grads), data, data, batch_size=2)
    second = Adam(ScriptedGradients(*grads), data, data, batch_size=2)
    first.train(5, print_each=None, progress=False)
    second.train(5, print_each=None, progress=False)
    assert len(first.grad_stores) == 2
    m, v = first.grad_stores
    assert m is not v and m["p_weight"] is not v["p_weight"]
    for store, other in zip(first.grad_stores, second.grad_stores):
        assert store is not other
        assert store["p_weight"] is not other["p_weight"]
    assert not np.allclose(m["p_weight"], v["p_weight"])


def test_a_subclass_is_a_new_optimizer():
    class SignSGD(Optimizer):
        """θ ← θ - α sign(g)."""
        defaults = {"alpha": 0.5}

        def _update(self, param, grad, g, i):
            return param[g] - self.alpha * np.sign(grad[g])

    grads = gradient_sequence((3, 2)), gradient_sequence((1, 2))
    model = ScriptedGradients(*grads)
    start = {k: v.copy() for k, v in model.get_param().items()}
    SignSGD(model, np.zeros((2, 1)), np.zeros((2, 1)), batch_size=1).train(
        3, print_each=None, progress=False)
    expected = start["p_weight"] - 0.5 * sum(np.sign(g) for g in grads[0][:3])
    np.testing.assert_allclose(model.get_param()["p_weight"], expected, atol=1e-12)
    with pytest.raises(ValueError, match="aplha"):
        SignSGD(model, np.zeros((2, 1)), np.zeros((2, 1)), {"aplha": 1}, batch_size=1)


# -- the training loop ---------------------------------------------------------------------

class LinearRegression(Model):
    def __init__(self):
        super().__init__()
        self.layer = self.Linear_Layer(2, 1, "lin")

    def forward(self, x):
        return self.layer(x)

    def loss(self, x, y):
        return (self.forward(x) - Node(y)).square().mean()


@pytest.fixture
def regression():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40, 2))
    y = x @ np.array([[2.0], [-1.0]]) + 0.5
    dp.init.seed(0)
    return LinearRegression(), x, y


def test_train_returns_the_last_loss_and_histories(regression):
    model, x, y = regression
    opt = SGD(model, x, y, {"alpha": 0.1}, batch_size=40)  # full batch: deterministic
    loss, loss_hist, para_hist = opt.train(30, print_each=None, err_hist=True,
                                           progress=False)
    assert isinstance(loss, float) and loss == loss_hist[-1]
    assert len(loss_hist) == len(para_hist) == 30
    assert all(isinstance(value, float) for value in loss_hist)
    assert loss_hist[-1] < 0.1 * loss_hist[0]
    # para_hist[k] are copies of the parameters after step k + 1.
    for name, value in model.get_param().items():
        np.testing.assert_array_equal(para_hist[-1][name], value)
        assert para_hist[-1][name] is not value
    assert not np.array_equal(para_hist[0]["lin_weight"], para_hist[1]["lin_weight"])
    # the loss at step k is the loss of the parameters after step k - 1
    p = para_hist[9]
    residual = x @ p["lin_weight"] + p["lin_bias"] - y
    assert loss_hist[10] == pytest.approx(np.mean(residual ** 2), rel=1e-12)
    assert isinstance(opt.train(1, print_each=None, progress=False), float)


def test_train_prints_every_print_each_steps(regression, capsys):
    model, x, y = regression
    SGD(model, x, y, batch_size=8).train(10, print_each=5, progress=False)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:2] == ["step", "5/10"] and "loss" in lines[0]
    assert lines[1].split()[:2] == ["step", "10/10"]
    float(lines[1].split()[-1])
    for quiet in (None, 0):
        SGD(model, x, y, batch_size=8).train(10, print_each=quiet, progress=False)
        assert capsys.readouterr().out == ""


def test_progress_bar_switches(regression, capsys, monkeypatch):
    model, x, y = regression
    opt = SGD(model, x, y, batch_size=8)
    monkeypatch.setenv("DP_PROGRESS", "1")
    opt.train(3, print_each=None, progress=True)
    assert "3/3" in capsys.readouterr().err
    opt.train(3, print_each=None, progress=False)
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("DP_PROGRESS", "0")
    opt.train(3, print_each=None)
    assert capsys.readouterr().err == ""


def test_train_runs_in_train_mode(regression):
    model, x, y = regression
    model.eval_mode()
    SGD(model, x, y, batch_size=8).train(1, print_each=None, progress=False)
    assert model.training


def test_diverging_run_stops_with_a_clear_error(regression):
    model, x, y = regression
    opt = SGD(model, x * 1e3, y, {"alpha": 10.0}, batch_size=40)
    with np.errstate(all="ignore"), pytest.raises(
            FloatingPointError, match=r"step \d+.*smaller learning rate than alpha=10.0") as info:
        opt.train(200, print_each=None, progress=False)
    # the parameters are those from before the step whose loss was not finite
    assert 0 < opt.step < 200
    # the history of the finite steps comes with the error, to be plotted
    assert info.value.step == opt.step + 1
    assert len(info.value.loss_hist) == opt.step
    assert all(np.isfinite(info.value.loss_hist))
    assert all(np.all(np.isfinite(v)) for v in model.get_param().values())


def test_random_batch_draws_rows_without_replacement():
    x = np.arange(50.0).reshape(-1, 1)
    y = 2 * x
    model = LinearRegression.__new__(LinearRegression)
    Model.__init__(model)
    model.layer = model.Linear_Layer(1, 1, "lin")
    opt = SGD(model, x, y, batch_size=20)
    dp.init.seed(7)
    xb, yb = opt.random_batch()
    assert xb.shape == (20, 1) and yb.shape == (20, 1)
    assert len(np.unique(xb)) == 20            # no row twice
    np.testing.assert_array_equal(yb, 2 * xb)  # inputs and targets stay paired
    dp.init.seed(7)
    np.testing.assert_array_equal(opt.random_batch()[0], xb)  # reproducible
    whole = SGD(model, x, y, batch_size=50).random_batch()[0]
    np.testing.assert_array_equal(np.sort(whole, axis=0), x)


# -- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, message", [
    ({"y_train": np.zeros((39, 1))}, ValueError, "40 rows but y_train has 39"),
    ({"x_train": None}, ValueError, "x_train"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 41}, ValueError, "batch_size"),
    ({"batch_size": 2.5}, ValueError, "batch_size"),
    ({"hyperparam": {"aplha": 0.1}}, ValueError, r"unknown hyperparameter.*aplha.*alpha"),
    ({"hyperparam": {"alpha": -0.1}}, ValueError, "'alpha' must be a positive"),
    ({"hyperparam": {"alpha": float("nan")}}, ValueError, "'alpha'"),
    ({"hyperparam": [("alpha", 0.1)]}, TypeError, "hyperparam must be a dict"),
])
def test_bad_construction_is_refused(regression, kwargs, error, message):
    model, x, y = regression
    arguments = {"x_train": x, "y_train": y, "hyperparam": None, "batch_size": 8, **kwargs}
    with pytest.raises(error, match=message):
        SGD(model, **arguments)


@pytest.mark.parametrize("optimizer_class, hyperparam, message", [
    (SGD_Momentum, {"beta": 1.0}, "'beta' must be in"),
    (RMS_Prop, {"beta": 0.9}, r"unknown.*RMS_Prop takes \['alpha', 'beta2', 'epsilon'\]"),
    (Adam, {"beta1": -0.1}, "'beta1'"),
    (Adam, {"epsilon": 0}, "'epsilon'"),
])
def test_bad_hyperparameters_are_refused(regression, optimizer_class, hyperparam, message):
    model, x, y = regression
    with pytest.raises(ValueError, match=message):
        optimizer_class(model, x, y, hyperparam, batch_size=8)


def test_the_callers_hyperparam_dict_is_not_changed(regression):
    model, x, y = regression
    hyperparam = {"alpha": 0.1}
    opt = Adam(model, x, y, hyperparam, batch_size=8)
    assert hyperparam == {"alpha": 0.1}
    assert (opt.alpha, opt.beta1, opt.beta2, opt.epsilon) == (0.1, 0.9, 0.999, 1e-8)


def test_a_model_without_layers_is_refused():
    class Empty(Model):
        pass

    with pytest.raises(NotImplementedError, match="no layers"):
        SGD(Empty(), np.zeros((4, 1)), np.zeros((4, 1)), batch_size=2)


@pytest.mark.parametrize("steps", [0, -1, 2.0])
def test_bad_steps_are_refused(regression, steps):
    model, x, y = regression
    with pytest.raises(ValueError, match="steps"):
        SGD(model, x, y, batch_size=8).train(steps, progress=False)


def test_the_first_argument_must_be_a_model(regression):
    _, x, y = regression
    with pytest.raises(TypeError, match="must be a model"):
        SGD(object(), x, y, batch_size=8)
