def logistic_fn_forward(W, b, X, y):
    # forward sweep: the original computation
    t1 = X @ W
    z = t1 + b
    t2 = np.logaddexp(0.0, z)
    t3 = y * z
    t4 = t2 - t3
    logistic_fn = np.mean(t4)
    return (logistic_fn, (W, b, X, y, t1, z, t2, t3, t4))


def logistic_fn_backward(d_logistic_fn, W, b, X, y, t1, z, t2, t3, t4):
    # backward sweep: adjoints in reverse order
    # line 159: return np.mean(np.logaddexp(0.0, z) - y * z)  # log(1 + e^z) - y z
    d_t4 = np.full_like(t4, d_logistic_fn / max(np.size(t4), 1))
    d_t2 = unbroadcast(d_t4, t2)
    d_t3 = unbroadcast(-d_t4, t3)
    d_z = unbroadcast(d_t3 * y, z)
    d_z = d_z + d_t2 * 0.5 * (1 + np.tanh(z * 0.5))
    # line 158: z = X @ W + b
    d_t1 = unbroadcast(d_z, t1)
    d_b = unbroadcast(d_z, b)
    d_W = matmul_adjoint_y(d_t1, X, W)
    return (d_W, d_b)

