"""Initializers (shapes, ranges, variances of their formulas) and the shared seeded generator."""

import numpy as np
import pytest

import dp.init
from dp.init import (bias_uniform, bias_zeros, get_bias_initializer, get_initializer,
                     he_normal, he_uniform, normal, xavier_normal, xavier_uniform, zeros)
from dp.nn import Model

FAN_IN, FAN_OUT = 400, 300

# initializer: (variance from its formula, bound of the support or None)
EXPECTED = {
    he_uniform: (2 / FAN_IN, np.sqrt(6 / FAN_IN)),
    he_normal: (2 / FAN_IN, None),
    xavier_uniform: (2 / (FAN_IN + FAN_OUT), np.sqrt(6 / (FAN_IN + FAN_OUT))),
    xavier_normal: (2 / (FAN_IN + FAN_OUT), None),
    normal(0.05): (0.05 ** 2, None),
}


@pytest.mark.parametrize("init", list(EXPECTED), ids=lambda f: f.__name__)
def test_weight_initializers_have_the_variance_of_their_formula(init):
    variance, bound = EXPECTED[init]
    w = init(FAN_IN, FAN_OUT, np.random.default_rng(0))
    assert w.shape == (FAN_IN, FAN_OUT) and w.dtype == np.float64
    # 120 000 draws: the sample variance is within 2% of the true one (> 5 sd)
    assert np.var(w) == pytest.approx(variance, rel=0.02)
    assert abs(np.mean(w)) < 5 * np.sqrt(variance / w.size)
    if bound is not None:
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.999 * bound


def test_zeros_and_bias_initializers():
    np.testing.assert_array_equal(zeros(3, 2, None), np.zeros((3, 2)))
    np.testing.assert_array_equal(bias_zeros(3, 2, None), np.zeros((1, 2)))
    b = bias_uniform(25, 10000, np.random.default_rng(1))
    assert b.shape == (1, 10000)
    assert np.abs(b).max() <= 1 / 5 and np.abs(b).max() > 0.999 / 5


def test_lookup_by_name_or_callable():
    assert get_initializer("he_uniform") is he_uniform
    assert get_initializer("glorot_normal") is xavier_normal
    assert get_bias_initializer("zeros") is bias_zeros

    def custom(fan_in, fan_out, rng):
        return np.ones((fan_in, fan_out))

    assert get_initializer(custom) is custom
    with pytest.raises(ValueError, match=r"unknown weight initializer 'xavier'.*xavier_uniform"):
        get_initializer("xavier")
    with pytest.raises(ValueError, match="unknown bias initializer"):
        get_bias_initializer(None)
    with pytest.raises(ValueError, match="std must be a positive number"):
        normal(0)


class Small(Model):
    def __init__(self):
        super().__init__()
        self.h = self.ReLu_Layer(5, 4, "h")
        self.o = self.Linear_Layer(4, 2, "o", init="xavier_normal")


def test_seed_makes_initialization_reproducible():
    dp.init.seed(123)
    first = Small().get_param()
    dp.init.seed(123)
    again = Small().get_param()
    dp.init.seed(124)
    other = Small().get_param()
    for name in first:
        np.testing.assert_array_equal(first[name], again[name])
        assert not np.array_equal(first[name], other[name])


def test_one_shared_generator():
    dp.init.seed(9)
    rng = dp.init.generator()
    assert isinstance(rng, np.random.Generator)
    assert dp.init.generator() is rng
    expected = np.random.default_rng(9).random(3)
    np.testing.assert_array_equal(rng.random(3), expected)
    # making a model draws from the shared generator and advances it
    dp.init.seed(9)
    Small()
    assert not np.array_equal(dp.init.generator().random(3), expected)
    dp.init.seed(10)
    assert dp.init.generator() is not rng
