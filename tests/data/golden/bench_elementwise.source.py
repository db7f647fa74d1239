def elementwise_fn_forward(x):
    # forward sweep: the original computation
    t1 = np.sin(x)
    t2 = -x
    t3 = t2 * x
    t4 = np.exp(t3)
    t5 = t1 * t4
    t6 = x * x
    t7 = t5 + t6
    elementwise_fn = np.sum(t7)
    return (elementwise_fn, (x, t1, t2, t4, t5, t6, t7))


def elementwise_fn_backward(d_elementwise_fn, x, t1, t2, t4, t5, t6, t7):
    # backward sweep: adjoints in reverse order
    # line 329: return np.sum(np.sin(x) * np.exp(-x * x) + x * x)
    d_t7 = np.full_like(t7, d_elementwise_fn)
    d_t5 = unbroadcast(d_t7, t5)
    d_t6 = unbroadcast(d_t7, t6)
    d_x = 2 * unbroadcast(d_t6 * x, x)
    d_t1 = unbroadcast(d_t5 * t4, t1)
    d_t4 = unbroadcast(d_t5 * t1, t4)
    d_t3 = d_t4 * t4
    d_t2 = unbroadcast(d_t3 * x, t2)
    d_x = d_x + unbroadcast(d_t3 * t2, x)
    d_x = d_x - d_t2
    d_x = d_x + d_t1 * np.cos(x)
    return d_x

