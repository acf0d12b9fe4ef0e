"""The computational graph: ``Node`` and its operations, with reverse-mode autodiff.

A ``Node`` holds a 2-D NumPy array. Leaves are made by calling ``Node(value, name)``;
every operation on nodes returns a new node that remembers its inputs and, for
each input, how to turn the gradient arriving at the output into the gradient
for that input (the local derivative, written next to the forward computation).

``out.grad(1)`` walks the graph once, from ``out`` back to the leaves, in reverse
topological order, and returns ``{name: gradient}`` for every named leaf.

Notation in the docstrings: ``G`` is the gradient of the final output with respect
to this operation's result (same shape as the result); each formula gives the
gradient with respect to one input. Products of arrays are element-wise unless
written with a dot (``·``).
"""

import gc
import heapq
import itertools
import numbers
import operator
import weakref
from types import MappingProxyType

import numpy as np

__all__ = ["Node"]

# Numbers nodes in the order they are made. The graph is built imperatively, so
# every node is made after its inputs: newest first is a reverse topological order,
# the order backward needs (Node.grad), found without sorting the whole graph.
_creation_counter = itertools.count()
# op_args of leaves and of operations without arguments: one shared, read-only mapping.
_NO_ARGS = MappingProxyType({})
_PLAIN_NUMBERS = (float, int)


class _GraphGC:
    """Keep Python's cyclic garbage collector off a large graph while it is being built.

    Why: CPython's collector re-walks every tracked object in a full
    (generation 2) collection, and it starts one whenever the objects that
    survived young collections grow by 25 % (Python 3.11). A graph built one
    node at a time grows exactly like that: building a chain of N nodes walked
    about 5 N objects again and again (for N = 10⁶, 5.3 s of the 10.8 s went to
    the collector, not to dp; now 0.15 s).

    Those walks find nothing: a graph has no reference cycles. Each node refers
    only to nodes made before it (its inputs, and gradient functions that close
    over them); nothing refers forward. Reference counting alone frees a graph
    as soon as its output is dropped: the cyclic collector is never needed for it.

    What: every ``_GC_CHECK_EVERY`` nodes made, the thresholds of generations 1
    and 2 are raised so that only the cheap generation-0 collections run (they
    still collect the cycles other code makes and drops between them). The
    user's thresholds come back as soon as either

    - that node is freed (``weakref.finalize``): for a training loop's small
      per-step graphs, within a step; for a big graph, when it is dropped; or
    - dp stops making nodes: a callback at the start of every collection sees
      no node made since the previous collection.

    So cycles that other code drops while a big graph is being built wait at
    most until it is done. If the user changes the thresholds meanwhile, theirs
    are kept.
    """

    def __init__(self):
        self.saved = None   # the user's thresholds, while ours are set
        self.raised = None  # ours
        self.hold = 0       # which hold is current (a finalizer of an older one is stale)
        self.seen = None    # the node count at the previous collection (None: not yet)

    def hold_for(self, node):
        if self.saved is not None:
            return  # already held, tied to an older node that is still alive
        if not gc.callbacks or self.watch not in gc.callbacks:
            gc.callbacks.append(self.watch)
        self.saved = gc.get_threshold()
        self.raised = (self.saved[0], _RARELY, _RARELY)
        gc.set_threshold(*self.raised)
        self.hold += 1
        self.seen = None  # the first collection only starts the count: it may come at once
        weakref.finalize(node, self.release, self.hold)

    def watch(self, phase, info):
        if phase != "start" or self.saved is None:
            return
        made = next(_creation_counter)  # uses up a number: numbers need only increase
        if self.seen is not None and made == self.seen + 1:  # no node since the last look
            self.release(self.hold)
        self.seen = made

    def release(self, hold):
        if hold != self.hold or self.saved is None:
            return
        if gc.get_threshold() == self.raised:
            gc.set_threshold(*self.saved)
        self.saved = self.raised = None


# Every 2¹⁶ nodes made: one check per 65,536 nodes costs nothing measurable.
_GC_CHECK_EVERY = 1 << 16
# Generations 1 and 2 run after this many runs of the one below (default 10): never,
# in practice, while a large graph is being built.
_RARELY = 1 << 30
_graph_gc = _GraphGC()


def _constant_array(number, dtype):
    """A Python number as a read-only 1x1 array of ``dtype``, shared by equal constants.

    ``x + 1.0`` in a loop would otherwise make a new array per operation: the
    shared one saves that time and 136 of the 688 bytes such an operation held
    (bench.graph_scaling.bytes_per_node). It is read-only, so no caller can
    change the constant of another node in place.
    Only the first ``_CONSTANTS_KEPT`` distinct constants are kept.
    """
    key = (number, type(number), dtype)
    array = _constants.get(key)
    if array is None:
        array = np.full((1, 1), number, dtype=dtype)
        array.flags.writeable = False
        # Not 0 (0.0 == -0.0, but the sign of a zero can matter) nor NaN (never equal).
        if number and number == number and len(_constants) < _CONSTANTS_KEPT:
            _constants[key] = array
    return array


_constants = {}
_CONSTANTS_KEPT = 256


def _identity(g):
    """The local gradient of an input that passes through unchanged (A + B, A - B's A).

    One shared function, not a lambda per node: a chain of a million additions
    makes no function objects.
    """
    return g


def _as_2d_array(value):
    """Return ``value`` as a 2-D float array, or raise a clear error."""
    if isinstance(value, Node):
        raise TypeError("Node(value): value is already a Node; use it directly "
                        "(or its .value to start a new leaf)")
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"Node(value): expected a number or a 1-D/2-D array of numbers, "
                        f"got {type(value).__name__} {value!r}")
    try:
        array = np.asarray(value)
    except ValueError:  # e.g. a ragged list [[1, 2], [3]]
        raise ValueError(f"Node(value): expected a number or a rectangular 1-D/2-D array, "
                         f"got a {type(value).__name__} whose rows differ in length") from None
    if array.dtype.kind in "biu":  # bool and integers: compute in floating point
        array = array.astype(np.float64)
    elif array.dtype.kind != "f":
        raise TypeError(f"Node(value): expected real numbers, got an array of dtype "
                        f"{array.dtype} (from {type(value).__name__})")
    if array.ndim == 0:
        return array.reshape(1, 1)
    if array.ndim == 1:  # a vector is a column, as in the math
        return array.reshape(-1, 1)
    if array.ndim == 2:
        return array
    raise ValueError(f"Node(value): dp works with 2-D arrays only, got an array of shape "
                     f"{array.shape} ({array.ndim}-D); reshape it first, "
                     f"e.g. x.reshape(len(x), -1)")


def _reduce_to_shape(grad, shape):
    """Sum a broadcast gradient back to the operand's ``shape``.

    If an operand of shape (1, n) was broadcast to (m, n), each of its entries
    was used m times, so its gradient is the sum of the m rows (likewise for
    columns).
    """
    if grad.shape == shape:
        return grad
    if shape[0] == 1 and grad.shape[0] != 1:
        grad = grad.sum(axis=0, keepdims=True)
    if shape[1] == 1 and grad.shape[1] != 1:
        grad = grad.sum(axis=1, keepdims=True)
    return grad


class Node:
    """A 2-D array in a computational graph.

    ``Node(value, name)`` makes a leaf; every operation on nodes makes a new node
    that records what made it, so that the graph can be differentiated, drawn
    and replayed exactly.

    Args:
        value: a number (becomes 1x1), a 1-D array (becomes a column, n x 1) or a
            2-D array. Integer and boolean input becomes float64; float32 stays
            float32.
        name: leaves with a name are the variables we differentiate for.

    Attributes:
        value: the 2-D array.
        name: the leaf's name, or None.
        op: the name of the operation that made this node (``"add"``, ``"sum"``,
            ``"getitem"``, ...; ``a @ b`` is ``"dot"``, ``a.T`` is
            ``"transpose"``), None for a leaf.
        op_args: that operation's non-Node arguments as a read-only mapping, e.g.
            ``{"axis": 0}`` for ``a.sum(axis=0)``, empty for ``a + b``:
            ``getattr(a, method)(*other_inputs, **op_args)`` computes the node
            again. Empty for a leaf.
        inputs: the nodes the operation was applied to, in order.

    Raises:
        TypeError: for a value that is not real numbers, or a name that is not a string.
        ValueError: for a ragged or more than 2-D value.
    """

    # Memory per node matters on graphs with millions of nodes.
    __slots__ = ("value", "name", "op", "op_args", "_inputs", "_requires_grad", "_number",
                 "__weakref__")
    # Let `ndarray <op> node` call our reflected operators instead of NumPy
    # trying to treat the node as an array element.
    __array_ufunc__ = None

    def __init__(self, value, name=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Node(value, name): name must be a string or None, "
                            f"got {type(name).__name__} {name!r}")
        # A leaf: no operation, no inputs; whether it needs a gradient is decided
        # by its name (see requires_grad), so it is left open (None) here.
        self._set_fields(_as_2d_array(value), name, None, _NO_ARGS, (), None)

    def _set_fields(self, value, name, op, op_args, inputs, requires_grad):
        """Set every field of a leaf (``_from_op`` sets the same fields of an operation's node)."""
        self.value = value
        self.name = name
        self.op = op                # the operation that made this node; None for a leaf
        self.op_args = op_args      # its non-Node arguments, read-only
        self._inputs = inputs       # pairs (input node, local gradient function or None)
        self._requires_grad = requires_grad
        self._number = number = next(_creation_counter)
        if not number % _GC_CHECK_EVERY:
            _graph_gc.hold_for(self)

    @classmethod
    def _from_op(cls, op, value, *inputs, op_args=None):
        """Make the result node of operation ``op``.

        Args:
            op: the operation's name, e.g. ``"sum"``; becomes ``node.op``.
            value: the result, a 2-D array.
            inputs: pairs (input node, function G -> gradient for that input).
                Only inputs that lead to a named leaf keep their gradient
                function (the others get None): nothing is ever computed for a
                branch like the input batch ``Node(x)``. All inputs stay in the
                graph, to be drawn and replayed.
            op_args: the operation's non-Node arguments, e.g. ``{"axis": 0}``,
                so that ``getattr(a, method)(*other_inputs, **op_args)`` replays it.

        Returns:
            The new node.
        """
        # Plain loops and direct slot writes, no helper calls: this runs once per
        # node made, and a chain of a million nodes spends most of its time here.
        kept, requires_grad = [], False
        for pair in inputs:
            parent = pair[0]
            parent_requires = parent._requires_grad
            if parent_requires is None:  # a leaf: only named leaves need gradients
                parent_requires = parent.name is not None
            if parent_requires:
                kept.append(pair)
                requires_grad = True
            else:
                kept.append((parent, None))
        node = cls.__new__(cls)
        node.value = value
        node.name = None
        node.op = op
        node.op_args = _NO_ARGS if op_args is None else MappingProxyType(op_args)
        node._inputs = tuple(kept)
        node._requires_grad = requires_grad
        node._number = number = next(_creation_counter)
        if not number % _GC_CHECK_EVERY:
            _graph_gc.hold_for(node)
        return node

    # -- attributes ---------------------------------------------------------

    @property
    def shape(self):
        """The shape of the value: always (rows, columns)."""
        return self.value.shape

    @property
    def dtype(self):
        """The NumPy dtype of the value."""
        return self.value.dtype

    @property
    def inputs(self):
        """All input nodes of the operation that made this node (none for a leaf)."""
        return tuple(node for node, _ in self._inputs)

    @property
    def parents(self):
        """The inputs that lead to a named leaf: the ones backward visits."""
        return tuple(node for node, fn in self._inputs if fn is not None)

    @property
    def requires_grad(self):
        """True for a named leaf and for every node that depends on one."""
        if self._requires_grad is None:  # a leaf
            return self.name is not None
        return self._requires_grad

    def __iter__(self):
        # Without this, Python would iterate with node[0], node[1], ... forever,
        # since indexing keeps the axis and never runs out of rows.
        raise TypeError("a Node is not iterable; index it (node[i]) or iterate over "
                        "node.value")

    def __repr__(self):
        label = f"name={self.name!r}, " if self.name is not None else ""
        made_by = f", op={self.op!r}" if self.op is not None else ""
        return f"Node({label}shape={self.shape}, dtype={self.dtype}{made_by})"

    # -- reverse-mode automatic differentiation ------------------------------

    def grad(self, seed=None) -> dict[str, np.ndarray]:
        """Gradients of this node with respect to every named leaf it depends on.

        Contributions along several paths add up, and so do the gradients of
        leaves that share a name.

        Args:
            seed: dL/d(self), the gradient arriving from further on; 1 (or None)
                for a 1x1 output, else an array of this node's shape.

        Returns:
            {name: ndarray of that leaf's shape}, each array the caller's own.

        Raises:
            ValueError: if the seed's shape does not fit the output.
        """
        seed = self._check_seed(seed)
        # Nodes are dict keys by identity (Node defines no __eq__, on purpose).
        pending = {self: seed}   # node -> dL/d(node), summed over its uses so far
        grads = {}
        # Newest node first (see _creation_counter): a max-heap of creation numbers. A
        # node is taken only when every node made after it that leads here is done,
        # so its gradient is complete, and it is visited once however many paths
        # reach it. For a chain the heap holds one or two nodes.
        heap = [(-self._number, self)]
        while heap:
            node = heapq.heappop(heap)[1]
            g = pending.pop(node)
            if node.op is None:  # a leaf
                if node.name is not None:
                    # A gradient has its leaf's dtype, even where float64 data met
                    # a float32 parameter on the way.
                    g = g.astype(node.value.dtype, copy=False)
                    grads[node.name] = grads[node.name] + g if node.name in grads else g
                continue
            for parent, local_grad in node._inputs:
                if local_grad is None:  # leads to no named leaf
                    continue
                g_parent = local_grad(g)
                if g_parent.shape != parent.value.shape:
                    g_parent = _reduce_to_shape(g_parent, parent.value.shape)
                # A gradient that arrives once is passed on as it is, not copied.
                if parent in pending:
                    pending[parent] = pending[parent] + g_parent
                else:
                    pending[parent] = g_parent
                    heapq.heappush(heap, (-parent._number, parent))
        return _independent_arrays(grads)

    def _check_seed(self, seed):
        if seed is None or np.ndim(seed) == 0:
            if self.shape != (1, 1):
                raise ValueError(
                    f"grad(): the output has shape {self.shape}, not (1, 1); pass a seed "
                    f"of that shape, e.g. out.grad(np.ones({self.shape})), or reduce the "
                    f"output to a scalar first, e.g. out.sum().grad(1)")
            return np.full((1, 1), 1 if seed is None else np.asarray(seed).item(),
                           dtype=self.dtype)
        seed = np.array(seed, dtype=self.dtype)  # a copy: the caller keeps theirs
        if seed.shape != self.shape:
            raise ValueError(f"grad(seed): seed has shape {seed.shape}, but the output "
                             f"has shape {self.shape}; they must be equal")
        return seed

    # -- helpers for binary operations -----------------------------------------

    def _node(self, other):
        """Wrap a number or array as a constant leaf.

        A Python number takes this node's dtype, so a constant like 2.0 does
        not turn a float32 graph into float64.
        """
        if isinstance(other, Node):
            return other
        # `type(...) in` first: the common `x + 1.0` skips the slower ABC check.
        if type(other) in _PLAIN_NUMBERS or (isinstance(other, numbers.Real)
                                              and not isinstance(other, np.ndarray)):
            constant = Node.__new__(Node)
            constant._set_fields(_constant_array(other, self.value.dtype),
                                 None, None, _NO_ARGS, (), None)
            return constant
        return Node(other)

    @staticmethod
    def _check_broadcastable(op, a, b):
        """Raise a clear error unless the shapes of nodes a and b broadcast together."""
        if a.value.shape == b.value.shape:
            return
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise ValueError(f"{op}: shapes {a.shape} and {b.shape} do not broadcast; "
                             f"each dimension must be equal or 1") from None

    # -- element-wise arithmetic -------------------------------------------------

    def __add__(self, other):
        """A + B.   dA = G,   dB = G   (summed back to each operand's shape)."""
        other = self._node(other)
        if self.value.shape != other.value.shape:
            self._check_broadcastable("add", self, other)
        return Node._from_op("add", self.value + other.value, (self, _identity), (other, _identity))

    def __radd__(self, other):
        return self._node(other) + self

    def __sub__(self, other):
        """A - B.   dA = G,   dB = -G."""
        other = self._node(other)
        self._check_broadcastable("sub", self, other)
        return Node._from_op("sub", self.value - other.value,
                             (self, _identity), (other, operator.neg))

    def __rsub__(self, other):
        return self._node(other) - self

    def __mul__(self, other):
        """A * B (element-wise).   dA = G * B,   dB = G * A."""
        other = self._node(other)
        self._check_broadcastable("mul", self, other)
        a, b = self.value, other.value
        return Node._from_op("mul", a * b,
                             (self, lambda g: g * b),
                             (other, lambda g: g * a))

    def __rmul__(self, other):
        return self._node(other) * self

    def __truediv__(self, other):
        """A / B.   dA = G / B,   dB = -G * A / B²."""
        other = self._node(other)
        self._check_broadcastable("div", self, other)
        a, b = self.value, other.value
        return Node._from_op("div", a / b,
                             (self, lambda g: g / b),
                             (other, lambda g: -g * a / (b * b)))

    def __rtruediv__(self, other):
        return self._node(other) / self

    def __neg__(self):
        """-A.   dA = -G."""
        return Node._from_op("neg", -self.value, (self, lambda g: -g))

    def __pow__(self, exponent):
        """A ** p for a number p.   dA = G * p * A^(p-1)."""
        if isinstance(exponent, Node) or not isinstance(exponent, numbers.Real):
            raise TypeError(f"pow: the exponent must be a number, got "
                            f"{type(exponent).__name__}; use (b * a.log()).exp() for a^b "
                            f"with a Node exponent")
        a = self.value
        p = np.asarray(exponent, dtype=self.dtype)
        op_args = {"exponent": exponent}
        if exponent == 0:  # A^0 = 1 is constant; p * A^(p-1) would be 0 * inf at A = 0
            return Node._from_op("pow", np.ones_like(a), (self, lambda g: np.zeros_like(g)),
                                 op_args=op_args)
        return Node._from_op("pow", a ** p, (self, lambda g: g * p * a ** (p - 1)),
                             op_args=op_args)

    # -- matrix operations -----------------------------------------------------

    def dot(self, other):
        """Matrix product A · B.   dA = G · Bᵀ,   dB = Aᵀ · G."""
        other = self._node(other)
        if self.shape[1] != other.shape[0]:
            raise ValueError(f"dot: shapes {self.shape} and {other.shape} are not aligned: "
                             f"columns of the left ({self.shape[1]}) must equal rows of "
                             f"the right ({other.shape[0]})")
        a, b = self.value, other.value
        return Node._from_op("dot", a @ b,
                             (self, lambda g: g @ b.T),
                             (other, lambda g: a.T @ g))

    def __matmul__(self, other):
        return self.dot(other)

    def __rmatmul__(self, other):
        return self._node(other).dot(self)

    def transpose(self):
        """Aᵀ.   dA = Gᵀ."""
        return Node._from_op("transpose", self.value.T, (self, lambda g: g.T))

    @property
    def T(self):
        """Aᵀ, the same as transpose()."""
        return self.transpose()

    # -- element-wise functions --------------------------------------------------

    def exp(self):
        """exp(A).   dA = G * exp(A)."""
        out = np.exp(self.value)
        return Node._from_op("exp", out, (self, lambda g: g * out))

    def log(self):
        """Natural logarithm log(A).   dA = G / A."""
        a = self.value
        return Node._from_op("log", np.log(a), (self, lambda g: g / a))

    def square(self):
        """A².   dA = 2 * G * A."""
        a = self.value
        return Node._from_op("square", a * a, (self, lambda g: 2 * g * a))

    def sqrt(self):
        """√A.   dA = G / (2 √A)."""
        out = np.sqrt(self.value)
        return Node._from_op("sqrt", out, (self, lambda g: g / (2 * out)))

    def abs(self):
        """|A|.   dA = G * sign(A)   (0 at A = 0)."""
        a = self.value
        return Node._from_op("abs", np.abs(a), (self, lambda g: g * np.sign(a)))

    def relu(self):
        """max(A, 0).   dA = G where A > 0, else 0."""
        a = self.value
        return Node._from_op("relu", np.maximum(a, 0), (self, lambda g: g * (a > 0)))

    def leaky_relu(self, alpha=0.01):
        """A where A > 0, else alpha * A.   dA = G where A > 0, else alpha * G."""
        a = self.value
        op_args = {"alpha": alpha}
        alpha = np.asarray(alpha, dtype=self.dtype)
        return Node._from_op("leaky_relu", np.where(a > 0, a, alpha * a),
                             (self, lambda g: np.where(a > 0, g, alpha * g)), op_args=op_args)

    def sigmoid(self):
        """σ(A) = 1 / (1 + exp(-A)).   dA = G * σ(A) * (1 - σ(A)).

        Computed from exp(-|A|), which never overflows, for either sign of A.
        """
        a = self.value
        e = np.exp(-np.abs(a))
        out = np.where(a >= 0, 1 / (1 + e), e / (1 + e))
        return Node._from_op("sigmoid", out, (self, lambda g: g * out * (1 - out)))

    def tanh(self):
        """tanh(A).   dA = G * (1 - tanh(A)²)."""
        out = np.tanh(self.value)
        return Node._from_op("tanh", out, (self, lambda g: g * (1 - out * out)))

    # -- row-wise functions --------------------------------------------------------

    def softmax(self):
        """Row-wise softmax S_ij = exp(A_ij) / Σ_k exp(A_ik).

        dA = S * (G - Σ_k G_ik S_ik)   (the Jacobian of each row, applied to G).
        The row maximum is subtracted first: exp never overflows, and softmax
        does not change when a constant is added to a row.
        """
        shifted = self.value - self.value.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e / e.sum(axis=1, keepdims=True)
        return Node._from_op("softmax", s,
                             (self, lambda g: s * (g - (g * s).sum(axis=1, keepdims=True))))

    def log_softmax(self):
        """Row-wise log-softmax L_ij = A_ij - log Σ_k exp(A_ik).

        dA = G - softmax(A) * Σ_k G_ik.
        Stable for logits of any size (log-sum-exp with the row maximum taken out).
        """
        shifted = self.value - self.value.max(axis=1, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return Node._from_op("log_softmax", out,
                             (self, lambda g: g - np.exp(out) * g.sum(axis=1, keepdims=True)))

    # -- reductions -----------------------------------------------------------------

    @staticmethod
    def _check_axis(op, axis):
        if axis not in (None, 0, 1):
            raise ValueError(f"{op}: axis must be None (all), 0 (down the columns) or "
                             f"1 (along the rows), got {axis!r}")

    def sum(self, axis=None):
        """Sum of all entries (1x1), of each column (axis=0: 1xn) or row (axis=1: mx1).

        dA = G broadcast back to A's shape: every entry contributed once.
        """
        self._check_axis("sum", axis)
        shape = self.shape
        out = self.value.sum(axis=axis, keepdims=True)
        if axis is None:
            out = out.reshape(1, 1)
        return Node._from_op("sum", out, (self, lambda g: np.broadcast_to(g, shape)),
                             op_args={"axis": axis})

    def mean(self, axis=None):
        """Mean of all entries, of each column (axis=0) or row (axis=1).

        dA = G / n broadcast back to A's shape, n the number of entries averaged.
        """
        self._check_axis("mean", axis)
        shape = self.shape
        n = self.value.size if axis is None else shape[axis]
        out = self.value.mean(axis=axis, keepdims=True)
        if axis is None:
            out = out.reshape(1, 1)
        return Node._from_op("mean", out, (self, lambda g: np.broadcast_to(g / n, shape)),
                             op_args={"axis": axis})

    # -- reshaping and indexing -------------------------------------------------------

    def concatenate(self, other, axis=0):
        """[A; B] (axis=0: stack rows) or [A, B] (axis=1: side by side).

        dA, dB = the parts of G that lie over A and over B.
        """
        other = self._node(other)
        if axis not in (0, 1):
            raise ValueError(f"concatenate: axis must be 0 or 1, got {axis!r}")
        keep = 1 - axis
        if self.shape[keep] != other.shape[keep]:
            raise ValueError(f"concatenate(axis={axis}): shapes {self.shape} and "
                             f"{other.shape} differ in dimension {keep}")
        n = self.shape[axis]
        if axis == 0:
            parts = (lambda g: g[:n], lambda g: g[n:])
        else:
            parts = (lambda g: g[:, :n], lambda g: g[:, n:])
        return Node._from_op("concatenate",
                             np.concatenate((self.value, other.value), axis=axis),
                             (self, parts[0]), (other, parts[1]), op_args={"axis": axis})

    def reshape(self, shape):
        """The same entries in a new 2-D shape (row-major order).   dA = G reshaped back."""
        try:
            out = self.value.reshape(shape)
        except (ValueError, TypeError) as error:
            raise ValueError(f"reshape: cannot reshape {self.shape} to {shape!r}: "
                             f"{error}") from None
        if out.ndim != 2:
            raise ValueError(f"reshape: dp works with 2-D arrays only, {shape!r} gives "
                             f"{out.ndim}-D")
        old_shape = self.shape
        # The shape reached (no -1 left in it): replaying it needs no other input.
        return Node._from_op("reshape", out, (self, lambda g: g.reshape(old_shape)),
                             op_args={"shape": out.shape})

    def __getitem__(self, key):
        """A[rows, cols] with slices, integers or integer arrays; the result stays 2-D.

        An integer keeps its axis (A[0] is a 1 x n row); two integer arrays pick
        entries pairwise and give a column, e.g. P[np.arange(m), labels].
        dA = G scattered back to the picked positions (added where picked twice).
        """
        key = self._normalize_key(key, self.shape)
        picked = self.value[key]
        out = picked if picked.ndim == 2 else picked.reshape(-1, 1)
        shape, dtype = self.shape, self.dtype

        def scatter(g):
            grad = np.zeros(shape, dtype=dtype)
            np.add.at(grad, key, g.reshape(picked.shape))
            return grad

        return Node._from_op("getitem", out, (self, scatter), op_args={"key": key})

    @staticmethod
    def _normalize_key(key, shape):
        if not isinstance(key, tuple):
            key = (key, slice(None))
        if len(key) != 2:
            raise IndexError(f"Node indexing takes [rows, cols], got {len(key)} indices")
        normalized = []
        for axis, (index, size) in enumerate(zip(key, shape)):
            if index is None or index is Ellipsis:
                raise IndexError("Node indexing takes [rows, cols]: None and ... would "
                                 "change the number of dimensions")
            if isinstance(index, numbers.Integral):  # keep the axis: i -> i:i+1
                if not -size <= index < size:
                    raise IndexError(f"index {index} is out of range for axis {axis} "
                                     f"with size {size} (shape {shape})")
                index = slice(index, index + 1 if index != -1 else None)
            normalized.append(index)
        return tuple(normalized)


def _independent_arrays(grads):
    """Make sure no two returned gradients (nor a seed) share memory.

    Gradients are passed on without copies while backpropagating, so one array
    can arrive at two leaves (e.g. both inputs of an addition), or be a read-only
    broadcast view. The caller may update them in place; give each its own.
    """
    seen = set()
    for name, g in grads.items():
        if id(g) in seen or not g.flags.owndata or not g.flags.writeable:
            g = np.array(g)
        seen.add(id(g))
        grads[name] = g
    return grads
