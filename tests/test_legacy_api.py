"""Code written against the 2019 API (paper and notebook) runs unchanged.

The listings are kept as they were published (including their habits, like
`type(x) == Node`), on small random data instead of MNIST and with fewer steps.
"""

import numpy as np
import pytest

import dp.init
from dp.nn import Model, NeuralNode
from dp.node import Node
from dp.optim import SGD, Optimizer


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("DP_PROGRESS", "0")
    dp.init.seed(2019)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x_train = rng.random((200, 784))
    y_train = np.eye(10)[rng.integers(0, 10, 200)]
    return x_train, y_train


class Network(Model):
    def __init__(self):
        super().__init__()
        self.h1 = self.ReLu_Layer(784, 500, "h1")
        self.h2 = self.ReLu_Layer(500, 200, "h2")
        self.h3 = self.Linear_Layer(200, 10, "h3")

    def loss(self, x, y):
        if not type(y) == Node:
            y = Node(y)
        out = self.forward(x)
        return (-1 * (y * out.log())).sum()

    def forward(self, x):
        if not type(x) == Node:
            x = Node(x)
        return self.h3(self.h2(self.h1(x))).softmax()


def test_the_2019_mnist_usage_runs(data, capsys):
    x_train, y_train = data
    net = Network()
    optimizer = SGD(net, x_train, y_train, hyperparam={"alpha": 0.001}, batch_size=100)
    loss = optimizer.train(steps=10, print_each=5)
    assert isinstance(loss, float) and np.isfinite(loss)
    loss, loss_hist, para_hist = optimizer.train(steps=10, print_each=5, err_hist=True)
    assert len(loss_hist) == len(para_hist) == 10 and loss == loss_hist[-1]
    assert set(para_hist[0]) == {"h1_weight", "h1_bias", "h2_weight", "h2_bias",
                                 "h3_weight", "h3_bias"}
    assert capsys.readouterr().out.count("loss") == 4

    x, y = x_train[:50], y_train[:50]
    grad, loss = net.get_grad(x, y)
    p = net.get_param()
    net.set_param(p)
    assert {name: g.shape for name, g in grad.items()} == {name: v.shape for name, v in p.items()}
    assert loss.shape == (1, 1)

    true = y_train.argmax(axis=1)
    pred = net.forward(x_train).value.argmax(axis=1)
    assert 0 <= np.mean(true == pred) <= 1


def test_one_sgd_step_is_the_published_update_rule(data):
    x_train, y_train = data
    net = Network()
    before = {name: value.copy() for name, value in net.get_param().items()}
    grad, _ = net.get_grad(x_train, y_train)
    SGD(net, x_train, y_train, hyperparam={"alpha": 0.001}, batch_size=200).train(
        steps=1, print_each=None)
    for name, value in net.get_param().items():
        np.testing.assert_allclose(value, before[name] - 0.001 * grad[name], rtol=1e-12)


def test_the_paper_training_loop_by_hand(data):
    x, y = data

    class Network2(Network):  # the old style of calling the parent constructor
        def __init__(self):
            super(Network2, self).__init__()

    net = Network2()
    losses = []
    for epoch in range(5):
        grad, loss = net.get_grad(x, y)
        param_current = net.get_param()
        param_new = {name: param_current[name] - 0.0001 * grad[name]
                     for name in param_current.keys()}
        net.set_param(param_new)
        losses.append(loss.value[0, 0])
    assert losses[-1] < losses[0]


def test_the_notebook_linear_regression_demo():
    x = np.linspace(-5, 5)
    noise = 0.1 * np.random.default_rng(1).normal(size=x.size)
    y = 2 * x + 1 + noise

    class LinearRegressionNN(Model):
        def __init__(self):
            super(LinearRegressionNN, self).__init__()
            self.layer = self.Linear_Layer(1, 1, "my_amazing_layer")

        def forward(self, x):
            if not type(x) == Node:
                x = Node(x)
            out = self.layer(x)
            return out

        def loss(self, x, y):
            if not type(x) == Node:  # sic: the published cell tests x here
                y = Node(y)
            out = self.forward(x)
            loss = (out - y).square().sum()
            return loss

    lnn = LinearRegressionNN()
    for epoch in range(100):
        grad, loss = lnn.get_grad(x, y)
        param_current = lnn.get_param()
        param_new = {name: param_current[name] - 0.001 * grad[name]
                     for name in param_current.keys()}
        lnn.set_param(param_new)
    param = lnn.get_param()
    assert param["my_amazing_layer_weight"][0, 0] == pytest.approx(2, abs=0.05)
    assert param["my_amazing_layer_bias"][0, 0] == pytest.approx(1, abs=0.1)
    assert lnn.forward(x).value.shape == (50, 1)


def test_neuralnode_alias_and_nn_model():
    nn = NeuralNode
    forward_fn, param = NeuralNode._ReLu_Layer(3, 1, "relu")
    toy_data = np.fromfunction(lambda i, j: i - 5, (10, 3))
    out = forward_fn(Node(toy_data))
    assert out.value.shape == (10, 1) and np.all(out.value >= 0)
    assert param["relu_weight"].shape == (3, 1) and param["relu_bias"].shape == (1, 1)

    class Net(nn.Model):
        def __init__(self):
            super(Net, self).__init__()
            self.hidden_1 = self.ReLu_Layer(784, 20, "hidden_1")
            self.out = self.Linear_Layer(20, 10, "out")

        def forward(self, x):
            if not type(x) == Node:
                x = Node(x)
            return self.out(self.hidden_1(x)).softmax()

        def loss(self, x, y):
            y = Node(y)
            return -(y * self.forward(x).log()).sum()

    net = Net()
    loss = net.loss(np.random.default_rng(0).normal(size=(1, 784)), np.eye(10)[2:3])
    assert loss.value.shape == (1, 1)


def test_an_optimizer_written_the_2019_way(data):
    x_train, y_train = data

    class MySGD(Optimizer):
        def __init__(self, model, x_train=None, y_train=None, hyperparam=dict(),
                     batch_size=128):
            super(MySGD, self).__init__(model, x_train, y_train, hyperparam, batch_size)

        def _set_param(self):
            self.alpha = self.hyperparam.get("alpha", 0.001)

        def _update(self, param, grad, g, i):
            return param[g] - self.alpha * grad[g]

        def train(self, steps=1000, print_each=100):
            return self._train(steps, num_grad_stores=1, print_each=print_each)

    net = Network()
    optimizer = MySGD(net, x_train=x_train, y_train=y_train, hyperparam=({"alpha": 0.001}),
                      batch_size=100)
    loss = optimizer.train(steps=3, print_each=None)
    assert isinstance(loss, float) and np.isfinite(loss)
    assert len(optimizer.grad_stores) == 1
