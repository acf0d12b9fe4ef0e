"""One training step of a 784-500-200-10 MLP (ReLU, softmax cross-entropy, SGD).

Every variant computes the same thing from the same parameters and batch:
forward pass, loss, gradients of all six parameters, and the SGD update.
Hand-written NumPy backprop is the floor for any NumPy library; dp is measured
through its low-level Node API and through Model; PyTorch CPU eager when installed.
"""

import numpy as np

from dp import Model, Node

SIZES = (784, 500, 200, 10)
LEARNING_RATE = 0.001
NAMES = [f"h{i}_{kind}" for i in (1, 2, 3) for kind in ("weight", "bias")]


def make_problem(dtype, batch_size=128, seed=0):
    """Parameters (He-uniform), a batch of inputs and one-hot labels."""
    rng = np.random.default_rng(seed)
    param = {}
    for i, (fan_in, fan_out) in enumerate(zip(SIZES[:-1], SIZES[1:]), start=1):
        bound = np.sqrt(6 / fan_in)
        param[f"h{i}_weight"] = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype)
        param[f"h{i}_bias"] = np.zeros((1, fan_out), dtype=dtype)
    x = rng.random((batch_size, SIZES[0])).astype(dtype)
    y = np.eye(SIZES[-1], dtype=dtype)[rng.integers(0, SIZES[-1], batch_size)]
    return param, x, y


def numpy_step(param, x, y):
    """Backpropagation written out by hand, with softmax and cross-entropy fused."""
    W1, b1, W2, b2, W3, b3 = (param[name] for name in NAMES)
    lr = x.dtype.type(LEARNING_RATE)
    z1 = x @ W1 + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ W2 + b2
    a2 = np.maximum(z2, 0)
    z3 = a2 @ W3 + b3
    e = np.exp(z3 - z3.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -(y * np.log(p)).sum()
    d3 = p - y
    d2 = (d3 @ W3.T) * (z2 > 0)
    d1 = (d2 @ W2.T) * (z1 > 0)
    grad = {"h1_weight": x.T @ d1, "h1_bias": d1.sum(axis=0, keepdims=True),
            "h2_weight": a1.T @ d2, "h2_bias": d2.sum(axis=0, keepdims=True),
            "h3_weight": a2.T @ d3, "h3_bias": d3.sum(axis=0, keepdims=True)}
    return {name: param[name] - lr * grad[name] for name in NAMES}, float(loss)


def dp_node_step(param, x, y):
    """The same network written with dp's Node API, as a student would."""
    h = Node(x)
    for i in (1, 2, 3):
        weight = Node(param[f"h{i}_weight"], f"h{i}_weight")
        h = h.dot(weight) + Node(param[f"h{i}_bias"], f"h{i}_bias")
        if i < 3:
            h = h.relu()
    loss = (-1 * (Node(y) * h.softmax().log())).sum()
    grad = loss.grad(1)
    new_param = {name: param[name] - LEARNING_RATE * grad[name] for name in NAMES}
    return new_param, float(loss.value[0, 0])


class MnistNetwork(Model):
    """The MNIST assignment's network, in the published 2019 style."""

    def __init__(self, dtype=np.float64):
        super().__init__(dtype=dtype)
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


def make_dp_model_step(dtype):
    """The Model with the published get_grad / set_param loop."""
    net = MnistNetwork(dtype)

    def dp_model_step(param, x, y):
        net.set_param(param)
        grad, loss = net.get_grad(x, y)
        current = net.get_param()
        new = {name: current[name] - LEARNING_RATE * grad[name] for name in current}
        return new, float(loss.value[0, 0])

    return dp_model_step


def make_torch_step():
    """PyTorch CPU eager: autograd plus torch.optim.SGD-equivalent update."""
    import os

    import torch

    # As many threads as NumPy's BLAS was given (bench/__main__ sets it).
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", torch.get_num_threads())))

    def torch_step(param, x, y):
        tensors = {name: torch.from_numpy(value).requires_grad_() for name, value in param.items()}
        h = torch.from_numpy(x)
        for i in (1, 2, 3):
            h = h @ tensors[f"h{i}_weight"] + tensors[f"h{i}_bias"]
            if i < 3:
                h = torch.relu(h)
        loss = -(torch.from_numpy(y) * torch.log_softmax(h, dim=1)).sum()
        loss.backward()
        with torch.no_grad():
            new = {name: (t - LEARNING_RATE * t.grad).numpy() for name, t in tensors.items()}
        return new, float(loss.detach())

    return torch_step


def variants(dtype):
    """(name, step function or None, note) for every variant this machine can run."""
    found = [("numpy (hand-written)", numpy_step, ""), ("dp Node API", dp_node_step, "")]
    found.append(("dp Model", make_dp_model_step(dtype), ""))
    try:
        found.append(("PyTorch eager", make_torch_step(), ""))
    except ImportError:
        found.append(("PyTorch eager", None, "skipped: torch not installed "
                      "(pip install torch==2.13.0)"))
    return found
