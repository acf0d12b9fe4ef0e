# mistake: the local derivative of a / b with respect to b is +a/b**2 instead of -a/b**2 (wrong sign)
@add_to_class(Scalar)
def __truediv__(self, other):
    """self / other"""
    other = as_scalar(other)
    return Scalar(self.value / other.value,
                  parents=((self, 1.0 / other.value), (other, self.value / other.value**2)),
                  op="/")


@add_to_class(Scalar)
def __rtruediv__(self, other):
    """other / self, where other is a number"""
    return as_scalar(other) / self
