"""dp's benchmarks: `make bench` (or `python -m bench`), `--quick` for a smoke run.

Prints tables and writes JSON (default bench/results/latest.json). Timings are
medians over interleaved rounds in one process; each variant is reported as a
ratio to hand-written NumPy of the same dtype, so the numbers travel between
machines better than milliseconds do.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

# One thread per library unless the caller says otherwise, set before NumPy
# loads its BLAS: on a small machine the thread pools of NumPy and PyTorch,
# spinning after each step, slow down whichever variant runs next, and the
# ratios turn into noise. One thread each gives repeatable, comparable numbers.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

from bench import epoch, graph_scaling, mlp_step  # noqa: E402


def machine():
    return {"python": platform.python_version(), "numpy": np.__version__,
            "processor": platform.processor() or platform.machine(),
            "cores": os.cpu_count(), "system": platform.platform(),
            "blas_threads": os.environ["OPENBLAS_NUM_THREADS"]}


def check_agreement(steps, dtype):
    """Every variant must compute the same update as hand-written NumPy."""
    param, x, y = mlp_step.make_problem(dtype)
    reference, reference_loss = mlp_step.numpy_step(param, x, y)
    tolerance = 1e-3 if dtype == np.float32 else 1e-9
    for name, step, _ in steps:
        new, loss = step(param, x, y)
        if not np.isclose(loss, reference_loss, rtol=tolerance):
            raise AssertionError(f"{name}: loss {loss} != numpy's {reference_loss}")
        for key, value in reference.items():
            if new[key].dtype != value.dtype:
                raise AssertionError(f"{name}: {key} became {new[key].dtype}, "
                                     f"expected {value.dtype}")
            np.testing.assert_allclose(new[key], value, rtol=tolerance, atol=tolerance,
                                       err_msg=f"{name}: {key} differs from numpy's update")


def bench_mlp(rounds):
    rows = []
    for dtype in (np.float32, np.float64):
        steps = mlp_step.variants(dtype)
        runnable = [(n, s, note) for n, s, note in steps if s is not None]
        check_agreement(runnable, dtype)
        param, x, y = mlp_step.make_problem(dtype)
        times = {name: [] for name, _, _ in runnable}
        order = np.random.default_rng(0)
        for _ in range(rounds):
            # Interleaved, in a new order each round: changes in load, and the
            # threads a library leaves spinning after its step, hit every variant alike.
            for k in order.permutation(len(runnable)):
                name, step, _ = runnable[k]
                start = time.perf_counter()
                step(param, x, y)
                times[name].append(time.perf_counter() - start)
        baseline = statistics.median(times["numpy (hand-written)"])
        for name, step, note in steps:
            if step is None:
                rows.append({"dtype": np.dtype(dtype).name, "variant": name, "note": note})
                continue
            median = statistics.median(times[name])
            rows.append({"dtype": np.dtype(dtype).name, "variant": name,
                         "median_ms": median * 1e3, "vs_numpy": median / baseline})
    return rows


def print_mlp(rows):
    print("\nOne training step, MLP 784-500-200-10, batch 128 (median)")
    print(f"{'dtype':8} {'variant':22} {'ms':>8} {'x numpy':>8}")
    for row in rows:
        if "note" in row:
            print(f"{row['dtype']:8} {row['variant']:22} {row['note']}")
        else:
            print(f"{row['dtype']:8} {row['variant']:22} {row['median_ms']:8.2f} "
                  f"{row['vs_numpy']:8.2f}")
    torch32 = [r for r in rows if r["variant"] == "PyTorch eager" and r["dtype"] == "float32"
               and "median_ms" in r]
    dp32 = [r for r in rows if r["variant"] == "dp Node API" and r["dtype"] == "float32"]
    if torch32:
        ratio = dp32[0]["median_ms"] / torch32[0]["median_ms"]
        print(f"dp Node API / PyTorch (float32): {ratio:.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks that it runs")
    parser.add_argument("--json", default="bench/results/latest.json",
                        help="where to write results")
    args = parser.parse_args(argv)

    if args.quick:
        rounds, chains, depths = 3, [1_000, 10_000], [10, 20]
        per_node_n, epoch_examples = 1_000, 1_280
    else:
        rounds, chains, depths, per_node_n, epoch_examples = (
            60, [1_000, 10_000, 100_000, 1_000_000], [10, 20, 40, 60], 100_000, 60_000)

    results = {"machine": machine(), "quick": args.quick}
    results["mlp_step"] = bench_mlp(rounds)
    print_mlp(results["mlp_step"])
    results["graph_scaling"] = graph_scaling.run(chains, depths)
    results["bytes_per_node"] = graph_scaling.bytes_per_node(per_node_n)
    graph_scaling.print_scaling(results["graph_scaling"], results["bytes_per_node"])
    results["epoch"] = [epoch.run(np.float32, epoch_examples),
                        epoch.run(np.float64, epoch_examples)]
    print(f"\nOne epoch of {epoch_examples} examples, batch 128, dp Model + SGD.train:")
    for row in results["epoch"]:
        print(f"  {row['dtype']}: {row['seconds']:.1f} s")

    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
