"""Gradient checking: compare dp's backward pass with finite differences.

The derivative of a scalar function f at x, in the direction of one entry x_i,
is approximated by the *central difference*

    ∂f/∂x_i  ≈  ( f(x + ε e_i) - f(x - ε e_i) ) / (2ε)

whose error shrinks like ε² (the one-sided difference only like ε). It needs
two evaluations of f per entry, so it is slow, but it is independent of any
gradient code: a good referee for the analytic gradients of reverse mode.

    numerical_gradient(f, x)    central differences of any NumPy function f(x)
    gradcheck(f, params)        dp's gradients vs. central differences, for
                                every entry of every parameter
"""

import numbers

import numpy as np

from dp.node import Node

__all__ = ["gradcheck", "numerical_gradient", "relative_error"]

# Below this size of |a| + |n| two numbers count as equal (see relative_error).
TINY = 1e-8

# How to read a maximum relative error (CS231n's rules of thumb).
_VERDICTS = ((1e-7, "good"), (1e-4, "acceptable"), (1e-2, "suspicious"))


def numerical_gradient(f, x, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function f at x.

        grad[i] = ( f(x + eps e_i) - f(x - eps e_i) ) / (2 eps)   for every entry i

    f is evaluated 2 * x.size times.

    Args:
        f: called as f(v) with v a float64 array of x's shape; returns a number
            (or an array with a single entry).
        x: the point, an array (or nested list) of real numbers of any shape. It
            is not modified: f gets a float64 copy in which one entry at a time
            is nudged by ±eps and then put back.
        eps: the finite-difference step.

    Returns:
        A float64 array of x's shape.

    Raises:
        TypeError: if x is not an array of real numbers.
    """
    _check_eps(eps)
    if isinstance(x, (str, bytes, Node)) or np.asarray(x).dtype.kind not in "biuf":
        raise TypeError(f"numerical_gradient(f, x): x must be an array of real numbers, "
                        f"got {type(x).__name__} {x!r}"[:200])
    x = np.array(x, dtype=np.float64)  # a copy: the caller's x is never touched
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        f_plus = _scalar(f(x))
        x[i] = original - eps
        f_minus = _scalar(f(x))
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(analytic, numerical, tiny: float = TINY) -> np.ndarray:
    """Entry-wise |a - n| / max(|a| + |n|, tiny).

    Relative, so that gradients of size 1e3 and 1e-3 are judged alike; it lies
    in [0, 1], and 1 means unrelated (e.g. opposite signs). ``tiny`` keeps 0/0
    away: two gradients that are both (almost) zero have error ≈ 0. Its price:
    where the true gradient is 0, round-off in the numerical one (say 1e-10)
    shows up as |n| / tiny = 1e-2; then look at the size of the gradients too.

    Args:
        analytic: the gradient to judge, an array.
        numerical: the reference gradient, an array of the same shape.
        tiny: the floor of the denominator.

    Returns:
        The entry-wise relative errors, a float64 array.
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numerical, dtype=np.float64)
    return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), tiny)


def gradcheck(f, params, eps: float = 1e-6, *, tiny: float = TINY,
              verbose: bool = False) -> dict[str, float]:
    """Check dp's gradients of f against central differences.

    Args:
        f: a function of Nodes returning a 1x1 Node. It is called with one named
            leaf per parameter, as keyword arguments: f(**{name: Node(value, name)}),
            e.g. gradcheck(lambda W, b: (x.dot(W) + b).relu().sum(), {"W": W, "b": b}).
            Use f = lambda **p: ... for names that are not Python identifiers.
        params: {name: array} the values at which to check. They are copied to
            float64 (yours are not modified).
        eps: the finite-difference step.
        tiny: the floor of the denominator of the relative error.
        verbose: print a small table, one row per parameter.

    Returns:
        {name: maximum over the entries of |a - n| / max(|a| + |n|, tiny)},
        a the gradient from dp's backward pass, n the central difference.

    Raises:
        TypeError: if f is not a function or does not return a 1x1 Node.
        ValueError: if f is not deterministic or its value is not finite.

    How to read it:
      * < 1e-7 good; 1e-7 to 1e-4 acceptable (more so for deep or long
        computations, where round-off adds up); 1e-4 to 1e-2 suspicious;
        > 1e-2 the gradient is wrong (a missing factor, sign or transpose).
      * Check in float64: in float32 the round-off of f (about 1e-7 * |f|),
        divided by 2 eps, swamps the difference, and checks fail for no reason.
      * Kinks are not bugs: ReLU, abs and max have no derivative at 0. If an
        input lies within eps of a kink, the two sides of the difference see
        different slopes and the error can be large. Use inputs away from 0,
        or a smaller eps, before suspecting the code.
      * f must be deterministic: turn dropout off (eval mode) and fix every
        random draw (e.g. draw the mask once, outside f). Otherwise the
        differences measure noise. gradcheck calls f twice at the same point and
        raises an error if the two results differ.
      * A parameter that f does not depend on has analytic gradient 0; it is
        still checked (its numerical gradient should be 0 as well).
      * Each entry costs two evaluations of f: check small models.
    """
    if not callable(f):
        raise TypeError(f"gradcheck(f, params): f must be a function of Nodes, "
                        f"got {type(f).__name__}")
    values = _float64_params(params)
    _check_eps(eps)

    def evaluate(arrays):
        out = f(**{name: Node(value, name) for name, value in arrays.items()})
        if not isinstance(out, Node) or out.shape != (1, 1):
            got = f"a Node of shape {out.shape}" if isinstance(out, Node) else \
                type(out).__name__
            raise TypeError(f"gradcheck: f must return a 1x1 Node (reduce with .sum() or "
                            f".mean()), got {got}")
        return out

    out = evaluate(values)
    if not np.isfinite(out.value.item()):
        raise ValueError(f"gradcheck: f returned {out.value.item()} at the given params; "
                         f"check at a point where f is finite")
    if evaluate(values).value.item() != out.value.item():
        raise ValueError("gradcheck: f gave two different results for the same input; "
                         "f must be deterministic (dropout off, random draws fixed)")
    analytic = out.grad()

    errors = {}
    rows = []
    for name, value in values.items():
        a = analytic.get(name, np.zeros_like(value))
        perturbed = dict(values)  # the other parameters stay at their values

        def f_of_this_param(x, name=name, perturbed=perturbed):
            perturbed[name] = x
            return evaluate(perturbed).value

        n = numerical_gradient(f_of_this_param, value, eps)
        error = relative_error(a, n, tiny)
        errors[name] = float(error.max())
        rows.append((name, value.shape, float(np.abs(a).max()), errors[name],
                     np.unravel_index(int(error.argmax()), error.shape)))
    if verbose:
        print(_table(rows))
    return errors


def verdict(error):
    """'good', 'acceptable', 'suspicious' or 'wrong' for a maximum relative error."""
    for limit, word in _VERDICTS:
        if error < limit:
            return word
    return "wrong"


def _table(rows):
    lines = [f"{'parameter':<14} {'shape':<11} {'max |grad|':>10}  "
             f"{'max rel. error':>14}  {'at':<9} verdict"]
    for name, shape, max_grad, error, where in rows:
        where = str(tuple(int(i) for i in where))
        lines.append(f"{name:<14} {str(shape):<11} {max_grad:>10.3e}  {error:>14.3e}  "
                     f"{where:<9} {verdict(error)}")
    return "\n".join(lines)


def _float64_params(params):
    if not isinstance(params, dict) or not params:
        raise TypeError(f"gradcheck(f, params): params must be a non-empty dict "
                        f"{{name: array}}, got {type(params).__name__} {params!r}"[:200])
    values = {}
    for name, value in params.items():
        if not isinstance(name, str):
            raise TypeError(f"gradcheck: parameter names must be strings, got {name!r}")
        if isinstance(value, Node):
            value = value.value
        array = np.array(value, dtype=np.float64)  # a copy, in float64
        if array.ndim > 2:
            raise ValueError(f"gradcheck: parameter {name!r} has shape {array.shape}; "
                             f"dp works with 2-D arrays only")
        values[name] = Node(array).value  # dp's own 2-D shape: numbers 1x1, vectors columns
    return values


def _check_eps(eps):
    if not isinstance(eps, numbers.Real) or not 0 < eps < 1:
        raise ValueError(f"eps must be a small positive number such as 1e-6, got {eps!r}")


def _scalar(y):
    array = np.asarray(y.value if isinstance(y, Node) else y, dtype=np.float64)
    if array.size != 1:
        raise ValueError(f"numerical_gradient: f must return a single number, got an "
                         f"array of shape {array.shape}")
    return array.item()
