# mistake: gradients are not reduced to the operand's shape (broadcast operands get the full-size gradient)
def add(self, other):
    """Element-wise self + other, with broadcasting."""
    other = Node._as_node(other)
    def backward(g):
        return g, g
    return Node._from_op(self.value + other.value, (self, other), backward, "+")


def mul(self, other):
    """Element-wise self * other, with broadcasting."""
    other = Node._as_node(other)
    def backward(g):
        return g * other.value, g * self.value
    return Node._from_op(self.value * other.value, (self, other), backward, "*")


Node.__add__ = Node.__radd__ = add     # a + b, and 2 + a
Node.__mul__ = Node.__rmul__ = mul     # a * b, and 2 * a
