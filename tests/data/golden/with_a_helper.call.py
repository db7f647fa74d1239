def with_a_helper_forward(W1, b1, W2, X):
    # forward sweep: what the backward sweep reads
    x = X
    W = W1
    b = b1
    t3 = x @ W
    t4 = t3 + b
    dense_1 = np.tanh(t4)
    h = dense_1
    x_1 = h
    W_1 = W2
    t5 = x_1 @ W_1
    t6 = t5 + 0.0
    dense_2 = np.tanh(t6)
    t1 = dense_2
    return (None, (x, dense_1, x_1, W_1, dense_2, t1))


def with_a_helper_backward(d_with_a_helper, x, dense_1, x_1, W_1, dense_2, t1):
    # backward sweep: adjoints in reverse order
    # line 87: return np.sum(dense(h, W2, 0.0) ** 2)
    d_t2 = d_with_a_helper
    d_t1 = d_t2 * 2 * t1
    d_dense_2 = d_t1
    d_t6 = d_dense_2 * (1 - dense_2 * dense_2)
    d_t5 = d_t6
    d_x_1 = d_t5 @ W_1.T
    d_W_1 = x_1.T @ d_t5
    d_W2 = d_W_1
    d_h = d_x_1
    # line 86: h = dense(X, W1, b1)
    d_dense_1 = d_h
    d_t4 = d_dense_1 * (1 - dense_1 * dense_1)
    d_t3 = d_t4
    d_b = d_t4.sum(axis=0)
    d_W = x.T @ d_t3
    d_b1 = d_b
    d_W1 = d_W
    return (d_W1, d_b1, d_W2)


def with_a_helper_grad(W1, b1, W2, X):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t3 = X @ W1
    t4 = np.add(t3, b1, t3)
    del t3
    dense_1 = np.tanh(t4, t4)
    del t4
    t5 = dense_1 @ W2
    t6 = np.add(t5, 0.0, t5)
    del t5
    dense_2 = np.tanh(t6, t6)
    del t6
    d_with_a_helper = 1.0
    # line 87: return np.sum(dense(h, W2, 0.0) ** 2)
    d_t1 = 2.0 * dense_2
    d_t6 = d_t1 * (1 - dense_2 * dense_2)
    del d_t1, dense_2
    d_x_1 = d_t6 @ W2.T
    d_W2 = dense_1.T @ d_t6
    del d_t6
    # line 86: h = dense(X, W1, b1)
    d_t4 = d_x_1 * (1 - dense_1 * dense_1)
    del d_x_1, dense_1
    d_b1 = np.add.reduce(d_t4, axis=0)
    d_W1 = X.T @ d_t4
    return (d_W1, d_b1, d_W2)

