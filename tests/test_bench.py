"""The benchmarks keep working (a smoke run at tiny sizes; timings are not tested)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_runs_and_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    run = subprocess.run([sys.executable, "-m", "bench", "--quick", "--json", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads(out.read_text())
    variants = {(r["dtype"], r["variant"]) for r in results["mlp_step"]}
    for dtype in ("float32", "float64"):
        assert (dtype, "numpy (hand-written)") in variants
        assert (dtype, "dp Node API") in variants
    timed = [r for r in results["mlp_step"] if "median_ms" in r]
    assert all(r["median_ms"] > 0 for r in timed)
    assert {r["graph"] for r in results["graph_scaling"]} == {"chain", "reuse"}
    assert results["bytes_per_node"] > 0
    assert "One training step" in run.stdout


def test_variants_agree_with_hand_written_numpy():
    """A variant that computed a different update would make its timing meaningless."""
    import numpy as np
    from bench import mlp_step
    from bench.__main__ import check_agreement

    for dtype in (np.float32, np.float64):
        check_agreement([v for v in mlp_step.variants(dtype) if v[1] is not None], dtype)

    def wrong_step(param, x, y):  # forgets the bias gradient
        new, loss = mlp_step.numpy_step(param, x, y)
        new["h3_bias"] = param["h3_bias"]
        return new, loss

    import pytest
    with pytest.raises(AssertionError, match="h3_bias"):
        check_agreement([("wrong", wrong_step, "")], np.float64)


def test_cnn_mnist_trains_the_notebooks_own_solution():
    """bench.cnn_mnist runs the solution cells of source/11_convolutions (not a copy)."""
    import numpy as np
    from bench import cnn_mnist

    ns = cnn_mnist.solution_namespace()
    net = ns["ConvNet"](seed=0, dtype=np.float32)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (16, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 16)]
    steps, cpu, wall = cnn_mnist.train(net, x, y, epochs=2, batch_size=8, alpha=0.002)
    assert steps == 4 and cpu >= 0 and wall > 0
    assert 0 <= cnn_mnist.test_accuracy(net, x, rng.integers(0, 10, 16), batch=8) <= 1
