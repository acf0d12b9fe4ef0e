# mistake: dot gradient not transposed: g @ W and X @ g instead of g @ W.T and X.T @ g
def dot(self, other):
    """Matrix product self @ other."""
    other = Node._as_node(other)
    def backward(g):
        return g @ other.value, self.value @ g
    return Node._from_op(self.value @ other.value, (self, other), backward, "dot")


def transpose(self):
    """The transposed matrix."""
    def backward(g):
        return (g.T,)
    return Node._from_op(self.value.T, (self,), backward, "T")


Node.dot = Node.__matmul__ = dot
Node.transpose = transpose
Node.T = property(transpose)
