# mistake: no max subtraction: overflows to nan for large logits
def softmax(self):
    """Row-wise softmax: each row of the result is positive and sums to 1."""
    shifted = self
    log_norm = shifted.exp().sum(axis=1).log()                # n x 1
    return (shifted - log_norm).exp()


Node.softmax = softmax
