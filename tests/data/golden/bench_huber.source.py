def huber_fn_forward(w, X, y):
    # forward sweep: the original computation
    t1 = X @ w
    r = t1 - y
    a = np.abs(r)
    t2 = a < 1.0
    t3 = r ** 2
    t4 = 0.5 * t3
    t5 = a - 0.5
    t6 = np.where(t2, t4, t5)
    huber_fn = np.mean(t6)
    return (huber_fn, (w, X, t1, r, t2, t4, t5, t6))


def huber_fn_backward(d_huber_fn, w, X, t1, r, t2, t4, t5, t6):
    # backward sweep: adjoints in reverse order
    # line 478: return np.mean(np.where(a < 1.0, 0.5 * r ** 2, a - 0.5))
    d_t6 = np.full_like(t6, d_huber_fn / max(np.size(t6), 1))
    d_t4 = unbroadcast(np.where(t2, d_t6, 0.0), t4)
    d_t5 = unbroadcast(np.where(t2, 0.0, d_t6), t5)
    d_a = d_t5
    d_t3 = d_t4 * 0.5
    d_r = d_t3 * 2 * r
    # line 477: a = np.abs(r)
    d_r = d_r + d_a * abs_slope(r)
    # line 476: r = X @ w - y
    d_t1 = unbroadcast(d_r, t1)
    d_w = matmul_adjoint_y(d_t1, X, w)
    return d_w

