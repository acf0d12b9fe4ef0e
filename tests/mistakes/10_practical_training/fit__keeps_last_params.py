# mistake: the best parameters are never put back: the model ends with the last round's
def fit(model, optimizer, x_val, y_val, eval_every, max_rounds, patience):
    """Train with early stopping (see above); the model ends with the best parameters. Returns (stopper, history)."""
    stopper, history = EarlyStopping(patience), []
    for _ in range(max_rounds):
        optimizer.train(eval_every, print_each=0, progress=False)
        history.append(evaluate_loss(model, x_val, y_val))
        if stopper.update(history[-1], model.get_param()):
            break
    return stopper, history
