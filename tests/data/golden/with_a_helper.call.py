def with_a_helper_forward(W1, b1, W2, X):
    # forward sweep: what the backward sweep reads
    t3 = X @ W1
    t4 = t3 + b1
    dense_1 = np.tanh(t4)
    h = dense_1
    t5 = h @ W2
    t6 = t5 + 0.0
    dense_2 = np.tanh(t6)
    t1 = dense_2
    return (None, (W2, X, dense_1, h, dense_2, t1))


def with_a_helper_backward(d_with_a_helper, W2, X, dense_1, h, dense_2, t1):
    # backward sweep: adjoints in reverse order
    # line 87: return np.sum(dense(h, W2, 0.0) ** 2)
    d_t2 = d_with_a_helper
    d_t1 = d_t2 * 2 * t1
    d_dense_2 = d_t1
    # line 82, in dense: return np.tanh(x @ W + b)
    d_t6 = d_dense_2 * (1 - dense_2 * dense_2)
    d_t5 = d_t6
    d_h = d_t5 @ W2.T
    d_W2 = h.T @ d_t5
    # line 86: h = dense(X, W1, b1)
    d_dense_1 = d_h
    # line 82, in dense: return np.tanh(x @ W + b)
    d_t4 = d_dense_1 * (1 - dense_1 * dense_1)
    d_t3 = d_t4
    d_b1 = d_t4.sum(axis=0)
    d_W1 = X.T @ d_t3
    return (d_W1, d_b1, d_W2)


def with_a_helper_grad(W1, b1, W2, X):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t3 = X @ W1
    t4 = np.add(t3, b1, t3)
    dense_1 = np.tanh(t4, t4)
    t5 = dense_1 @ W2
    t6 = np.add(t5, 0.0, t5)
    dense_2 = np.tanh(t6, t6)
    # line 87: return np.sum(dense(h, W2, 0.0) ** 2)
    d_t1 = 2.0 * dense_2
    # line 82, in dense: return np.tanh(x @ W + b)
    d_t6 = np.multiply(dense_2, dense_2, dense_2)
    d_t6 = np.subtract(1.0, d_t6, d_t6)
    d_t6 = np.multiply(d_t1, d_t6, d_t6)
    d_h = d_t6 @ W2.T
    d_W2 = dense_1.T @ d_t6
    # line 86: h = dense(X, W1, b1)
    # line 82, in dense: return np.tanh(x @ W + b)
    d_t4 = np.multiply(dense_1, dense_1, dense_1)
    d_t4 = np.subtract(1.0, d_t4, d_t4)
    d_t4 = np.multiply(d_h, d_t4, d_t4)
    d_b1 = np.add.reduce(d_t4, axis=0)
    d_W1 = X.T @ d_t4
    return (d_W1, d_b1, d_W2)

