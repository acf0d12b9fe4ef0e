# mistake: monitors the loss on the optimizer's training data instead of the validation set
def fit(model, optimizer, x_val, y_val, eval_every, max_rounds, patience):
    """Train with early stopping (see above); the model ends with the best parameters. Returns (stopper, history)."""
    stopper, history = EarlyStopping(patience), []
    for _ in range(max_rounds):
        optimizer.train(eval_every, print_each=0, progress=False)
        history.append(evaluate_loss(model, optimizer.x_train, optimizer.y_train))
        if stopper.update(history[-1], model.get_param()):
            break
    model.set_param(stopper.best_params)
    return stopper, history
