"""Shared test settings: Hypothesis profiles.

HYPOTHESIS_PROFILE=ci  (default) few examples, fixed seed: CI is fast and reproducible.
HYPOTHESIS_PROFILE=dev many more random examples, for hunting bugs locally.
"""

import os

from hypothesis import HealthCheck, settings

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
