def elementwise_fn_forward(x):
    # forward sweep: what the backward sweep reads
    t1 = np.sin(x)
    t2 = -x
    t3 = t2 * x
    t4 = np.exp(t3)
    return (None, (x, t1, t2, t4))


def elementwise_fn_backward(d_elementwise_fn, x, t1, t2, t4):
    # backward sweep: adjoints in reverse order
    # line 329: return np.sum(np.sin(x) * np.exp(-x * x) + x * x)
    d_t7 = d_elementwise_fn
    d_t5 = d_t7
    d_t6 = d_t7
    d_x = 2 * d_t6 * x
    d_t1 = d_t5 * t4
    d_t4 = d_t5 * t1
    d_t3 = d_t4 * t4
    d_t2 = d_t3 * x
    d_x += d_t3 * t2
    d_x -= d_t2
    d_x += d_t1 * np.cos(x)
    return d_x


def elementwise_fn_grad(x):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = np.sin(x)
    t2 = -x
    t3 = t2 * x
    t4 = np.exp(t3, t3)
    del t3
    # line 329: return np.sum(np.sin(x) * np.exp(-x * x) + x * x)
    d_t3 = np.multiply(t1, t4, t1)
    del t1
    d_x = np.multiply(d_t3, t2, t2)
    del t2
    d_t2 = np.multiply(d_t3, x, d_t3)
    del d_t3
    d_x -= d_t2
    d_x_term = np.cos(x, d_t2)
    d_x += np.multiply(t4, d_x_term, d_x_term)
    del d_t2, d_x_term
    d_x += np.multiply(2.0, x, t4)
    del t4
    return d_x

