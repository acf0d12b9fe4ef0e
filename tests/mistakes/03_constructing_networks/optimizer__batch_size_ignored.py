# mistake: random_batch returns all rows (shuffled) whatever batch_size is: full-batch gradient descent, not mini-batches
class Optimizer:
    """Trains a model on (x_train, y_train) with mini-batches.

    Subclasses define the update rule in _update and read their hyperparameters in _set_param.
    """

    def __init__(self, model, x_train, y_train, hyperparam=None, batch_size=32, rng=None):
        self.model = model
        self.x_train = np.asarray(x_train)
        self.y_train = np.asarray(y_train)
        if len(self.x_train) != len(self.y_train):
            raise ValueError(f"x_train has {len(self.x_train)} rows but y_train has {len(self.y_train)}")
        self.batch_size = batch_size
        self.hyperparam = dict(hyperparam or {})
        self.rng = np.random.default_rng(0) if rng is None else rng
        self._set_param()

    def random_batch(self):
        """(x, y): batch_size random rows of x_train and the same rows of y_train, without replacement."""
        n = len(self.x_train)
        rows = self.rng.permutation(n)   # all rows, shuffled
        return self.x_train[rows], self.y_train[rows]

    def _train(self, steps, print_each=100):
        """Run `steps` update steps (numbered 1..steps); returns the list of their losses."""
        losses = []
        for step in range(1, steps + 1):
            x, y = self.random_batch()
            grad, loss = self.model.get_grad(x, y)
            param = self.model.get_param()
            self.model.set_param({name: self._update(param, grad, name, step) for name in param})
            losses.append(loss)
            if print_each and step % print_each == 0:
                print(f"step {step:5d}   loss {loss:.5f}")
        return losses

    def train(self, steps=1000, print_each=100):
        """Train the model; returns the list of the losses of all steps."""
        return self._train(steps, print_each)

    # -- defined by subclasses ------------------------------------------------
    def _set_param(self):
        """Read the hyperparameters from self.hyperparam (called by __init__)."""

    def _update(self, param, grad, name, step):
        """The new value of parameter `name`, given all parameters, all gradients and the step (1, 2, ...)."""
        raise NotImplementedError("a subclass of Optimizer defines _update")
