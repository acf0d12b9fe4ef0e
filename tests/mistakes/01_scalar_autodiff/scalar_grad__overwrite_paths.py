# mistake: merges the parents' gradients with dict.update, so of several paths to a leaf only the last one counts
@add_to_class(Scalar)
def grad(self, g=1.0):
    """Reverse mode: return {leaf name: d out / d leaf} for all named leaves below self.

    g is d out / d self, the adjoint arriving from above (1.0 when self is the output).
    """
    if not self.parents:
        return {self.name: g} if self.name is not None else {}
    grads = {}
    for parent, local in self.parents:
        grads.update(parent.grad(g * local))
    return grads
