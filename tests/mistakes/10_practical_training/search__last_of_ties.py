# mistake: among equal validation accuracies picks the last. Subtle: the visible test has no tie
def select_and_test(configs, train, evaluate):
    """Choose the configuration with the best validation accuracy; evaluate only it on the test set."""
    models = [train(config) for config in configs]
    val_accuracies = [evaluate(model, "val") for model in models]
    best = len(val_accuracies) - 1 - int(np.argmax(val_accuracies[::-1]))
    return configs[best], val_accuracies, evaluate(models[best], "test")
