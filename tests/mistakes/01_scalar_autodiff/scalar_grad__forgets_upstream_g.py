# mistake: passes only the local derivative to the parent and forgets to multiply by the arriving gradient g
@add_to_class(Scalar)
def grad(self, g=1.0):
    """Reverse mode: return {leaf name: d out / d leaf} for all named leaves below self.

    g is d out / d self, the adjoint arriving from above (1.0 when self is the output).
    """
    if not self.parents:
        return {self.name: g} if self.name is not None else {}
    grads = {}
    for parent, local in self.parents:
        grads = combine_dicts(grads, parent.grad(local))
    return grads
