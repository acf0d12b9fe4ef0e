"""One MNIST-size epoch (60,000 examples, batch 128) with the course's network.

Synthetic data of MNIST's shape: the time does not depend on the pixel values,
and the benchmark must not need the data set.
"""

import time

import numpy as np

from bench.mlp_step import dp_node_step, make_problem


def run(dtype=np.float64, examples=60_000, batch_size=128):
    param, _, _ = make_problem(dtype, batch_size)
    rng = np.random.default_rng(1)
    x = rng.random((examples, 784)).astype(dtype)
    y = np.eye(10, dtype=dtype)[rng.integers(0, 10, examples)]
    order = rng.permutation(examples)
    start = time.perf_counter()
    for first in range(0, examples, batch_size):
        rows = order[first:first + batch_size]
        param, _ = dp_node_step(param, x[rows], y[rows])
    return {"dtype": np.dtype(dtype).name, "examples": examples,
            "batch_size": batch_size, "seconds": time.perf_counter() - start}
