# mistake: trains a fixed 300 steps with alpha=0.01 whatever steps and alpha say. Subtle: on the visible test's 100 images it still reaches 100 %; the hidden one-step run shows it
def sanity_checks(make_model, x, y, steps, alpha):
    """The initial-loss check and the overfit-a-tiny-set check; returns a dict (see above)."""
    expected = math.log(y.shape[1])
    initial = evaluate_loss(make_model(), x, y)
    model = make_model()
    Adam(model, x, y, hyperparam={"alpha": 0.01}, batch_size=len(x)).train(300, print_each=0, progress=False)
    return {"expected": expected, "initial": initial, "train_accuracy": evaluate_accuracy(model, x, y)}
