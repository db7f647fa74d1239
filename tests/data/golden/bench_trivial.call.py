def trivial_fn_forward(x):
    # forward sweep: what the backward sweep reads
    return (None, (x,))


def trivial_fn_backward(d_trivial_fn, x):
    # backward sweep: adjoints in reverse order
    # line 407: return x * x
    d_x = 2 * d_trivial_fn * x
    return d_x


def trivial_fn_grad(x):
    # the gradient: forward sweep, then backward sweep
    # line 407: return x * x
    d_x = 2.0 * x
    return d_x

