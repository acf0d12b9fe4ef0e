# mistake: forgets the minus sign, so the loss is the (negative) mean log-likelihood and training would maximize it
def cross_entropy(probs, y, epsilon=1e-12):
    """Mean cross-entropy of predicted probabilities and one-hot targets.

    probs:   Node of shape (m, k), each row a probability distribution
    y:       NumPy array (or Node) of shape (m, k), one-hot rows
    epsilon: added to the probabilities before taking the logarithm

    Returns a 1x1 Node:  -(1/m) * sum_ij y_ij * log(probs_ij + epsilon)
    """
    m = probs.shape[0]
    return ((probs + epsilon).log() * y).sum() / m
