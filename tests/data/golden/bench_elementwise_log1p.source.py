def elementwise_log1p_fn_forward(x):
    # forward sweep: the original computation
    t1 = np.sin(x)
    t2 = x ** 2
    t3 = -t2
    t4 = np.exp(t3)
    t5 = t1 * t4
    t6 = x ** 2
    t7 = np.log1p(t6)
    t8 = t5 + t7
    elementwise_log1p_fn = np.sum(t8)
    return (elementwise_log1p_fn, (x, t1, t4, t5, t6, t7, t8))


def elementwise_log1p_fn_backward(d_elementwise_log1p_fn, x, t1, t4, t5, t6, t7, t8):
    # backward sweep: adjoints in reverse order
    # line 445: return np.sum(np.sin(x) * np.exp(-x ** 2) + np.log1p(x ** 2))
    d_t8 = np.full_like(t8, d_elementwise_log1p_fn)
    d_t5 = unbroadcast(d_t8, t5)
    d_t7 = unbroadcast(d_t8, t7)
    d_t6 = safe_div(d_t7, 1 + t6)
    d_x = d_t6 * 2 * x
    d_t1 = unbroadcast(d_t5 * t4, t1)
    d_t4 = unbroadcast(d_t5 * t1, t4)
    d_t3 = d_t4 * t4
    d_t2 = -d_t3
    d_x = d_x + d_t2 * 2 * x
    d_x = d_x + d_t1 * np.cos(x)
    return d_x

