# mistake: the local derivative of x**2 is recorded as x instead of 2x
@add_to_class(Scalar)
def square(self):
    """self ** 2"""
    return Scalar(self.value**2, parents=((self, self.value),), op="square")


@add_to_class(Scalar)
def exp(self):
    """e ** self"""
    out = math.exp(self.value)
    return Scalar(out, parents=((self, out),), op="exp")


@add_to_class(Scalar)
def log(self):
    """natural logarithm of self (self.value > 0)"""
    return Scalar(math.log(self.value), parents=((self, 1.0 / self.value),), op="log")


@add_to_class(Scalar)
def sigmoid(self):
    """logistic sigmoid 1 / (1 + e ** -self)"""
    if self.value >= 0:
        s = 1.0 / (1.0 + math.exp(-self.value))
    else:
        e = math.exp(self.value)
        s = e / (1.0 + e)
    return Scalar(s, parents=((self, s * (1.0 - s)),), op="sigmoid")
