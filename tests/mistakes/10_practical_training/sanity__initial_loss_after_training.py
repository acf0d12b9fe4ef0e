# mistake: the 'initial' loss measured on the trained model
def sanity_checks(make_model, x, y, steps, alpha):
    """The initial-loss check and the overfit-a-tiny-set check; returns a dict (see above)."""
    expected = math.log(y.shape[1])
    initial = evaluate_loss(make_model(), x, y)
    model = make_model()
    Adam(model, x, y, hyperparam={"alpha": alpha}, batch_size=len(x)).train(steps, print_each=0, progress=False)
    return {"expected": expected, "initial": evaluate_loss(model, x, y), "train_accuracy": evaluate_accuracy(model, x, y)}
