# mistake: a non-finite loss is skipped and the scan goes on. Subtle: the same as stopping when the run diverges for good (the visible tests' losses end at the divergence); the hidden test has finite losses after a non-finite one
def suggest_lr(lrs, losses, beta=0.7):
    """A base learning rate from a range test: the rate at the lowest smoothed loss, divided by 10."""
    smooth, best, best_lr = 0.0, math.inf, None
    for k, (lr, loss) in enumerate(zip(lrs, losses), start=1):
        if not math.isfinite(loss):
            continue
        smooth = beta * smooth + (1 - beta) * loss
        corrected = smooth / (1 - beta ** k)
        if corrected < best:
            best, best_lr = corrected, lr
    return best_lr / 10
