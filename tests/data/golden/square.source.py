def square_forward(x):
    # forward sweep: the original computation
    square = x ** 2
    return (square, (x,))


def square_backward(d_square, x):
    # backward sweep: adjoints in reverse order
    # line 49: return x ** 2
    d_x = d_square * 2 * x
    return d_x

