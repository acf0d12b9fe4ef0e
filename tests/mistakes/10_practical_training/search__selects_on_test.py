# mistake: chooses the configuration with the best test accuracy
def select_and_test(configs, train, evaluate):
    """Choose the configuration with the best validation accuracy; evaluate only it on the test set."""
    models = [train(config) for config in configs]
    val_accuracies = [evaluate(model, "val") for model in models]
    test_accuracies = [evaluate(model, "test") for model in models]
    best = int(np.argmax(test_accuracies))
    return configs[best], val_accuracies, test_accuracies[best]
