"""Losses: values and gradients against formulas written in autograd.numpy, stability, errors."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from dp import losses
from dp.node import Node

RNG = np.random.default_rng(11)
M, K = 7, 4


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def one_hot_rows(m, k):
    return np.eye(k)[RNG.integers(0, k, m)]


# Each oracle: the loss written directly from its formula, mean over the rows.
def oracle_cross_entropy(p, y):
    return -anp.sum(y * anp.log(p + 1e-12)) / p.shape[0]


def oracle_cross_entropy_with_logits(z, y):
    log_softmax = z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))
    return -anp.sum(y * log_softmax) / z.shape[0]


def oracle_mse(pred, y):
    return anp.sum((pred - y) ** 2) / pred.shape[0]


def oracle_binary_cross_entropy(p, y):
    return -anp.sum(y * anp.log(p + 1e-12) + (1 - y) * anp.log(1 - p + 1e-12)) / p.shape[0]


def oracle_binary_cross_entropy_with_logits(z, y):
    p = 1 / (1 + anp.exp(-z))
    return -anp.sum(y * anp.log(p) + (1 - y) * anp.log(1 - p)) / z.shape[0]


CASES = {  # loss: (oracle, prediction, target)
    "cross_entropy": (oracle_cross_entropy, softmax(RNG.normal(size=(M, K))),
                      one_hot_rows(M, K)),
    "cross_entropy_with_logits": (oracle_cross_entropy_with_logits,
                                  3 * RNG.normal(size=(M, K)), softmax(RNG.normal(size=(M, K)))),
    "mse": (oracle_mse, RNG.normal(size=(M, K)), RNG.normal(size=(M, K))),
    "binary_cross_entropy": (oracle_binary_cross_entropy, RNG.uniform(0.05, 0.95, (M, 2)),
                             RNG.integers(0, 2, (M, 2)).astype(float)),
    "binary_cross_entropy_with_logits": (oracle_binary_cross_entropy_with_logits,
                                         3 * RNG.normal(size=(M, 2)),
                                         RNG.uniform(0, 1, (M, 2))),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("target_as_node", [False, True])
def test_loss_value_and_gradient_match_autograd(name, target_as_node):
    oracle, pred, y = CASES[name]
    target = Node(y) if target_as_node else y
    loss = getattr(losses, name)(Node(pred, "pred"), target)
    assert loss.shape == (1, 1)
    assert loss.value[0, 0] == pytest.approx(oracle(pred, y), rel=1e-12)
    np.testing.assert_allclose(loss.grad(1)["pred"], autograd.grad(oracle)(pred, y),
                               rtol=1e-9, atol=1e-14)


def test_losses_are_means_over_the_examples():
    # Repeating every example leaves the loss unchanged.
    for name, (_, pred, y) in CASES.items():
        fn = getattr(losses, name)
        once = fn(Node(pred), y).value[0, 0]
        twice = fn(Node(np.vstack([pred, pred])), np.vstack([y, y])).value[0, 0]
        assert twice == pytest.approx(once, rel=1e-12), name


def test_cross_entropy_with_logits_is_stable_for_huge_logits():
    z = np.array([[1e4, -1e4, 0.0], [-5e3, 5e3, 4.9e3]])
    y = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    loss = losses.cross_entropy_with_logits(Node(z, "z"), y)
    # row 1: log_softmax(z)_1 = -2e4; row 2: log_softmax(z)_2 = -100 - log(1 + e^-100)
    assert loss.value[0, 0] == pytest.approx((2e4 + 100) / 2, rel=1e-12)
    np.testing.assert_allclose(loss.grad(1)["z"], (softmax(z) - y) / 2, atol=1e-15)


def test_cross_entropy_from_probabilities_survives_a_zero():
    p = np.array([[1.0, 0.0], [0.5, 0.5]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    loss = losses.cross_entropy(Node(p, "p"), y)
    assert loss.value[0, 0] == pytest.approx((-np.log(1e-12) - np.log(0.5 + 1e-12)) / 2)
    assert np.all(np.isfinite(loss.grad(1)["p"]))


def test_binary_cross_entropy_with_logits_is_stable_and_exact_at_zero():
    z = np.array([[-800.0], [-30.0], [0.0], [1e-3], [30.0], [800.0]])
    y = np.array([[1.0], [0.0], [1.0], [0.0], [1.0], [0.0]])
    loss = losses.binary_cross_entropy_with_logits(Node(z, "z"), y)
    # -log σ(z) = log(1 + e^-z) and -log(1 - σ(z)) = log(1 + e^z), from NumPy's logaddexp
    per_row = y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)
    assert loss.value[0, 0] == pytest.approx(per_row.mean(), rel=1e-12)
    sigma = np.exp(-np.logaddexp(0, -z))
    np.testing.assert_allclose(loss.grad(1)["z"], (sigma - y) / len(z), rtol=1e-12, atol=1e-16)


def test_a_vector_target_is_a_column():
    pred = RNG.normal(size=(M, 1))
    y = RNG.normal(size=M)
    assert losses.mse(Node(pred), y).value[0, 0] == pytest.approx(np.mean((pred[:, 0] - y) ** 2))


def test_float32_predictions_give_float32_losses():
    pred = Node(RNG.normal(size=(M, K)).astype(np.float32), "pred")
    for name in CASES:
        fn = getattr(losses, name)
        prediction = pred.sigmoid() if name.startswith("binary_cross_entropy") \
            and "logits" not in name else pred
        if name == "cross_entropy":
            prediction = pred.softmax()
        loss = fn(prediction, one_hot_rows(M, K))
        assert loss.dtype == np.float32, name
        assert loss.grad(1)["pred"].dtype == np.float32, name


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused(name):
    fn = getattr(losses, name)
    with pytest.raises(ValueError, match=r"y has shape \(7, 3\) but the prediction has "
                                         r"shape \(7, 4\)"):
        fn(Node(np.full((M, 4), 0.5)), np.zeros((M, 3)))
    with pytest.raises(ValueError, match="one_hot"):
        fn(Node(np.full((M, 4), 0.5)), np.zeros(M))
    with pytest.raises(TypeError, match="must be a Node"):
        fn(np.full((M, 4), 0.5), np.zeros((M, 4)))
    with pytest.raises(TypeError, match="numbers"):
        fn(Node(np.full((M, 4), 0.5)), np.full((M, 4), "a"))


def test_match_torch_functional():
    torch = pytest.importorskip("torch")
    f = torch.nn.functional
    z, labels = 3 * RNG.normal(size=(M, K)), RNG.integers(0, K, M)
    ours = losses.cross_entropy_with_logits(Node(z), np.eye(K)[labels]).value[0, 0]
    assert ours == pytest.approx(f.cross_entropy(torch.tensor(z), torch.tensor(labels)).item(),
                                 rel=1e-12)
    # PyTorch averages over all m·k entries; ours sums the k columns of each row.
    z, y = 3 * RNG.normal(size=(M, 2)), RNG.uniform(0, 1, (M, 2))
    ours = losses.binary_cross_entropy_with_logits(Node(z), y).value[0, 0]
    theirs = f.binary_cross_entropy_with_logits(torch.tensor(z), torch.tensor(y)).item()
    assert ours == pytest.approx(2 * theirs, rel=1e-12)
