def logistic_fn_forward(W, b, X, y):
    # forward sweep: what the backward sweep reads
    t1 = X @ W
    z = t1 + b
    return (None, (X, y, z))


def logistic_fn_backward(d_logistic_fn, X, y, z):
    # backward sweep: adjoints in reverse order
    # line 159: return np.mean(np.logaddexp(0.0, z) - y * z)  # log(1 + e^z) - y z
    d_t4 = d_logistic_fn / 1000
    d_t2 = d_t4
    d_t3 = -d_t4
    d_z = d_t3 * y
    d_z += d_t2 * 0.5 * (1 + np.tanh(z * 0.5))
    # line 158: z = X @ W + b
    d_t1 = d_z
    d_b = d_z.sum()
    d_W = d_t1 @ X
    return (d_W, d_b)


def logistic_fn_grad(W, b, X, y):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = X @ W
    z = np.add(t1, b, t1)
    # line 159: return np.mean(np.logaddexp(0.0, z) - y * z)  # log(1 + e^z) - y z
    d_z = np.multiply(z, 0.5, z)
    d_z = np.tanh(d_z, d_z)
    d_z = np.add(1.0, d_z, d_z)
    d_z = np.multiply(0.0005, d_z, d_z)
    d_z += -0.001 * y
    # line 158: z = X @ W + b
    d_b = np.add.reduce(d_z, axis=None)
    d_W = d_z @ X
    return (d_W, d_b)

