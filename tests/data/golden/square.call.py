def square_forward(x):
    # forward sweep: what the backward sweep reads
    return (None, (x,))


def square_backward(d_square, x):
    # backward sweep: adjoints in reverse order
    # line 49: return x ** 2
    d_x = d_square * 2 * x
    return d_x


def square_grad(x):
    # the gradient: forward sweep, then backward sweep
    # line 49: return x ** 2
    d_x = 2.0 * x
    return d_x

