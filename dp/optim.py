"""Optimizers: train a Model's parameters with mini-batch gradient descent.

    optimizer = SGD(net, x_train, y_train, hyperparam={"alpha": 0.01}, batch_size=128)
    loss = optimizer.train(steps=1000, print_each=100)

Each step i = 1, 2, ... draws a random mini-batch, computes the gradient
g = ∂loss/∂θ of every parameter θ (Model.get_grad), and replaces θ by the value
that the optimizer's update rule returns (Optimizer._update). The update rules
(α learning rate, all operations element-wise):

    SGD           θ ← θ - α g
    SGD_Momentum  v ← β v + (1 - β) g;            θ ← θ - α v
    RMS_Prop      s ← β₂ s + (1 - β₂) g²;         θ ← θ - α g / (√s + ε)
    Adam          m ← β₁ m + (1 - β₁) g;  v ← β₂ v + (1 - β₂) g²
                  m̂ = m / (1 - β₁^i);  v̂ = v / (1 - β₂^i);  θ ← θ - α m̂ / (√v̂ + ε)

A new optimizer is a subclass that sets ``defaults`` (its hyperparameters),
``num_grad_stores`` (how many per-parameter running values it keeps, in
self.grad_stores) and writes ``_update``:

    class SignSGD(Optimizer):
        defaults = {"alpha": 0.001}
        num_grad_stores = 0
        def _update(self, param, grad, g, i):
            return param[g] - self.alpha * np.sign(grad[g])

Progress: train() shows a tqdm progress bar; switch it off with progress=False,
or everywhere with the environment variable DP_PROGRESS=0 (CI does).
"""

import math
import os

import numpy as np
from tqdm.auto import tqdm

from dp import _checks, init

__all__ = ["Optimizer", "SGD", "SGD_Momentum", "RMS_Prop", "Adam", "TrainingDiverged"]


def _progress_default():
    """Whether to show progress bars: yes, unless DP_PROGRESS is 0/false/no/off."""
    return os.environ.get("DP_PROGRESS", "1").strip().lower() not in ("0", "false", "no", "off")


# Which values each hyperparameter may take: a test and the words for the error.
_HYPERPARAM_RULES = {
    "alpha": (lambda v: v > 0, "a positive number (the learning rate)"),
    "beta": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "beta1": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "beta2": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "epsilon": (lambda v: v > 0, "a positive number"),
}


class TrainingDiverged(FloatingPointError):
    """The loss of a training step was not a finite number (inf or NaN).

    A ``FloatingPointError``, so code that catches that keeps working. The
    model keeps the parameters from before the step that diverged.

    Attributes:
        step: the number of the step whose loss was not finite (1-based,
            counted like ``Optimizer.step``).
        loss_hist: the finite losses of the steps of this ``train()`` call
            before it, to plot where the run blew up.
    """

    def __init__(self, message: str, step: int, loss_hist: list):
        super().__init__(message)
        self.step = step
        self.loss_hist = loss_hist


class Optimizer:
    """Base class: the training loop, mini-batches and hyperparameters.

    Args:
        model: a ``dp.nn.Model``.
        x_train: inputs, one example per row.
        y_train: targets, one per row of x_train.
        hyperparam: ``{name: value}``; names not given take the class's defaults.
        batch_size: rows per mini-batch, ``1 <= batch_size <= len(x_train)``.

    Attributes:
        <name>: each hyperparameter, e.g. ``self.alpha``, set by ``_set_hyperparam()``.
        grad_stores: a list of ``num_grad_stores`` dicts {parameter name: array},
            zeros at first (e.g. velocity, moment estimates); every optimizer
            owns its own.
        step: how many update steps were made so far (train() again continues
            the count, which Adam's bias correction needs).

    Raises:
        TypeError: if ``model`` is not a model or ``hyperparam`` not a dict.
        ValueError: for missing or mismatched data, a bad batch size, or an
            unknown or invalid hyperparameter.
    """

    defaults = None        # {hyperparameter: default}; None: no names are checked
    num_grad_stores = 0

    def __init_subclass__(cls, **kwargs):
        # The 2019 optimizers, and the notebooks written for them, define the hook
        # under its old name `_set_param`; it then is this class's _set_hyperparam.
        super().__init_subclass__(**kwargs)
        if "_set_param" in vars(cls):
            cls._set_hyperparam = cls._set_param

    def __init__(self, model, x_train=None, y_train=None, hyperparam=None, batch_size=128):
        if not all(callable(getattr(model, method, None))
                   for method in ("get_param", "set_param", "get_grad", "train_mode")):
            raise TypeError(f"{type(self).__name__}: the first argument must be a model (a "
                            f"subclass of dp.nn.Model), got {type(model).__name__}")
        self.model = model
        self.x_train, self.y_train = self._checked_data(x_train, y_train)
        n = len(self.x_train)
        self.batch_size = _checks.integer(
            f"{type(self).__name__}: batch_size", batch_size, low=1, high=n,
            expected=f"an integer from 1 to the number of examples ({n})")
        self.hyperparam = self._checked_hyperparam(hyperparam)
        model.get_param()  # a clear error now if the model has no layers
        self._set_hyperparam()
        self.grad_stores = None  # made by _train, for the model's parameters
        self.step = 0

    def _checked_data(self, x_train, y_train):
        name = type(self).__name__
        if x_train is None or y_train is None:
            raise ValueError(f"{name}(model, x_train, y_train): give the training inputs "
                             f"and targets")
        x_train, y_train = np.asarray(x_train), np.asarray(y_train)
        if x_train.ndim == 0 or y_train.ndim == 0:
            raise ValueError(f"{name}: x_train and y_train must be arrays with one example "
                             f"per row, got shapes {x_train.shape} and {y_train.shape}")
        if len(x_train) != len(y_train):
            raise ValueError(f"{name}: x_train has {len(x_train)} rows but y_train has "
                             f"{len(y_train)}; each example needs one target")
        if len(x_train) == 0:
            raise ValueError(f"{name}: the training data is empty")
        return x_train, y_train

    def _checked_hyperparam(self, hyperparam):
        name = type(self).__name__
        if hyperparam is None:
            return {}
        if not isinstance(hyperparam, dict):
            raise TypeError(f"{name}: hyperparam must be a dict like {{\"alpha\": 0.01}}, "
                            f"got {type(hyperparam).__name__}")
        hyperparam = dict(hyperparam)  # our own copy: the caller's dict is not changed
        if self.defaults is not None:
            unknown = sorted(set(hyperparam) - set(self.defaults))
            if unknown:
                raise ValueError(f"{name}: unknown hyperparameter(s) {unknown}; "
                                 f"{name} takes {sorted(self.defaults)}")
        for key, value in hyperparam.items():
            if key in _HYPERPARAM_RULES:
                valid, expected = _HYPERPARAM_RULES[key]
                _checks.real(f"{name}: hyperparameter {key!r}", value, valid, expected)
        return hyperparam

    def _set_hyperparam(self):
        """Set each hyperparameter as an attribute, e.g. self.alpha, from
        self.hyperparam or else from the class's defaults.

        A subclass may instead define ``_set_param``, the name the 2019 course
        used for this hook, and call ``super()._set_param()`` in it.
        """
        for key, default in (self.defaults or {}).items():
            setattr(self, key, self.hyperparam.get(key, default))

    def _set_param(self):
        """This class's ``_set_hyperparam`` under its 2019 name (see there).

        It names ``Optimizer._set_hyperparam`` itself: in a subclass that defines
        ``_set_param``, ``self._set_hyperparam`` is that very method.
        """
        Optimizer._set_hyperparam(self)

    def random_batch(self):
        """A mini-batch (x, y) of batch_size rows, drawn without replacement."""
        rows = init.generator().choice(len(self.x_train), size=self.batch_size,
                                       replace=False)
        return self.x_train[rows], self.y_train[rows]

    def train(self, steps=1000, print_each=100, err_hist=False, progress=None):
        """Train for ``steps`` update steps, in train mode.

        Memory: with err_hist, para_hist holds steps × (number of parameters)
        numbers, e.g. 1000 steps of a 784-500-200-10 network are
        1000 × 0.5 M × 8 bytes = 4 GB; use it on small models or few steps.

        Args:
            steps: the number of update steps, a positive integer.
            print_each: print ``step  i/steps  loss L`` every print_each steps
                (None or 0: never).
            err_hist: also return the history (see Returns).
            progress: show a progress bar (default: yes unless DP_PROGRESS=0).

        Returns:
            The loss of the last step's mini-batch (a float), or with
            ``err_hist=True`` ``(loss, loss_hist, para_hist)``: loss_hist the
            loss of every step, para_hist a copy of all parameters after every step.

        Raises:
            ValueError: for a bad ``steps`` or ``print_each``.
            TrainingDiverged: a step's loss was not finite; the model keeps the
                parameters from before that step.
        """
        return self._train(steps, self.num_grad_stores, print_each, err_hist, progress)

    def _train(self, steps, num_grad_stores=0, print_each=100, err_hist=False, progress=None):
        """The training loop (see train): one update step per mini-batch."""
        steps = _checks.integer("train: steps", steps)
        print_each = _checks.integer("train: print_each", print_each, low=0, allow_none=True)
        self.model.train_mode()
        self._make_grad_stores(num_grad_stores)
        loss_hist, para_hist = [], []
        loss = None
        last_step = self.step + steps
        show = _progress_default() if progress is None else progress
        with tqdm(total=steps, disable=not show, desc=type(self).__name__) as bar:
            for _ in range(steps):
                loss = self._take_step(loss_hist)
                loss_hist.append(loss)
                if err_hist:
                    para_hist.append({g: value.copy()
                                      for g, value in self.model.get_param().items()})
                if print_each and self.step % print_each == 0:
                    bar.write(f"step {self.step:>5}/{last_step}  loss {loss:.4f}")
                bar.update()
        return (loss, loss_hist, para_hist) if err_hist else loss

    def _make_grad_stores(self, num_grad_stores):
        """Fresh zeros for each parameter, one dict per store (never shared), once."""
        if self.grad_stores is None:
            self.grad_stores = [{name: np.zeros_like(value)
                                 for name, value in self.model.get_param().items()}
                                for _ in range(num_grad_stores)]

    def _take_step(self, loss_hist):
        """One update step on a random mini-batch; returns its loss (before the update).

        Raises:
            TrainingDiverged: the loss is not finite; nothing is updated.
        """
        i = self.step + 1
        x, y = self.random_batch()
        grad, loss = self.model.get_grad(x, y)
        loss = float(loss.value[0, 0])
        if not math.isfinite(loss):
            raise self._diverged(i, loss, loss_hist)
        param = self.model.get_param()
        self.model.set_param({g: self._update(param, grad, g, i) for g in param})
        self.step = i
        return loss

    def _diverged(self, i, loss, loss_hist):
        alpha = getattr(self, "alpha", None)
        return TrainingDiverged(
            f"training diverged at step {i}: the loss is {loss} (the parameters are "
            f"those before this step); try a smaller learning rate"
            + ("" if alpha is None else f" than alpha={alpha}")
            + "; the losses so far are in this error's .loss_hist", step=i, loss_hist=loss_hist)

    def _update(self, param, grad, g, i):
        """The new value of the parameter called ``g`` at step i (1-based).

        ``g`` is the parameter's NAME (a key of ``param`` and ``grad``, e.g.
        ``"h1_weight"``), not its gradient: the gradient g_i of the update rules is
        ``grad[g]``. The name ``g`` is historical; the loop passes all four arguments
        by position, so a subclass may call it ``name``.

        Args:
            param: {name: array}, the current parameters.
            grad: {name: array}, their gradients.
            g: the name of the parameter to update.
            i: the step number, 1 for the first step.

        Returns:
            A new array (use ``self.grad_stores[k][g]`` for running values).
        """
        raise NotImplementedError(f"{type(self).__name__} must define "
                                  f"_update(self, param, grad, g, i)")


class SGD(Optimizer):
    """Stochastic gradient descent:   θ ← θ - α g.

    Hyperparameters:
        alpha: α, the learning rate (default 0.001).
    """

    defaults = {"alpha": 0.001}
    num_grad_stores = 0

    def _update(self, param, grad, g, i):
        return param[g] - self.alpha * grad[g]


class SGD_Momentum(Optimizer):
    """SGD with momentum, the velocity an exponential average of the gradients:

        v ← β v + (1 - β) g          (v = 0 at first)
        θ ← θ - α v

    PyTorch's SGD(momentum=β) keeps v' = β v' + g, i.e. v' = v / (1 - β):
    the same steps as ours for lr = α (1 - β).

    Hyperparameters:
        alpha: α, the learning rate (default 0.001).
        beta: β, the weight of the old velocity (default 0.9).
    """

    defaults = {"alpha": 0.001, "beta": 0.9}
    num_grad_stores = 1

    def _update(self, param, grad, g, i):
        velocity = self.grad_stores[0]
        velocity[g] = self.beta * velocity[g] + (1 - self.beta) * grad[g]
        return param[g] - self.alpha * velocity[g]


class RMS_Prop(Optimizer):
    """RMSProp: divide each step by a running root mean square of the gradients.

        s ← β₂ s + (1 - β₂) g²       (s = 0 at first)
        θ ← θ - α g / (√s + ε)

    No bias correction (that is Adam). PyTorch's RMSprop(alpha=β₂, eps=ε) is
    the same rule.

    Hyperparameters:
        alpha: α, the learning rate (default 0.001).
        beta2: β₂ (default 0.9, as in Hinton's lecture and Keras; PyTorch uses 0.99).
        epsilon: ε (default 1e-8).
    """

    defaults = {"alpha": 0.001, "beta2": 0.9, "epsilon": 1e-8}
    num_grad_stores = 1

    def _update(self, param, grad, g, i):
        mean_square = self.grad_stores[0]
        mean_square[g] = self.beta2 * mean_square[g] + (1 - self.beta2) * grad[g] ** 2
        return param[g] - self.alpha * grad[g] / (np.sqrt(mean_square[g]) + self.epsilon)


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): momentum and RMSProp, with bias correction.

        m ← β₁ m + (1 - β₁) g        v ← β₂ v + (1 - β₂) g²     (m = v = 0 at first)
        m̂ = m / (1 - β₁^i)           v̂ = v / (1 - β₂^i)        (i = 1, 2, ...)
        θ ← θ - α m̂ / (√v̂ + ε)

    m and v start at 0, so early on they are too small by the factors
    (1 - β^i); dividing by them corrects this. The corrected values are
    computed afresh every step from m and v, never stored back.

    Hyperparameters:
        alpha: α, the learning rate (default 0.001).
        beta1: β₁ (default 0.9).
        beta2: β₂ (default 0.999).
        epsilon: ε (default 1e-8).
    """

    defaults = {"alpha": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
    num_grad_stores = 2

    def _update(self, param, grad, g, i):
        first, second = self.grad_stores
        first[g] = self.beta1 * first[g] + (1 - self.beta1) * grad[g]
        second[g] = self.beta2 * second[g] + (1 - self.beta2) * grad[g] ** 2
        first_hat = first[g] / (1 - self.beta1 ** i)
        second_hat = second[g] / (1 - self.beta2 ** i)
        return param[g] - self.alpha * first_hat / (np.sqrt(second_hat) + self.epsilon)
