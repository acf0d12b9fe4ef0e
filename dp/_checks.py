"""Checks of the arguments that dp's public functions take, with one way of saying what is wrong.

Every check returns the value it accepted (converted to ``int`` or ``float``)
and raises a ``ValueError`` that names the argument, says what is expected and
shows what was given, e.g. ``train: steps must be a positive integer, got 0``.

Booleans are refused where a number is expected although Python counts
``True`` as the integer 1: ``steps=True`` is a mistake, never a request for
one step.
"""

import math
import numbers
from collections.abc import Callable, Collection

__all__ = ["integer", "real", "one_of"]


def _expected_integer(low, high):
    if high is not None:
        return f"an integer from {low} to {high}"
    if low == 0:
        return "a non-negative integer"
    if low == 1:
        return "a positive integer"
    return f"an integer >= {low}"


def integer(what: str, value, *, low: int = 1, high: int | None = None,
            allow_none: bool = False, expected: str | None = None) -> int | None:
    """Check that ``value`` is an integer with ``low <= value <= high``.

    Args:
        what: the argument as the error names it, e.g. ``"train: steps"``.
        value: the value given.
        low: the smallest value allowed.
        high: the largest value allowed, or None for no limit.
        allow_none: accept None (and return it).
        expected: the words for what is expected, if the default ("a positive
            integer", "an integer from 1 to 10", ...) says too little.

    Returns:
        ``int(value)``, or None for an allowed None.

    Raises:
        ValueError: for a bool, a non-integer or a value out of range.
    """
    if value is None and allow_none:
        return None
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral)
            or value < low or (high is not None and value > high)):
        if expected is None:
            expected = _expected_integer(low, high) + (" or None" if allow_none else "")
        raise ValueError(f"{what} must be {expected}, got {value!r}")
    return int(value)


def real(what: str, value, valid: Callable[[float], bool], expected: str) -> float:
    """Check that ``value`` is a finite real number for which ``valid(value)`` holds.

    Args:
        what: the argument as the error names it, e.g. ``"Adam: hyperparameter 'alpha'"``.
        value: the value given.
        valid: the condition on the number, e.g. ``lambda v: 0 <= v < 1``.
        expected: the words for that condition, e.g. ``"in [0, 1)"``.

    Returns:
        ``float(value)``.

    Raises:
        ValueError: for a bool, a non-number, NaN, an infinity, or a number
            outside the condition.
    """
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value) or not valid(value)):
        raise ValueError(f"{what} must be {expected}, got {value!r}")
    return float(value)


def one_of(what: str, value, choices: Collection, *, hint: str = ""):
    """Check that ``value`` is one of ``choices``.

    Args:
        what: the argument as the error names it, e.g. ``"draw: rankdir"``.
        value: the value given.
        choices: the values allowed.
        hint: words added to the error, e.g. ``" or None"``.

    Returns:
        ``value``.

    Raises:
        ValueError: for any other value.
    """
    if value not in choices:
        raise ValueError(f"{what}={value!r} is not known; expected one of "
                         f"{tuple(choices)}{hint}")
    return value
