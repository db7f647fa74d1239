def with_a_helper_forward(W1, b1, W2, X):
    # forward sweep: the original computation
    h, h_saved = dense_forward_W_b(X, W1, b1)
    t1, t1_saved = dense_forward_x_W(h, W2, 0.0)
    t2 = t1 ** 2
    with_a_helper = np.sum(t2)
    return (with_a_helper, (h_saved, t1, t1_saved, t2))


def with_a_helper_backward(d_with_a_helper, h_saved, t1, t1_saved, t2):
    # backward sweep: adjoints in reverse order
    # line 87: return np.sum(dense(h, W2, 0.0) ** 2)
    d_t2 = np.full_like(t2, d_with_a_helper)
    d_t1 = d_t2 * 2 * t1
    d_h, d_W2 = dense_backward_x_W(d_t1, *t1_saved)
    # line 86: h = dense(X, W1, b1)
    d_W1, d_b1 = dense_backward_W_b(d_h, *h_saved)
    return (d_W1, d_b1, d_W2)


def dense_forward_x_W(x, W, b):
    # forward sweep: the original computation
    t1 = x @ W
    t2 = t1 + b
    dense = np.tanh(t2)
    return (dense, (x, W, t1, dense))


def dense_backward_x_W(d_dense, x, W, t1, dense):
    # backward sweep: adjoints in reverse order
    # line 82: return np.tanh(x @ W + b)
    d_t2 = d_dense * (1 - dense * dense)
    d_t1 = unbroadcast(d_t2, t1)
    d_x = matmul_adjoint_x(d_t1, x, W)
    d_W = matmul_adjoint_y(d_t1, x, W)
    return (d_x, d_W)


def dense_forward_W_b(x, W, b):
    # forward sweep: the original computation
    t1 = x @ W
    t2 = t1 + b
    dense = np.tanh(t2)
    return (dense, (x, W, b, t1, dense))


def dense_backward_W_b(d_dense, x, W, b, t1, dense):
    # backward sweep: adjoints in reverse order
    # line 82: return np.tanh(x @ W + b)
    d_t2 = d_dense * (1 - dense * dense)
    d_t1 = unbroadcast(d_t2, t1)
    d_b = unbroadcast(d_t2, b)
    d_W = matmul_adjoint_y(d_t1, x, W)
    return (d_W, d_b)

