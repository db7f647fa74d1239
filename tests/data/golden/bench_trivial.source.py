def trivial_fn_forward(x):
    # forward sweep: the original computation
    trivial_fn = x * x
    return (trivial_fn, (x,))


def trivial_fn_backward(d_trivial_fn, x):
    # backward sweep: adjoints in reverse order
    # line 407: return x * x
    d_x = 2 * unbroadcast(d_trivial_fn * x, x)
    return d_x

