"""Hidden checks record what a student's code computed; the grader compares, outside.

A hidden test (the lines between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN
TESTS`` of a test cell in ``source/``) calls the student's functions on inputs that
appear only there and hands each result to :data:`record`::

    ### BEGIN HIDDEN TESTS
    from hidden_checks import record
    rng = np.random.default_rng(7)                    # inputs seeded here: both runs see them
    a, b = {"x": rng.normal(), "w": 2.5}, {"w": rng.normal()}
    record("shared keys added", combine_dicts(a, b))  # a value, compared at rtol 1e-7
    record("swapped arguments", combine_dicts(b, a))
    record.raises("rejects a list", lambda: combine_dicts([], {}))   # the exception's class
    ### END HIDDEN TESTS

No expected value, threshold or reference answer appears in the hidden code: the
grader runs the instructor's own solution through the same hidden code (the
*reference run*) and compares the two lists of records cell by cell, in its own
process (``tools/grading/judge.py``). A test cell earns its points only when every
record matches: same names, same order, same kind, numbers within the tolerance
declared here in ``source/`` (the student's run cannot change it: the judge reads
tolerances from the reference run only).

The value is turned into plain data by conversion from its *real* type, never by
asking the object: a ``float`` subclass gives its float, a ``dict`` subclass its
items, an ``ndarray`` subclass its buffer (its ``__eq__``, ``__array_function__`` or
``tolist`` are never called). So an object that lies about itself yields its true
numbers, and a value of any other type is recorded as unconvertible (never a
match). Recording gives nothing away either: the record goes to the grader, which
keeps it out of the feedback.

A record travels as a ``display_data`` message of the MIME type :data:`MIME`; the
grader's executor takes such messages out of the cell's outputs as they arrive. In
a plain notebook run (an instructor's lab, ``make test``) it shows as one line of
text.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np

__all__ = ["MIME", "record", "plain"]

MIME = "application/vnd.dp-course.record+json"
DEFAULT_RTOL = 1e-7
DEFAULT_ATOL = 1e-10
MAX_TEXT = 10_000  # characters of a recorded string
MAX_ITEMS = 100_000  # elements of an array, items of a list or dict, in one record

# Exact types only: a subclass of one of these goes through its base type's own
# methods below, never through anything the subclass defines.
_NUMBER_DTYPES = "biuf"


def _unconvertible(value, why: str) -> dict:
    kind = type(value)
    return {"kind": "unconvertible", "type": f"{kind.__module__}.{kind.__qualname__}"[:200],
            "why": why}


def _array(value: np.ndarray) -> dict:
    base = np.ndarray.view(value, np.ndarray)  # the buffer, without the subclass
    if base.dtype.kind not in _NUMBER_DTYPES:
        return _unconvertible(value, f"array of dtype {base.dtype}")
    if base.size > MAX_ITEMS:
        return _unconvertible(value, f"array of {base.size} elements")
    if base.ndim == 0:
        return _number(base[()])
    data = np.ascontiguousarray(base, dtype=base.dtype.newbyteorder("<"))
    return {"kind": "array", "dtype": str(base.dtype), "shape": list(base.shape),
            "data": base64.b64encode(data.tobytes()).decode("ascii")}


def _number(value) -> dict:
    """A real number: a Python/NumPy bool, int or float (of any subclass)."""
    if isinstance(value, (bool, np.bool_)):
        return {"kind": "bool", "value": bool(value is True or value is np.True_)}
    if isinstance(value, int):
        return {"kind": "number", "value": float.hex(float(int.__index__(value)))}
    if isinstance(value, float):
        return {"kind": "number", "value": float.hex(value)}
    if isinstance(value, np.integer | np.floating) and type(value).__module__ == "numpy":
        return {"kind": "number", "value": float.hex(float(np.float64(value)))}
    return _unconvertible(value, "not a real number")


def plain(value, depth: int = 0) -> dict:
    """``value`` as JSON-ready plain data, from its real type (see the module docstring).

    Kinds: ``none``, ``bool``, ``number`` (ints and floats, as exact hex floats),
    ``str``, ``array`` (bool/int/float arrays: dtype, shape, little-endian bytes),
    ``seq`` (list or tuple), ``set``, ``dict`` (items sorted by key), ``exception``
    (see :meth:`Recorder.raises`) and ``unconvertible`` (anything else, which never
    matches).
    """
    if depth > 20:
        return _unconvertible(value, "nested too deeply")
    if value is None:
        return {"kind": "none"}
    if isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        if isinstance(value, np.generic) and type(value).__module__ != "numpy":
            return _unconvertible(value, "a subclass of a NumPy scalar")
        return _number(value)
    if isinstance(value, str):
        text = str.__str__(value)
        if len(text) > MAX_TEXT:
            return _unconvertible(value, f"string of {len(text)} characters")
        return {"kind": "str", "value": text}
    if isinstance(value, np.ndarray):
        return _array(value)
    if isinstance(value, (list, tuple)):
        items = list.copy(value) if isinstance(value, list) else tuple.__getitem__(
            value, slice(None))
        if len(items) > MAX_ITEMS:
            return _unconvertible(value, f"{len(items)} items")
        return {"kind": "seq", "items": [plain(v, depth + 1) for v in items]}
    if isinstance(value, (set, frozenset)):
        items = [plain(v, depth + 1) for v in (set.copy(value) if isinstance(value, set)
                                                else frozenset.copy(value))]
        return {"kind": "set", "items": sorted(items, key=_sort_key)}
    if isinstance(value, dict):
        pairs = [[plain(k, depth + 1), plain(v, depth + 1)] for k, v in dict.items(value)]
        if len(pairs) > MAX_ITEMS:
            return _unconvertible(value, f"{len(pairs)} items")
        return {"kind": "dict", "items": sorted(pairs, key=lambda kv: _sort_key(kv[0]))}
    return _unconvertible(value, "no conversion for this type")


def _sort_key(item: dict) -> str:
    return json.dumps(item, sort_keys=True)


def _check_tolerance(name: str, rtol: float, atol: float) -> None:
    for label, tol in (("rtol", rtol), ("atol", atol)):
        if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol >= 0):
            raise ValueError(f"record({name!r}): {label} must be a finite number >= 0, "
                             f"got {tol!r}")


class Recorder:
    """``record(name, value, rtol=1e-7, atol=1e-10)``; ``record.raises(name, call)``."""

    def __call__(self, name: str, value, rtol: float = DEFAULT_RTOL,
                 atol: float = DEFAULT_ATOL) -> None:
        """Record ``value`` under ``name`` (the words shown to a student whose value differs).

        Numbers match when ``|student - reference| <= atol + rtol * |reference|``
        (elementwise for arrays; NaN matches NaN, infinities match by sign). Give a
        looser tolerance only where correct solutions really differ (float32, long
        training runs): a value compared loosely can be guessed.
        """
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"record: the name must be a non-empty string, got {name!r}")
        _check_tolerance(name, rtol, atol)
        self._emit({"name": name, "value": plain(value), "rtol": float(rtol),
                    "atol": float(atol)})

    def raises(self, name: str, call) -> None:
        """Record the class name of the exception ``call()`` raises (``None``: it returned).

        Only the class's name is recorded, so subclasses do not match their base. Such a
        record is a string: a test cell must also record real numbers (a cell of
        exception names alone can be guessed, and ``make release`` refuses it).
        """
        try:
            call()
        except Exception as error:  # noqa: BLE001 -- which exception is what is recorded
            value = {"kind": "exception", "value": type(error).__name__[:200]}
        else:
            value = {"kind": "exception", "value": None}
        self._emit({"name": name, "value": value, "rtol": 0.0, "atol": 0.0})

    @staticmethod
    def _emit(payload: dict) -> None:
        summary = f"record {payload['name']!r}: {payload['value']['kind']}"
        try:
            from IPython.display import publish_display_data
        except ImportError:  # plain Python: nothing to send it to
            print(summary)
            return
        publish_display_data({MIME: payload, "text/plain": summary})


record = Recorder()
