def bnn_fn_forward(mean, log_std, noise, X, y):
    # forward sweep: the original computation
    t1 = np.exp(log_std)
    t2 = t1 * noise
    w = mean + t2
    t3, t3_saved = unpack_bnn_forward(w)
    W1 = t3[0]
    b1 = t3[1]
    W2 = t3[2]
    b2 = t3[3]
    t4 = X @ W1
    t5 = t4 + b1
    h = np.tanh(t5)
    t6 = h @ W2
    pred = t6 + b2
    t7 = pred[:, 0]
    t8 = t7 - y
    t9 = t8 ** 2
    t10 = np.sum(t9)
    log_lik = -50.0 * t10
    t11 = w * w
    t12 = np.sum(t11)
    log_prior = -0.5 * t12
    entropy = np.sum(log_std)
    t13 = log_lik + log_prior
    t14 = t13 + entropy
    bnn_fn = -t14
    return (bnn_fn, (mean, log_std, noise, X, t1, t2, w, t3, t3_saved, W1, b1, W2, b2, t4, h, t6, pred, t7, t8, t9, log_lik, t11, log_prior, entropy, t13))


def bnn_fn_backward(d_bnn_fn, mean, log_std, noise, X, t1, t2, w, t3, t3_saved, W1, b1, W2, b2, t4, h, t6, pred, t7, t8, t9, log_lik, t11, log_prior, entropy, t13):
    # backward sweep: adjoints in reverse order
    # line 752: return -(log_lik + log_prior + entropy)
    d_t14 = -d_bnn_fn
    d_t13 = unbroadcast(d_t14, t13)
    d_entropy = unbroadcast(d_t14, entropy)
    d_log_lik = unbroadcast(d_t13, log_lik)
    d_log_prior = unbroadcast(d_t13, log_prior)
    # line 751: entropy = np.sum(log_std)
    d_log_std = np.full_like(log_std, d_entropy)
    # line 750: log_prior = -0.5 * np.sum(w * w)
    d_t12 = d_log_prior * -0.5
    d_t11 = np.full_like(t11, d_t12)
    d_w = 2 * unbroadcast(d_t11 * w, w)
    # line 749: log_lik = -50.0 * np.sum((pred[:, 0] - y) ** 2)  # noise variance 0.01
    d_t10 = d_log_lik * -50.0
    d_t9 = np.full_like(t9, d_t10)
    d_t8 = d_t9 * 2 * t8
    d_t7 = unbroadcast(d_t8, t7)
    d_pred = scatter_add(pred, (slice(None, None, None), 0), d_t7)
    # line 748: pred = h @ W2 + b2
    d_t6 = unbroadcast(d_pred, t6)
    d_b2 = unbroadcast(d_pred, b2)
    d_h = matmul_adjoint_x(d_t6, h, W2)
    d_W2 = matmul_adjoint_y(d_t6, h, W2)
    # line 747: h = np.tanh(X @ W1 + b1)
    d_t5 = d_h * (1 - h * h)
    d_t4 = unbroadcast(d_t5, t4)
    d_b1 = unbroadcast(d_t5, b1)
    d_W1 = matmul_adjoint_y(d_t4, X, W1)
    # line 746: W1, b1, W2, b2 = unpack_bnn(w)
    d_t3 = scatter_add(t3, 3, d_b2)
    d_t3 = d_t3 + scatter_add(t3, 2, d_W2)
    d_t3 = d_t3 + scatter_add(t3, 1, d_b1)
    d_t3 = d_t3 + scatter_add(t3, 0, d_W1)
    d_w = d_w + unpack_bnn_backward(d_t3, *t3_saved)
    # line 745: w = mean + np.exp(log_std) * noise  # one sample of the weights (reparameterized)
    d_mean = unbroadcast(d_w, mean)
    d_t2 = unbroadcast(d_w, t2)
    d_t1 = unbroadcast(d_t2 * noise, t1)
    d_log_std = d_log_std + d_t1 * t1
    return (d_mean, d_log_std)


def unpack_bnn_forward(w):
    # forward sweep: the original computation
    t1 = w[:128]
    W1 = t1.reshape((4, 32))
    b1 = w[128:160]
    t2 = w[160:192]
    W2 = t2.reshape((32, 1))
    b2 = w[192:193]
    unpack_bnn = (W1, b1, W2, b2)
    return (unpack_bnn, (w, t1, t2))


def unpack_bnn_backward(d_unpack_bnn, w, t1, t2):
    # backward sweep: adjoints in reverse order
    # line 741: return W1, b1, W2, b2
    d_W1, d_b1, d_W2, d_b2 = d_unpack_bnn
    # line 740: b2 = w[192:193]
    d_w = scatter_add(w, slice(192, 193, None), d_b2)
    # line 739: W2 = w[160:192].reshape((32, 1))
    d_t2 = np.reshape(d_W2, np.shape(t2))
    d_w = d_w + scatter_add(w, slice(160, 192, None), d_t2)
    # line 738: b1 = w[128:160]
    d_w = d_w + scatter_add(w, slice(128, 160, None), d_b1)
    # line 737: W1 = w[:128].reshape((4, 32))
    d_t1 = np.reshape(d_W1, np.shape(t1))
    d_w = d_w + scatter_add(w, slice(None, 128, None), d_t1)
    return d_w

