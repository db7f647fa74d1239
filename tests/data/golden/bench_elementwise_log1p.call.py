def elementwise_log1p_fn_forward(x):
    # forward sweep: what the backward sweep reads
    t1 = np.sin(x)
    t2 = x ** 2
    t3 = -t2
    t4 = np.exp(t3)
    t6 = x ** 2
    return (None, (x, t1, t4, t6))


def elementwise_log1p_fn_backward(d_elementwise_log1p_fn, x, t1, t4, t6):
    # backward sweep: adjoints in reverse order
    # line 445: return np.sum(np.sin(x) * np.exp(-x ** 2) + np.log1p(x ** 2))
    d_t8 = d_elementwise_log1p_fn
    d_t5 = d_t8
    d_t7 = d_t8
    d_t6 = safe_div(d_t7, 1 + t6)
    d_x = d_t6 * 2 * x
    d_t1 = d_t5 * t4
    d_t4 = d_t5 * t1
    d_t3 = d_t4 * t4
    d_t2 = -d_t3
    d_x += d_t2 * 2 * x
    d_x += d_t1 * np.cos(x)
    return d_x


def elementwise_log1p_fn_grad(x):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = np.sin(x)
    t2 = x ** 2
    t3 = -t2
    t4 = np.exp(t3, t3)
    del t3
    # line 445: return np.sum(np.sin(x) * np.exp(-x ** 2) + np.log1p(x ** 2))
    d_t3 = np.multiply(t1, t4, t1)
    del t1
    d_t2 = np.negative(d_t3, d_t3)
    del d_t3
    d_t6 = np.add(1.0, t2, t2)
    d_t6 = np.divide(1.0, d_t6, d_t6)
    del t2
    d_x = np.multiply(d_t6, 2.0, d_t6)
    d_x = np.multiply(d_x, x, d_x)
    del d_t6
    d_x_term = np.multiply(d_t2, 2.0, d_t2)
    d_x += np.multiply(d_x_term, x, d_x_term)
    del d_t2, d_x_term
    d_x_term_1 = np.cos(x)
    d_x += np.multiply(t4, d_x_term_1, d_x_term_1)
    del d_x_term_1
    return d_x

