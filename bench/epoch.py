"""One MNIST-size epoch (60,000 examples, batch 128) with the course's network.

The 784-500-200-10 Model of the MNIST assignment, trained by dp's SGD for as many
steps as one pass over 60,000 examples takes, which is what a lab run costs.
Synthetic data of MNIST's shape: the time does not depend on the pixel values,
and the benchmark must not need the data set.
"""

import math
import time

import numpy as np

from bench.mlp_step import MnistNetwork
from dp import SGD, seed


def run(dtype=np.float64, examples=60_000, batch_size=128):
    seed(0)
    rng = np.random.default_rng(1)
    x = rng.random((examples, 784)).astype(dtype)
    y = np.eye(10, dtype=dtype)[rng.integers(0, 10, examples)]
    optimizer = SGD(MnistNetwork(dtype), x, y, hyperparam={"alpha": 0.001}, batch_size=batch_size)
    steps = math.ceil(examples / batch_size)
    start = time.perf_counter()
    optimizer.train(steps=steps, print_each=None, progress=False)
    return {"dtype": np.dtype(dtype).name, "examples": examples, "steps": steps,
            "batch_size": batch_size, "seconds": time.perf_counter() - start}
