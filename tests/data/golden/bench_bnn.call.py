def bnn_fn_forward(mean, log_std, noise, X, y):
    # forward sweep: what the backward sweep reads
    t1 = np.exp(log_std)
    t2 = t1 * noise
    w = mean + t2
    t15 = w[:128]
    W1_1 = t15.reshape((4, 32))
    b1_1 = w[128:160]
    t16 = w[160:192]
    W2_1 = t16.reshape((32, 1))
    b2_1 = w[192:193]
    unpack_bnn_1 = (W1_1, b1_1, W2_1, b2_1)
    t3 = unpack_bnn_1
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
    return (None, (log_std, noise, X, t1, w, W2, h, t8))


def bnn_fn_backward(d_bnn_fn, log_std, noise, X, t1, w, W2, h, t8):
    # backward sweep: adjoints in reverse order
    # line 752: return -(log_lik + log_prior + entropy)
    d_t14 = -d_bnn_fn
    d_t13 = d_t14
    d_entropy = d_t14
    d_log_lik = d_t13
    d_log_prior = d_t13
    # line 751: entropy = np.sum(log_std)
    d_log_std = np.full_like(log_std, d_entropy)
    # line 750: log_prior = -0.5 * np.sum(w * w)
    d_t12 = d_log_prior * -0.5
    d_t11 = d_t12
    d_w = 2 * d_t11 * w
    # line 749: log_lik = -50.0 * np.sum((pred[:, 0] - y) ** 2)  # noise variance 0.01
    d_t10 = d_log_lik * -50.0
    d_t9 = d_t10
    d_t8 = d_t9 * 2 * t8
    d_t7 = d_t8
    d_pred = np.reshape(d_t7, (100, 1))
    # line 748: pred = h @ W2 + b2
    d_t6 = d_pred
    d_b2 = d_pred.sum(axis=0)
    d_h = d_t6 * W2.T
    d_W2 = h.T @ d_t6
    # line 747: h = np.tanh(X @ W1 + b1)
    d_t5 = d_h * (1 - h * h)
    d_t4 = d_t5
    d_b1 = d_t5.sum(axis=0)
    d_W1 = X.T @ d_t4
    # line 741, in unpack_bnn: return W1, b1, W2, b2
    d_W1_1 = d_W1
    d_b1_1 = d_b1
    d_W2_1 = d_W2
    d_b2_1 = d_b2
    # line 740, in unpack_bnn: b2 = w[192:193]
    d_w[192:193] += d_b2_1
    # line 739, in unpack_bnn: W2 = w[160:192].reshape((32, 1))
    d_t16 = np.reshape(d_W2_1, (32,))
    d_w[160:192] += d_t16
    # line 738, in unpack_bnn: b1 = w[128:160]
    d_w[128:160] += d_b1_1
    # line 737, in unpack_bnn: W1 = w[:128].reshape((4, 32))
    d_t15 = np.reshape(d_W1_1, (128,))
    d_w[:128] += d_t15
    # line 745: w = mean + np.exp(log_std) * noise  # one sample of the weights (reparameterized)
    d_mean = d_w
    d_t2 = d_w
    d_t1 = d_t2 * noise
    d_log_std += d_t1 * t1
    return (d_mean, d_log_std)


def bnn_fn_grad(mean, log_std, noise, X, y):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = np.exp(log_std)
    t2 = t1 * noise
    w = np.add(mean, t2, t2)
    t15 = w[:128]
    W1_1 = t15.reshape((4, 32))
    b1_1 = w[128:160]
    t16 = w[160:192]
    W2_1 = t16.reshape((32, 1))
    b2_1 = w[192:193]
    t4 = X @ W1_1
    t5 = np.add(t4, b1_1, t4)
    h = np.tanh(t5, t5)
    t6 = h @ W2_1
    pred = np.add(t6, b2_1, t6)
    t7 = pred[:, 0]
    t8 = t7 - y
    # line 752: return -(log_lik + log_prior + entropy)
    # line 751: entropy = np.sum(log_std)
    d_log_std = np.full_like(log_std, -1.0)
    # line 750: log_prior = -0.5 * np.sum(w * w)
    d_w = 1.0 * w
    # line 749: log_lik = -50.0 * np.sum((pred[:, 0] - y) ** 2)  # noise variance 0.01
    d_t8 = np.multiply(100.0, t8, t8)
    d_pred = np.reshape(d_t8, (100, 1))
    # line 748: pred = h @ W2 + b2
    d_b2 = np.add.reduce(d_pred, axis=0)
    d_h = d_pred * W2_1.T
    d_W2 = h.T @ d_pred
    # line 747: h = np.tanh(X @ W1 + b1)
    d_t5 = d_h * (1 - h * h)
    d_b1 = np.add.reduce(d_t5, axis=0)
    d_W1 = X.T @ d_t5
    # line 741, in unpack_bnn: return W1, b1, W2, b2
    # line 740, in unpack_bnn: b2 = w[192:193]
    d_w[192:193] += d_b2
    # line 739, in unpack_bnn: W2 = w[160:192].reshape((32, 1))
    d_t16 = np.reshape(d_W2, (32,))
    d_w[160:192] += d_t16
    # line 738, in unpack_bnn: b1 = w[128:160]
    d_w[128:160] += d_b1
    # line 737, in unpack_bnn: W1 = w[:128].reshape((4, 32))
    d_t15 = np.reshape(d_W1, (128,))
    d_w[:128] += d_t15
    # line 745: w = mean + np.exp(log_std) * noise  # one sample of the weights (reparameterized)
    d_t1 = d_w * noise
    d_log_std += d_t1 * t1
    d_mean = d_w
    return (d_mean, d_log_std)

