"""The high-level names are available from the top level: `import dp` is enough for a notebook."""

import numpy as np

import dp
from dp import (SGD, Adam, Model, NeuralNode, Node, Optimizer, RMS_Prop, SGD_Momentum, init,
                losses, optim, seed, utils)


def test_top_level_names_are_the_submodules_objects():
    import dp.init
    import dp.nn
    import dp.optim

    assert Model is dp.nn.Model and NeuralNode is dp.nn.NeuralNode
    assert (Optimizer, SGD, SGD_Momentum, RMS_Prop, Adam) == (
        dp.optim.Optimizer, dp.optim.SGD, dp.optim.SGD_Momentum, dp.optim.RMS_Prop,
        dp.optim.Adam)
    assert seed is dp.init.seed and init is dp.init and optim is dp.optim
    assert callable(losses.cross_entropy_with_logits) and callable(utils.one_hot)
    for name in ("Model", "NeuralNode", "Optimizer", "SGD", "SGD_Momentum", "RMS_Prop",
                 "Adam", "seed", "init", "losses", "optim", "utils"):
        assert name in dp.__all__, name


def test_a_notebook_with_only_import_dp(monkeypatch):
    monkeypatch.setenv("DP_PROGRESS", "0")
    dp.seed(0)

    class Net(dp.Model):
        def __init__(self):
            super().__init__()
            self.h = self.ReLu_Layer(2, 8, "h")
            self.out = self.Linear_Layer(8, 2, "out")

        def forward(self, x):
            return self.out(self.h(x))

        def loss(self, x, y):
            return dp.losses.cross_entropy_with_logits(self.forward(x), y)

    x = np.random.default_rng(0).normal(size=(20, 2))
    labels = (x[:, 0] > 0).astype(int)
    net = Net()
    loss = dp.Adam(net, x, dp.utils.one_hot(labels, 2), {"alpha": 0.05}, batch_size=20).train(
        100, print_each=None)
    assert loss < 0.3
    net.eval_mode()
    assert dp.utils.accuracy(net.forward(Node(x)), labels) >= 0.9
