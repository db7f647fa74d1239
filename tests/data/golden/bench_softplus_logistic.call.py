def softplus_logistic_fn_forward(w, X, y):
    # forward sweep: what the backward sweep reads
    t1 = -y
    t2 = X @ w
    t3 = t1 * t2
    t4 = np.exp(t3)
    return (None, (X, t1, t4))


def softplus_logistic_fn_backward(d_softplus_logistic_fn, X, t1, t4):
    # backward sweep: adjoints in reverse order
    # line 414: return np.mean(np.log1p(np.exp(-y * (X @ w))))
    d_t5 = d_softplus_logistic_fn / 1000
    d_t4 = safe_div(d_t5, 1 + t4)
    d_t3 = d_t4 * t4
    d_t2 = d_t3 * t1
    d_w = d_t2 @ X
    return d_w


def softplus_logistic_fn_grad(w, X, y):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t2 = X @ w
    t1 = -y
    t3 = np.multiply(t1, t2, t2)
    t4 = np.exp(t3, t3)
    # line 414: return np.mean(np.log1p(np.exp(-y * (X @ w))))
    d_t4 = 1 + t4
    d_t4 = np.divide(0.001, d_t4, d_t4)
    d_t3 = np.multiply(d_t4, t4, d_t4)
    d_t2 = np.multiply(d_t3, t1, d_t3)
    d_w = d_t2 @ X
    return d_w

