# mistake: the expected loss typed in as ln 10 instead of computed from the number of classes. Subtle: right for this notebook's 10 classes; only the hidden test with 5 classes shows it
def sanity_checks(make_model, x, y, steps, alpha):
    """The initial-loss check and the overfit-a-tiny-set check; returns a dict (see above)."""
    expected = math.log(10)
    initial = evaluate_loss(make_model(), x, y)
    model = make_model()
    Adam(model, x, y, hyperparam={"alpha": alpha}, batch_size=len(x)).train(steps, print_each=0, progress=False)
    return {"expected": expected, "initial": initial, "train_accuracy": evaluate_accuracy(model, x, y)}
