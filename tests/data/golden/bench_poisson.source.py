def poisson_fn_forward(w, X, counts):
    # forward sweep: the original computation
    eta = X @ w
    t1 = np.exp(eta)
    t2 = counts * eta
    t3 = t1 - t2
    poisson_fn = np.mean(t3)
    return (poisson_fn, (w, X, counts, eta, t1, t2, t3))


def poisson_fn_backward(d_poisson_fn, w, X, counts, eta, t1, t2, t3):
    # backward sweep: adjoints in reverse order
    # line 543: return np.mean(np.exp(eta) - counts * eta)
    d_t3 = np.full_like(t3, d_poisson_fn / max(np.size(t3), 1))
    d_t1 = unbroadcast(d_t3, t1)
    d_t2 = unbroadcast(-d_t3, t2)
    d_eta = unbroadcast(d_t2 * counts, eta)
    d_eta = d_eta + d_t1 * t1
    # line 542: eta = X @ w
    d_w = matmul_adjoint_y(d_eta, X, w)
    return d_w

