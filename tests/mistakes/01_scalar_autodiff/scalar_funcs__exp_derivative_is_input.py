# mistake: the local derivative of exp(x) is recorded as the input x instead of the output exp(x)
@add_to_class(Scalar)
def square(self):
    """self ** 2"""
    return Scalar(self.value**2, parents=((self, 2.0 * self.value),), op="square")


@add_to_class(Scalar)
def exp(self):
    """e ** self"""
    out = math.exp(self.value)
    return Scalar(out, parents=((self, self.value),), op="exp")


@add_to_class(Scalar)
def log(self):
    """natural logarithm of self (self.value > 0)"""
    return Scalar(math.log(self.value), parents=((self, 1.0 / self.value),), op="log")


@add_to_class(Scalar)
def sigmoid(self):
    """logistic sigmoid 1 / (1 + e ** -self)"""
    x = self.value
    if x >= 0:
        s = 1.0 / (1.0 + math.exp(-x))
    else:
        s = math.exp(x) / (1.0 + math.exp(x))
    return Scalar(s, parents=((self, s * (1.0 - s)),), op="sigmoid")
