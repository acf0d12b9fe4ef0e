# mistake: recursion over all paths instead of a topological order: fails on deep graphs
def grad(self, g=1.0):
    """Reverse-mode automatic differentiation.

    g: backward signal of this node, a number or an array broadcastable to self.shape
       (use 1 for a scalar output).
    Returns {name: d(output)/d(node)} for all named nodes this node depends on.
    """
    g = np.broadcast_to(np.asarray(g, dtype=np.float64), self.shape).copy()
    result = {}

    def backprop(node, g_node):
        if node.name is not None:
            result[node.name] = result.get(node.name, 0) + g_node
        if node._backward is not None:
            for parent, g_parent in zip(node._parents, node._parent_grads(g_node)):
                backprop(parent, g_parent)

    backprop(self, g)
    return result


Node.grad = grad
