"""dp.gradcheck: finite differences against derivatives worked out by hand, and
gradcheck's verdict on correct ops (error ~0) and on deliberately wrong ones.
"""

import numpy as np
import pytest

from dp.gradcheck import gradcheck, numerical_gradient, relative_error, verdict
from dp.node import Node

rng = np.random.default_rng(0)  # for the module's fixed inputs only, drawn at import


# -- numerical_gradient on plain NumPy functions, against calculus ---------------------

M = np.array([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0], [1.5, 0.25, -2.0]])


@pytest.mark.parametrize("f, gradient", [
    (lambda x: np.sum(x ** 3), lambda x: 3 * x ** 2),
    (lambda x: np.sum(np.sin(x)), np.cos),
    (lambda x: x @ M @ x, lambda x: (M + M.T) @ x),               # a quadratic form
    (lambda x: np.log(np.sum(np.exp(x))),                          # log-sum-exp
     lambda x: np.exp(x) / np.sum(np.exp(x))),                     # -> softmax
], ids=["cube", "sin", "quadratic-form", "logsumexp"])
def test_numerical_gradient_matches_calculus(f, gradient):
    x = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(numerical_gradient(f, x.copy()), gradient(x),
                               rtol=1e-7, atol=1e-8)


def test_numerical_gradient_of_a_matrix_argument_has_its_shape():
    W = np.random.default_rng(1).normal(size=(3, 2))
    g = numerical_gradient(lambda W: np.sum(W ** 2), W)
    assert g.shape == (3, 2)
    np.testing.assert_allclose(g, 2 * W, rtol=1e-7)


def test_numerical_gradient_leaves_x_alone_and_accepts_integers():
    x = np.array([[1, 2], [3, 4]])
    before = x.copy()
    # f = x10 * x01:  df/dx10 = x01 = 2,  df/dx01 = x10 = 3, the rest 0.
    g = numerical_gradient(lambda v: v[1, 0] * v[0, 1], x)
    np.testing.assert_allclose(g, [[0, 3], [2, 0]], atol=1e-8)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(numerical_gradient(lambda v: v @ v, [1.0, -2.0]), [2, -4])


@pytest.mark.parametrize("x", ["1, 2", np.array([1 + 2j]), Node(1.0)],
                         ids=["string", "complex", "node"])
def test_numerical_gradient_rejects_x_that_is_not_real_numbers(x):
    with pytest.raises(TypeError, match="array of real numbers"):
        numerical_gradient(np.sum, x)


def test_numerical_gradient_needs_a_scalar_function():
    with pytest.raises(ValueError, match="single number"):
        numerical_gradient(lambda x: 2 * x, np.ones(3))


def test_relative_error_formula():
    np.testing.assert_allclose(relative_error([1.0, 0.0, -2.0], [3.0, 0.0, 2.0]),
                               [2 / 4, 0.0, 1.0])


# -- gradcheck on correct ops: error ~ 0 -------------------------------------------------

X = rng.normal(size=(4, 3))
LABELS = np.array([0, 2, 1, 2])
POSITIVE = rng.uniform(0.5, 2.0, size=(4, 3))


def cross_entropy(logits):
    return -logits.log_softmax()[np.arange(len(LABELS)), LABELS].mean()


CORRECT = {
    "paper-example": (lambda A, B: (A * B).exp().sum(),
                      {"A": [[1, 1, 1], [2, 2, 2]], "B": [[1, 2, 3]]}),
    "dot-tanh": (lambda W, b: (Node(X).dot(W) + b).tanh().sum(),
                 {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=(1, 2))}),
    "div-log-sqrt": (lambda P, Q: (P / Q).log().sum() + (P * Q).sqrt().mean(),
                     {"P": POSITIVE, "Q": POSITIVE[::-1].copy()}),
    "pow-sigmoid-T": (lambda P: (P ** 3).sigmoid().T.dot(P).sum(), {"P": POSITIVE}),
    "slices-concat": (lambda A: A[1:, :2].concatenate(A[:2, 1:], axis=0).square().sum(),
                      {"A": X}),
    "softmax-mean": (lambda Z: (Z.softmax() * Node(X)).mean(axis=0).sum(), {"Z": X}),
}


@pytest.mark.parametrize("name", CORRECT)
def test_gradcheck_passes_correct_ops(name):
    f, params = CORRECT[name]
    errors = gradcheck(f, params)
    assert set(errors) == set(params)
    for param, error in errors.items():
        assert error < 1e-6, f"{name}: {param} has relative error {error:.2e}"


def test_gradcheck_passes_a_small_network():
    """Two layers, ReLU and softmax cross-entropy: the pieces of a classifier."""
    rng = np.random.default_rng(2)  # its own draws: the result must not depend on test order
    params = {"h1_weight": rng.normal(size=(3, 5)), "h1_bias": rng.normal(size=(1, 5)),
              "h2_weight": rng.normal(size=(5, 3)), "h2_bias": rng.normal(size=(1, 3))}
    x = Node(X)

    def loss(h1_weight, h1_bias, h2_weight, h2_bias):
        hidden = (x.dot(h1_weight) + h1_bias).relu()
        return cross_entropy(hidden.dot(h2_weight) + h2_bias)

    # Far from the ReLU's kink: no pre-activation within eps of 0.
    assert np.abs(X @ params["h1_weight"] + params["h1_bias"]).min() > 1e-4
    errors = gradcheck(loss, params)
    assert max(errors.values()) < 1e-6, errors


def test_gradcheck_checks_in_float64_and_leaves_params_alone():
    W32 = np.random.default_rng(3).normal(size=(3, 2)).astype(np.float32)
    before = W32.copy()
    errors = gradcheck(lambda W: (Node(X).dot(W)).tanh().sum(), {"W": W32})
    assert errors["W"] < 1e-6  # float32 would give errors of ~1e-2 with eps = 1e-6
    np.testing.assert_array_equal(W32, before)


def test_gradcheck_accepts_any_names_through_keyword_arguments():
    errors = gradcheck(lambda **p: (p["layer.1"] * 3.0).sum(), {"layer.1": np.ones((2, 2))})
    assert errors["layer.1"] < 1e-6


def test_parameter_that_f_does_not_use_has_zero_error():
    errors = gradcheck(lambda a, unused: (a * a).sum(), {"a": X, "unused": X})
    assert errors["unused"] == 0.0


# -- gradcheck on wrong ops: error large ----------------------------------------------------


def wrong_square(x):
    """x² with the local gradient G * x: the factor 2 is missing."""
    a = x.value
    return Node._from_op("square", a * a, (x, lambda g: g * a))


def wrong_sign_exp(x):
    """exp(x) with the local gradient -G * exp(x)."""
    out = np.exp(x.value)
    return Node._from_op("exp", out, (x, lambda g: -g * out))


def test_gradcheck_flags_a_missing_factor_and_only_that_parameter():
    errors = gradcheck(lambda a, b: wrong_square(a).sum() + (b * b).sum(),
                       {"a": POSITIVE, "b": POSITIVE})
    # analytic a, numerical 2a: |a - 2a| / (|a| + |2a|) = 1/3 for every entry.
    assert errors["a"] == pytest.approx(1 / 3, rel=1e-6)
    assert errors["b"] < 1e-6


def test_gradcheck_flags_a_wrong_sign():
    errors = gradcheck(lambda a: wrong_sign_exp(a).sum(), {"a": X})
    assert errors["a"] == pytest.approx(1.0)  # opposite signs: |-e - e| / 2e
    assert verdict(errors["a"]) == "wrong"


def test_kink_within_eps_gives_a_large_error_that_is_not_a_bug():
    # |x| at x = 1e-7: slope 1, but the central difference straddles the kink:
    # (|1.1e-6| - |-0.9e-6|) / 2e-6 = 0.1, so the error is 0.9 / 1.1.
    errors = gradcheck(lambda x: x.abs().sum(), {"x": [[1e-7]]}, eps=1e-6)
    assert errors["x"] == pytest.approx(0.9 / 1.1, rel=1e-6)
    assert gradcheck(lambda x: x.abs().sum(), {"x": [[0.5]]})["x"] < 1e-6


def test_verbose_prints_one_row_per_parameter_with_a_verdict(capsys):
    gradcheck(lambda a, b: wrong_square(a).sum() + (b * b).sum(),
              {"a": POSITIVE, "b": POSITIVE}, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[1].startswith("a") and lines[1].endswith("wrong")
    assert lines[2].startswith("b") and lines[2].endswith("good")


@pytest.mark.parametrize("error, expected", [
    (1e-9, "good"), (1e-5, "acceptable"), (1e-3, "suspicious"), (0.5, "wrong")])
def test_verdicts_follow_the_rules_of_thumb(error, expected):
    assert verdict(error) == expected


# -- bad input: clear errors ------------------------------------------------------------------


def test_random_f_is_rejected_as_not_deterministic():
    noise = np.random.default_rng(1)

    def dropout_on(a):
        mask = Node((noise.uniform(size=a.shape) > 0.5).astype(float))
        return (a * mask).sum()

    with pytest.raises(ValueError, match="deterministic"):
        gradcheck(dropout_on, {"a": X})


@pytest.mark.parametrize("f, params, error, message", [
    (lambda a: a * 2.0, {"a": X}, TypeError, r"1x1 Node.*shape \(4, 3\)"),
    (lambda a: 3.0, {"a": X}, TypeError, "1x1 Node"),
    (lambda a: a.sum(), [X], TypeError, "dict"),
    (lambda a: a.sum(), {}, TypeError, "non-empty dict"),
    ("a.sum()", {"a": X}, TypeError, "function"),
    (lambda a: a.sum(), {"a": X}, ValueError, "eps"),
    (lambda a: a.log().sum(), {"a": -POSITIVE}, ValueError, "finite"),
], ids=["not-1x1", "not-a-node", "params-list", "params-empty", "f-string", "eps",
        "nan"])
def test_bad_input_gets_a_clear_error(f, params, error, message):
    eps = -1.0 if message == "eps" else 1e-6
    with pytest.raises(error, match=message), np.errstate(invalid="ignore"):
        gradcheck(f, params, eps=eps)
