"""The full training run of assignment 11: its ConvNet on all of MNIST, on one core.

    OPENBLAS_NUM_THREADS=1 DP_MNIST_VARIANT=fashion python -m bench.cnn_mnist   # or digits

The network, im2col, col2im, the pooling and the layer are the instructor's solution,
executed from ``source/11_convolutions/convolutions.ipynb`` itself (its setup cell and
its answer cells), so the number measured here is the notebook's, not a copy's. It is
trained with dp's Adam on all 60,000 training images (float32, batches of 64, a cosine
learning-rate schedule over the epochs) and tested once on the 10,000 test images. For
comparison, two dense networks get the same epochs: one with about as many parameters
(784-11-10) and the best dense network of the course (784-500-200-10, assignment 04).

Prints one table (markdown, as pasted into the notebook) and writes
``bench/results/cnn_mnist.json``. Times are CPU seconds of this process (one thread),
so a busy machine does not inflate them; the wall-clock time is printed as well.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import nbformat  # noqa: E402
import numpy as np  # noqa: E402

import dp  # noqa: E402
import dp.datasets  # noqa: E402
import dp.init  # noqa: E402
import dp.losses  # noqa: E402
from dp.utils import accuracy, one_hot  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "source" / "11_convolutions" / "convolutions.ipynb"
SOLUTION_CELLS = ("setup", "output-size", "im2col", "col2im", "im2col-node", "conv2d", "max-pool",
                  "convnet")


def solution_namespace(path: Path = NOTEBOOK) -> dict:
    """The notebook's setup and answer cells (with solutions), run in a fresh namespace."""
    nb = nbformat.read(path, as_version=4)
    cells = {cell.get("id"): cell.source for cell in nb.cells if cell.cell_type == "code"}
    missing = [cid for cid in SOLUTION_CELLS if cid not in cells]
    if missing:
        raise SystemExit(f"{path}: no code cell with id {', '.join(missing)}")
    namespace: dict = {"__name__": "convolutions"}
    for cid in SOLUTION_CELLS:
        exec(compile(cells[cid], f"{path.name}:{cid}", "exec"), namespace)  # noqa: S102
    return namespace


class Dense(dp.Model):
    """784 - hidden ReLU layers - 10 logits."""

    def __init__(self, sizes, seed=0, dtype=np.float32):
        super().__init__(dtype)
        dp.init.seed(seed)
        self.hidden = [self.ReLu_Layer(a, b, f"h{i}") for i, (a, b) in
                       enumerate(zip(sizes[:-2], sizes[1:-1]))]
        self.out = self.Linear_Layer(sizes[-2], sizes[-1], "out")

    def forward(self, x):
        for layer in self.hidden:
            x = layer(x)
        return self.out(x)

    def loss(self, x, y):
        return dp.losses.cross_entropy_with_logits(self.forward(x), y)


def test_accuracy(model, x, labels, batch=1000):
    model.eval_mode()
    logits = np.concatenate([model.forward(dp.Node(x[i:i + batch])).value
                             for i in range(0, len(x), batch)])
    return accuracy(logits, labels)


def train(model, x, y, epochs, batch_size, alpha):
    """Adam, ``epochs`` passes of random mini-batches, cosine schedule per epoch."""
    dp.init.seed(1)
    optimizer = dp.Adam(model, x, y, hyperparam={"alpha": alpha}, batch_size=batch_size)
    steps = len(x) // batch_size
    cpu, wall = time.process_time(), time.perf_counter()
    for epoch in range(epochs):
        optimizer.alpha = alpha * 0.5 * (1 + math.cos(math.pi * epoch / epochs))
        optimizer.train(steps, print_each=0, progress=False)
    return steps * epochs, time.process_time() - cpu, time.perf_counter() - wall


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--alpha", type=float, default=0.002)
    parser.add_argument("--variant", default=None, help="digits or fashion (default: "
                        "$DP_MNIST_VARIANT, else digits)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "cnn_mnist.json")
    args = parser.parse_args(argv)

    variant = dp.datasets.resolve_variant(args.variant)
    x_train, labels_train, x_test, labels_test = dp.datasets.load_mnist(variant)
    x_train, x_test = x_train.astype(np.float32), x_test.astype(np.float32)
    y_train = one_hot(labels_train, 10).astype(np.float32)
    ns = solution_namespace()

    models = {"ConvNet (assignment 11)": lambda: ns["ConvNet"](seed=0, dtype=np.float32),
              "dense 784-11-10 (same size)": lambda: Dense([784, 11, 10]),
              "dense 784-500-200-10 (assignment 04)": lambda: Dense([784, 500, 200, 10])}
    rows = []
    for name, make in models.items():
        model = make()
        n_params = int(sum(v.size for v in model.get_param().values()))
        steps, cpu, wall = train(model, x_train, y_train, args.epochs, args.batch_size, args.alpha)
        acc = test_accuracy(model, x_test, labels_test)
        rows.append({"model": name, "parameters": n_params, "epochs": args.epochs, "steps": steps,
                     "train_cpu_seconds": round(cpu, 1), "train_wall_seconds": round(wall, 1),
                     "test_accuracy": acc})
        print(f"{name}: {n_params} parameters, {steps} steps, {cpu:.0f} s CPU "
              f"({wall:.0f} s wall), test accuracy {acc:.2%}", flush=True)

    print(f"\n{dp.datasets.TITLES[variant]}, {args.epochs} epochs of Adam (alpha {args.alpha}, "
          f"cosine schedule, batches of {args.batch_size}), float32, one thread:\n")
    print("| network | parameters | training time (one core) | test accuracy |")
    print("|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['model']} | {r['parameters']:,} | {r['train_cpu_seconds']:.0f} s | "
              f"{r['test_accuracy']:.2%} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "variant": variant, "batch_size": args.batch_size, "alpha": args.alpha,
        "machine": f"{platform.machine()}, Python {platform.python_version()}, "
                   f"NumPy {np.__version__}", "results": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
