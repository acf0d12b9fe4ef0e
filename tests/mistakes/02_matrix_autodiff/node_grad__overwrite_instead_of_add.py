# mistake: a parent's gradient is overwritten instead of added, so only one path counts
def grad(self, g=1.0):
    """Reverse-mode automatic differentiation.

    g: backward signal of this node, a number or an array broadcastable to self.shape
       (use 1 for a scalar output).
    Returns {name: d(output)/d(node)} for all named nodes this node depends on.
    """
    g = np.broadcast_to(np.asarray(g, dtype=np.float64), self.shape).copy()
    grads = {id(self): g}
    result = {}
    for node in reversed(self._topological_order()):
        g_node = grads.pop(id(node), None)
        if g_node is None:                   # cannot happen in a connected graph; be safe
            continue
        if node.name is not None:
            result[node.name] = g_node
        if node._backward is not None:
            for parent, g_parent in zip(node._parents, node._parent_grads(g_node)):
                grads[id(parent)] = g_parent
    return result


Node.grad = grad
