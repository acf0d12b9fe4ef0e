# mistake: counts all rounds without improvement since the start, not those since the best
class EarlyStopping:
    """Remembers the parameters with the lowest validation loss; says when to stop (see above)."""

    def __init__(self, patience):
        self.patience = patience
        self.best_loss = math.inf
        self.best_round = 0
        self.best_params = None
        self.rounds = 0

    def update(self, val_loss, params):
        """Record round `self.rounds + 1`; return True if training should stop now."""
        self.rounds += 1
        if val_loss < self.best_loss:
            self.best_loss, self.best_round = val_loss, self.rounds
            self.best_params = {name: value.copy() for name, value in params.items()}
            return False
        self.bad_rounds = getattr(self, "bad_rounds", 0) + 1
        return self.bad_rounds >= self.patience
