# mistake: exp's backward returns exp(x) and forgets to multiply by the incoming g
def exp(self):
    """Element-wise exponential."""
    value = np.exp(self.value)
    def backward(g):
        return (value,)
    return Node._from_op(value, (self,), backward, "exp")


def log(self):
    """Element-wise natural logarithm."""
    def backward(g):
        return (g / self.value,)
    return Node._from_op(np.log(self.value), (self,), backward, "log")


def relu(self):
    """Element-wise max(x, 0)."""
    def backward(g):
        return (g * (self.value > 0),)
    return Node._from_op(np.maximum(self.value, 0.0), (self,), backward, "relu")


Node.exp = exp
Node.log = log
Node.relu = relu
