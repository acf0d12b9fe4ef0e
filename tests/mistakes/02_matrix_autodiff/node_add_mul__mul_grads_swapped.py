# mistake: mul gradients swapped: each operand is multiplied by itself instead of by the other operand
def add(self, other):
    """Element-wise self + other, with broadcasting."""
    other = Node._as_node(other)
    def backward(g):
        return _reduce_to(g, self.shape), _reduce_to(g, other.shape)
    return Node._from_op(self.value + other.value, (self, other), backward, "+")


def mul(self, other):
    """Element-wise self * other, with broadcasting."""
    other = Node._as_node(other)
    def backward(g):
        return _reduce_to(g * self.value, self.shape), _reduce_to(g * other.value, other.shape)
    return Node._from_op(self.value * other.value, (self, other), backward, "*")


Node.__add__ = Node.__radd__ = add     # a + b, and 2 + a
Node.__mul__ = Node.__rmul__ = mul     # a * b, and 2 * a
