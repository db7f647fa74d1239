def poisson_fn_forward(w, X, counts):
    # forward sweep: what the backward sweep reads
    eta = X @ w
    t1 = np.exp(eta)
    return (None, (X, counts, t1))


def poisson_fn_backward(d_poisson_fn, X, counts, t1):
    # backward sweep: adjoints in reverse order
    # line 543: return np.mean(np.exp(eta) - counts * eta)
    d_t3 = d_poisson_fn / 1000
    d_t1 = d_t3
    d_t2 = -d_t3
    d_eta = d_t2 * counts
    d_eta += d_t1 * t1
    # line 542: eta = X @ w
    d_w = d_eta @ X
    return d_w


def poisson_fn_grad(w, X, counts):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    eta = X @ w
    t1 = np.exp(eta, eta)
    # line 543: return np.mean(np.exp(eta) - counts * eta)
    d_eta = np.multiply(0.001, t1, t1)
    d_eta += -0.001 * counts
    # line 542: eta = X @ w
    d_w = d_eta @ X
    return d_w

