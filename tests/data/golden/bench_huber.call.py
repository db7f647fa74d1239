def huber_fn_forward(w, X, y):
    # forward sweep: what the backward sweep reads
    t1 = X @ w
    r = t1 - y
    a = np.abs(r)
    t2 = a < 1.0
    return (None, (X, r, t2))


def huber_fn_backward(d_huber_fn, X, r, t2):
    # backward sweep: adjoints in reverse order
    # line 478: return np.mean(np.where(a < 1.0, 0.5 * r ** 2, a - 0.5))
    d_t6 = d_huber_fn / 1000
    d_t4 = np.where(t2, d_t6, 0.0)
    d_t5 = np.where(t2, 0.0, d_t6)
    d_a = d_t5
    d_t3 = d_t4 * 0.5
    d_r = d_t3 * 2 * r
    # line 477: a = np.abs(r)
    d_r += d_a * np.sign(r)
    # line 476: r = X @ w - y
    d_t1 = d_r
    d_w = d_t1 @ X
    return d_w


def huber_fn_grad(w, X, y):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = X @ w
    r = np.subtract(t1, y, t1)
    a = np.abs(r)
    t2 = a < 1.0
    # line 478: return np.mean(np.where(a < 1.0, 0.5 * r ** 2, a - 0.5))
    # line 477: a = np.abs(r)
    d_r = np.where(t2, r, np.sign(r)) * 0.001
    # line 476: r = X @ w - y
    d_w = d_r @ X
    return d_w

