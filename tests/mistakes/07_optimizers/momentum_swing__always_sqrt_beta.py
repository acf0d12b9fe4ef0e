# mistake: sqrt(beta) even when the roots are real
def swing(alpha, beta, lam):
    """Momentum (alpha, beta) on one coordinate of curvature lam: how its deviation evolves.

    Returns (factor, period): factor is the largest |r| of the two roots r of the recursion
    of question 1 (the factor by which the deviation shrinks per step, in the long run);
    period is the number of steps of one full swing, 2 pi / |arg r| for that root, and
    np.inf when it is real and positive (no swing).
    """
    c = 1 + beta - alpha * (1 - beta) * lam
    roots = np.roots([1.0, -c, beta]).astype(complex)
    angle = abs(np.angle(roots[0]))
    return float(np.sqrt(beta)), (2 * np.pi / angle if angle > 1e-12 else np.inf)
