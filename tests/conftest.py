"""Shared test settings: thread counts, Hypothesis profiles, and missing system parts.

HYPOTHESIS_PROFILE=ci  (default) few examples, fixed seed: CI is fast and reproducible.
HYPOTHESIS_PROFILE=dev many more random examples, for hunting bugs locally.
"""

import os

# One BLAS thread, set before NumPy is first imported (a conftest loads before any
# test module), as the Makefile does: a sum's order, hence its last bits, depends on
# how many threads split it, so tolerances near machine precision (the 2019 tests'
# rtol=1e-12) hold only with a fixed count. Same result inside and outside make.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import pytest  # noqa: E402
import requirements  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=300,
    deadline=None,
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.hookimpl(tryfirst=True)  # before the test's fixtures are set up
def pytest_runtest_setup(item):
    for marker in item.iter_markers("needs"):
        for part in marker.args:
            requirements.require(part)


def pytest_terminal_summary(terminalreporter):
    reasons = []
    for report in terminalreporter.stats.get("skipped", []):
        # (path, line, "Skipped: reason"); a list once it has come back from an xdist worker
        if isinstance(report.longrepr, (tuple, list)) and len(report.longrepr) == 3:
            reasons.append(str(report.longrepr[2]).removeprefix("Skipped: "))
    lines = requirements.summary_lines(reasons)
    if lines:
        terminalreporter.section("missing system parts", sep="-")
        for line in lines:
            terminalreporter.write_line(line)
