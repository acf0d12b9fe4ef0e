# mistake: normalizes over each column (axis 0) instead of each row: the columns sum to 1, the rows (examples) do not
def softmax(self):
    """Row-wise softmax: each row of the result is positive and sums to 1."""
    shifted = self - self.value.max(axis=0, keepdims=True)
    log_norm = shifted.exp().sum(axis=0).log()                # 1 x m
    return (shifted - log_norm).exp()


Node.softmax = softmax
