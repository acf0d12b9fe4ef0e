"""dp.legacy holds the 2019 compatibility layer, and every published name reaches it.

The 2019 listings themselves run in test_legacy_api.py; here: the names, the hooks,
and that the teaching modules no longer carry the old code themselves.
"""

import numpy as np
import pytest

import dp
import dp.datasets
import dp.legacy
import dp.nn
from dp import Node
from dp.optim import Optimizer


def test_every_published_2019_name_is_dp_legacy_s():
    from dp import NeuralNode
    from dp.datasets import Mnist
    from dp.nn import nn

    assert NeuralNode is dp.legacy.NeuralNode is nn is dp.nn.NeuralNode
    assert Mnist is dp.legacy.Mnist is dp.datasets.Mnist
    assert NeuralNode.Model is dp.Model is nn.Model
    for name in ("_get_fullname", "_Linear_Layer", "_ReLu_Layer", "_Sigmoid_Layer",
                 "_Tanh_Layer"):
        assert getattr(dp.nn, name) is getattr(NeuralNode, name), name
    assert dp.nn._get_fullname("h1", "weight") == "h1_weight"
    with pytest.raises(AttributeError, match="no attribute 'NoSuchLayer'"):
        dp.nn.NoSuchLayer  # noqa: B018


def test_the_teaching_modules_do_not_define_the_2019_names_themselves():
    for name in ("NeuralNode", "nn", "_ReLu_Layer", "_get_fullname"):
        assert name not in vars(dp.nn), name
    assert "Mnist" not in vars(dp.datasets)
    assert "training" not in vars(dp.Model) and "dtype" not in vars(dp.Model)


def test_a_factory_fills_an_empty_param_dict_and_checks_a_given_one():
    dp.seed(0)
    param = {}
    forward_fn, returned = dp.legacy.NeuralNode._Tanh_Layer(2, 3, "t", param)
    assert returned is param and sorted(param) == ["t_bias", "t_weight"]
    x = np.array([[1.0, -2.0]])
    np.testing.assert_allclose(forward_fn(Node(x)).value,
                               np.tanh(x @ param["t_weight"] + param["t_bias"]))
    param["t_weight"] = np.zeros((2, 3))  # the layer reads the caller's dict
    np.testing.assert_allclose(forward_fn(Node(x)).value, np.tanh(param["t_bias"]))
    with pytest.raises(ValueError, match=r"param\['t_weight'\] has shape \(3, 2\), "
                                         r"expected \(2, 3\)"):
        dp.legacy.NeuralNode._Tanh_Layer(2, 3, "t", {"t_weight": np.ones((3, 2)),
                                                     "t_bias": np.ones((1, 3))})


def test_a_model_that_never_calls_super_init_still_works():
    class Forgetful(dp.Model):
        def __init__(self):  # no super().__init__(), as in the 2019 exercise
            self.h = self.Linear_Layer(2, 1, "h")

        def loss(self, x, y):
            return ((self.h(x) - y) ** 2).sum()

    model = Forgetful()
    assert model.training and model.dtype == np.float64
    grad, loss = model.get_grad(np.ones((3, 2)), np.zeros((3, 1)))
    assert set(grad) == {"h_weight", "h_bias"} and loss.shape == (1, 1)


class _Line(dp.Model):
    def __init__(self):
        super().__init__()
        self.h = self.Linear_Layer(1, 1, "h")

    def loss(self, x, y):
        return ((self.h(x) - y) ** 2).mean()


def test_an_optimizer_hook_under_its_2019_name_is_called_and_can_call_the_base():
    x, y = np.ones((4, 1)), np.ones((4, 1))

    class Halved(Optimizer):
        defaults = {"alpha": 0.5}

        def _set_param(self):  # the 2019 name; super() gives dp's default hook
            super()._set_param()
            self.alpha = self.alpha / 2

        def _update(self, param, grad, g, i):
            return param[g] - self.alpha * grad[g]

    assert Halved(_Line(), x, y, batch_size=4).alpha == 0.25
    assert Halved(_Line(), x, y, {"alpha": 0.1}, batch_size=4).alpha == 0.05
    # dp's own optimizers use the honest name, and answer to the old one too
    sgd = dp.SGD(_Line(), x, y, {"alpha": 0.3}, batch_size=4)
    sgd.alpha = None
    sgd._set_param()
    assert sgd.alpha == 0.3
