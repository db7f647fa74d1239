def softplus_logistic_fn_forward(w, X, y):
    # forward sweep: the original computation
    t1 = -y
    t2 = X @ w
    t3 = t1 * t2
    t4 = np.exp(t3)
    t5 = np.log1p(t4)
    softplus_logistic_fn = np.mean(t5)
    return (softplus_logistic_fn, (w, X, t1, t2, t4, t5))


def softplus_logistic_fn_backward(d_softplus_logistic_fn, w, X, t1, t2, t4, t5):
    # backward sweep: adjoints in reverse order
    # line 414: return np.mean(np.log1p(np.exp(-y * (X @ w))))
    d_t5 = np.full_like(t5, d_softplus_logistic_fn / max(np.size(t5), 1))
    d_t4 = safe_div(d_t5, 1 + t4)
    d_t3 = d_t4 * t4
    d_t2 = unbroadcast(d_t3 * t1, t2)
    d_w = matmul_adjoint_y(d_t2, X, w)
    return d_w

