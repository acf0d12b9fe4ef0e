# mistake: subtracts the maximum of the whole matrix instead of each row's maximum: rows far below it underflow
def softmax(self):
    """Row-wise softmax: each row of the result is positive and sums to 1."""
    shifted = self - self.value.max()
    log_norm = shifted.exp().sum(axis=1).log()                # n x 1
    return (shifted - log_norm).exp()


Node.softmax = softmax
