"""End to end: small networks learn XOR and a 3-class spiral; the training helpers in dp.utils."""

import numpy as np
import pytest

import dp.init
from dp import losses
from dp.nn import Model
from dp.optim import SGD, Adam, RMS_Prop, SGD_Momentum
from dp.utils import accuracy, minibatches, one_hot


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("DP_PROGRESS", "0")


class Xor(Model):
    def __init__(self):
        super().__init__()
        self.hidden = self.Tanh_Layer(2, 8, "hidden", init="xavier_uniform")
        self.out = self.Linear_Layer(8, 1, "out")

    def forward(self, x):
        return self.out(self.hidden(x))  # a logit: σ of it is P(y = 1)

    def loss(self, x, y):
        return losses.binary_cross_entropy_with_logits(self.forward(x), y)


XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


@pytest.mark.parametrize("optimizer_class, hyperparam, steps", [
    (SGD, {"alpha": 0.5}, 800),
    (SGD_Momentum, {"alpha": 0.5, "beta": 0.9}, 800),
    (RMS_Prop, {"alpha": 0.02}, 400),
    (Adam, {"alpha": 0.05}, 400),
])
def test_two_layer_network_learns_xor(optimizer_class, hyperparam, steps):
    dp.init.seed(0)
    net = Xor()
    loss = optimizer_class(net, XOR_X, XOR_Y, hyperparam, batch_size=4).train(
        steps, print_each=None)
    net.eval_mode()
    assert accuracy(net.forward(XOR_X), XOR_Y, threshold=0.0) == 1.0
    assert loss < 0.1


def spiral(n_per_class=100, n_classes=3, seed=0):
    """Points on n_classes interleaved noisy spiral arms in 2-D (as in CS231n)."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n_per_class * n_classes, 2))
    labels = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for k in range(n_classes):
        rows = slice(k * n_per_class, (k + 1) * n_per_class)
        radius = np.linspace(0.0, 1.0, n_per_class)
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), n_per_class) + rng.normal(0, 0.2, n_per_class)
        x[rows] = np.c_[radius * np.sin(angle), radius * np.cos(angle)]
        labels[rows] = k
    return x, labels


class SpiralNet(Model):
    def __init__(self, batch_norm=False, dropout=0.0):
        super().__init__()
        self.h1 = self.ReLu_Layer(2, 64, "h1")
        self.norm = self.BatchNorm_Layer(64, "bn") if batch_norm else None
        self.drop = self.Dropout(dropout, "drop")
        self.h2 = self.ReLu_Layer(64, 64, "h2")
        self.out = self.Linear_Layer(64, 3, "out")

    def forward(self, x):
        h = self.h1(x)
        if self.norm is not None:
            h = self.norm(h)
        return self.out(self.h2(self.drop(h)))

    def loss(self, x, y):
        return losses.cross_entropy_with_logits(self.forward(x), y)


@pytest.mark.parametrize("batch_norm, dropout", [(False, 0.0), (True, 0.0), (False, 0.1)])
def test_mlp_learns_a_spiral(batch_norm, dropout):
    x, labels = spiral()
    dp.init.seed(0)
    net = SpiralNet(batch_norm, dropout)
    Adam(net, x, one_hot(labels), {"alpha": 0.01}, batch_size=100).train(400, print_each=None)
    net.eval_mode()
    assert accuracy(net.forward(x), labels) >= 0.95


def test_training_is_reproducible_with_a_seed():
    x, labels = spiral(30)
    results = []
    for _ in range(2):
        dp.init.seed(42)
        net = SpiralNet(dropout=0.2)
        results.append(Adam(net, x, one_hot(labels), batch_size=16).train(20, print_each=None))
    assert results[0] == results[1]


# -- dp.utils ---------------------------------------------------------------------------

def test_one_hot():
    np.testing.assert_array_equal(one_hot([2, 0, 1]), np.eye(3)[[2, 0, 1]])
    np.testing.assert_array_equal(one_hot(np.array([[1], [0]]), 4), np.eye(4)[[1, 0]])
    np.testing.assert_array_equal(one_hot(np.array([1.0, 0.0])), np.eye(2)[[1, 0]])
    with pytest.raises(ValueError, match="label 3 does not fit n_classes=3"):
        one_hot([0, 3], 3)
    with pytest.raises(ValueError, match=">= 0"):
        one_hot([-1, 0])
    with pytest.raises(TypeError, match="integers"):
        one_hot([0.5, 1])
    with pytest.raises(ValueError, match="1-D"):
        one_hot(np.zeros((2, 2), dtype=int))


def test_accuracy():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.5, 0.4, 0.1]])
    labels = np.array([0, 1, 1, 0])
    assert accuracy(probs, labels) == 0.75
    assert accuracy(probs, one_hot(labels, 3)) == 0.75
    assert accuracy(probs, labels.reshape(-1, 1)) == 0.75
    from dp.node import Node
    assert accuracy(Node(np.log(probs)), labels) == 0.75  # logits work alike
    column = np.array([[0.9], [0.2], [0.6]])
    assert accuracy(column, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert accuracy(column - 0.5, np.array([1, 0, 1]), threshold=0) == 1.0
    with pytest.raises(ValueError, match="pred has shape"):
        accuracy(probs, labels[:3])
    with pytest.raises(ValueError, match="one-hot y has shape"):
        accuracy(probs, np.eye(4)[labels])


def test_minibatches_cover_one_epoch():
    x = np.arange(10.0).reshape(-1, 1)
    y = -x
    batches = list(minibatches(x, y, 4, rng=np.random.default_rng(0)))
    assert [len(bx) for bx, _ in batches] == [4, 4, 2]
    seen = np.concatenate([bx for bx, _ in batches])
    np.testing.assert_array_equal(np.sort(seen, axis=0), x)   # every example once
    assert not np.array_equal(seen, x)                        # in a shuffled order
    for bx, by in batches:
        np.testing.assert_array_equal(by, -bx)
    in_order = [bx for bx, _ in minibatches(x, y, 5, shuffle=False)]
    np.testing.assert_array_equal(np.concatenate(in_order), x)
    with pytest.raises(ValueError, match="x has 10 rows but y has 9"):
        minibatches(x, y[:9], 4)
    with pytest.raises(ValueError, match="batch_size"):
        minibatches(x, y, 0)
