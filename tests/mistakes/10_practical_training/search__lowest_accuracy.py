# mistake: picks the lowest validation accuracy (as if it were a loss)
def select_and_test(configs, train, evaluate):
    """Choose the configuration with the best validation accuracy; evaluate only it on the test set."""
    models = [train(config) for config in configs]
    val_accuracies = [evaluate(model, "val") for model in models]
    best = int(np.argmin(val_accuracies))
    return configs[best], val_accuracies, evaluate(models[best], "test")
