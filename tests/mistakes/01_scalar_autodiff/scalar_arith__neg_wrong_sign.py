# mistake: the local derivative of -x is recorded as +1 instead of -1 (wrong sign); the value is right
@add_to_class(Scalar)
def __mul__(self, other):
    """self * other"""
    other = as_scalar(other)
    return Scalar(self.value * other.value,
                  parents=((self, other.value), (other, self.value)), op="*")


@add_to_class(Scalar)
def __rmul__(self, other):
    """other * self, where other is a number"""
    return as_scalar(other) * self


@add_to_class(Scalar)
def __neg__(self):
    """-self"""
    return Scalar(-self.value, parents=((self, 1.0),), op="neg")


@add_to_class(Scalar)
def __sub__(self, other):
    """self - other"""
    return self + (-as_scalar(other))


@add_to_class(Scalar)
def __rsub__(self, other):
    """other - self, where other is a number"""
    return as_scalar(other) - self
