"""How dp's cost grows with the graph: long chains and heavy reuse.

chain(N):  x -> x + 1 -> ... (N operations on 1x1 nodes); d out / d x = 1.
reuse(K):  x_{k+1} = x_k + x_k, K times; every node is used twice, so there are
           2^K paths from x to the output, but only K + 1 nodes: backward must
           visit each node once, not each path. d out / d x = 2^K.
"""

import gc
import os
import time
import tracemalloc

from dp import Node


def build_chain(n):
    x = Node(0.5, "x")
    out = x
    for _ in range(n):
        out = out + 1.0
    return out


def build_reuse(depth):
    x = Node(1.0, "x")
    out = x
    for _ in range(depth):
        out = out + out
    return out


def time_build_and_backward(build, size, expected_grad):
    """Wall-clock and CPU seconds of building and of differentiating one graph.

    CPU time is this process's own: on a machine shared with other work the wall
    clock also counts the waiting, the CPU time much less of it.
    """
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    out = build(size)
    built, built_cpu = time.perf_counter(), time.process_time()
    grad = out.grad(1)["x"][0, 0]
    done, done_cpu = time.perf_counter(), time.process_time()
    if abs(grad - expected_grad) > 1e-9 * abs(expected_grad):
        raise AssertionError(f"{build.__name__}({size}): gradient {grad}, expected {expected_grad}")
    return built - start, done - built, built_cpu - start_cpu, done_cpu - built_cpu


def bytes_per_node(n=100_000):
    """Memory that a chain of n nodes holds (traced allocations), per node."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    out = build_chain(n)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del out
    return (after - before) / n


def run(chain_sizes, reuse_depths):
    rows = []
    # The small graphs first: right after a million-node graph is freed, glibc's
    # malloc consolidates its freed chunks on the next large request (~70 ms here),
    # which would be charged to whatever is timed next, not to dp.
    keys = ("build_s", "backward_s", "build_cpu_s", "backward_cpu_s")
    for k in reuse_depths:
        times = time_build_and_backward(build_reuse, k, 2.0 ** k)
        rows.append({"graph": "reuse", "size": k, "nodes": k + 1, **dict(zip(keys, times))})
    for n in chain_sizes:
        times = time_build_and_backward(build_chain, n, 1.0)
        rows.append({"graph": "chain", "size": n, "nodes": n + 1, **dict(zip(keys, times))})
    return rows


def print_scaling(rows, per_node):
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nGraph scaling (build and backward, seconds; load average {load:.1f} "
          f"on {os.cpu_count()} cores)")
    print(f"{'graph':6} {'size':>9} {'nodes':>9} {'build':>8} {'backward':>9} {'total':>8} "
          f"{'us/node':>8} {'CPU total':>10}")
    for r in rows:
        total = r["build_s"] + r["backward_s"]
        cpu = r["build_cpu_s"] + r["backward_cpu_s"]
        print(f"{r['graph']:6} {r['size']:9d} {r['nodes']:9d} {r['build_s']:8.3f} "
              f"{r['backward_s']:9.3f} {total:8.3f} {total / r['nodes'] * 1e6:8.2f} "
              f"{cpu:10.3f}")
    print(f"memory per operation (chain of x + 1.0, with its constant leaf): {per_node:.0f} bytes")
    largest = max((r for r in rows if r["graph"] == "chain"), key=lambda r: r["size"])
    total = largest["build_s"] + largest["backward_s"]
    cpu = largest["build_cpu_s"] + largest["backward_cpu_s"]
    print(f"chain of {largest['size']:,} operations, build + backward: {total:.2f} s "
          f"({cpu:.2f} s CPU; issue 29's target: under 3 s for 10^6 on 2 cores)")


if __name__ == "__main__":
    # Just this table: `python -m bench.graph_scaling` (make bench runs it with the rest).
    print_scaling(run([10_000, 1_000_000], [60]), bytes_per_node())
