"""One way to check arguments (dp._checks), and the messages users see from it;
TrainingDiverged, the error of a run whose loss stopped being a number."""

import math

import numpy as np
import pytest

import dp
from dp import _checks
from dp.optim import TrainingDiverged


@pytest.mark.parametrize("value, kwargs, message", [
    (0, {}, "train: steps must be a positive integer, got 0"),
    (True, {}, "train: steps must be a positive integer, got True"),
    (2.0, {}, "train: steps must be a positive integer, got 2.0"),
    ("3", {}, "train: steps must be a positive integer, got '3'"),
    (-1, {"low": 0}, "train: steps must be a non-negative integer, got -1"),
    (None, {"low": 0}, "train: steps must be a non-negative integer, got None"),
    (-1, {"low": 0, "allow_none": True},
     "train: steps must be a non-negative integer or None, got -1"),
    (11, {"high": 10}, "train: steps must be an integer from 1 to 10, got 11"),
    (0, {"expected": "a window length"}, "train: steps must be a window length, got 0"),
])
def test_integer_says_what_was_expected_and_what_came(value, kwargs, message):
    with pytest.raises(ValueError) as info:
        _checks.integer("train: steps", value, **kwargs)
    assert str(info.value) == message


def test_integer_returns_a_python_int_and_allows_none_only_when_asked():
    assert _checks.integer("n", np.int64(3)) == 3 and type(_checks.integer("n", np.int64(3))) is int
    assert _checks.integer("n", None, allow_none=True) is None
    assert _checks.integer("n", 0, low=0) == 0


@pytest.mark.parametrize("value", [math.nan, math.inf, True, "0.5", None, 1.0, -0.1])
def test_real_refuses_non_numbers_non_finite_numbers_and_numbers_outside(value):
    with pytest.raises(ValueError) as info:
        _checks.real("rate", value, lambda v: 0 <= v < 1, "in [0, 1)")
    assert str(info.value) == f"rate must be in [0, 1), got {value!r}"


def test_real_and_one_of_return_what_they_accept():
    assert _checks.real("rate", 0, lambda v: 0 <= v < 1, "in [0, 1)") == 0.0
    assert _checks.one_of("variant", "fashion", ("digits", "fashion")) == "fashion"
    with pytest.raises(ValueError) as info:
        _checks.one_of("variant", "letters", ("digits", "fashion"), hint=" or None")
    assert str(info.value) == ("variant='letters' is not known; expected one of "
                               "('digits', 'fashion') or None")


class _Line(dp.Model):
    def __init__(self):
        super().__init__()
        self.h = self.Linear_Layer(1, 1, "h")

    def loss(self, x, y):
        return ((self.h(x) - y) ** 2).mean()


@pytest.mark.parametrize("call, message", [
    (lambda: dp.utils.one_hot([0, 1], n_classes=True),
     "one_hot: n_classes must be a positive integer, got True"),
    (lambda: dp.utils.minibatches(np.ones(3), np.ones(3), 0),
     "minibatches: batch_size must be a positive integer, got 0"),
    (lambda: dp.nn.Dense(True, 2, "h"),
     "layer 'h': fan_in (number of inputs) must be a positive integer, got True"),
    (lambda: dp.nn.Dropout(math.nan, "d"),
     "Dropout 'd': rate (the probability of dropping a unit) must be in [0, 1), got nan"),
    (lambda: dp.nn.BatchNorm(3, "bn", momentum=True),
     "BatchNorm 'bn': momentum must be in (0, 1], got True"),
    (lambda: dp.SGD(_Line(), np.ones((4, 1)), np.ones((4, 1)), batch_size=5),
     "SGD: batch_size must be an integer from 1 to the number of examples (4), got 5"),
    (lambda: dp.Adam(_Line(), np.ones((4, 1)), np.ones((4, 1)), {"beta1": 1.0}, batch_size=4),
     "Adam: hyperparameter 'beta1' must be in [0, 1), got 1.0"),
    (lambda: dp.SGD(_Line(), np.ones((4, 1)), np.ones((4, 1)), batch_size=4).train(
        10, print_each=-1),
     "train: print_each must be a non-negative integer or None, got -1"),
])
def test_users_see_one_kind_of_message_from_every_module(call, message):
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message


def test_a_diverging_run_raises_training_diverged_with_its_history():
    dp.seed(0)
    model = _Line()
    x = np.linspace(-1, 1, 8).reshape(-1, 1) * 1e3
    optimizer = dp.SGD(model, x, 2 * x, {"alpha": 10.0}, batch_size=8)
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged) as info:
        optimizer.train(100, print_each=None, progress=False)
    error = info.value
    assert isinstance(error, FloatingPointError)  # what code written before catches
    assert error.step == optimizer.step + 1 >= 2
    assert len(error.loss_hist) == optimizer.step and all(map(math.isfinite, error.loss_hist))
    assert str(error).startswith(f"training diverged at step {error.step}: the loss is ")
    assert "smaller learning rate than alpha=10.0" in str(error)
    # nothing of the diverged step was applied: the model has the last finite parameters
    assert all(np.all(np.isfinite(value)) for value in model.get_param().values())
    with np.errstate(all="ignore"):
        assert not math.isfinite(model.loss(x, 2 * x).value.item())
