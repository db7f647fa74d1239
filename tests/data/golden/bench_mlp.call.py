def mlp_fn_forward(W1, b1, W2, b2, X, Y):
    # forward sweep: what the backward sweep reads
    t1 = X @ W1
    t2 = t1 + b1
    h = np.tanh(t2)
    t3 = h @ W2
    logits = t3 + b2
    t4 = np.max(logits, axis=1, keepdims=True)
    shifted = logits - t4
    t5 = np.exp(shifted)
    t6 = np.sum(t5, axis=1, keepdims=True)
    return (None, (W2, X, Y, h, t5, t6))


def mlp_fn_backward(d_mlp_fn, W2, X, Y, h, t5, t6):
    # backward sweep: adjoints in reverse order
    # line 202: return -np.mean(np.sum(Y * log_probs, axis=1))
    d_t10 = -d_mlp_fn
    d_t9 = d_t10 / 256
    d_t8 = d_t9
    d_log_probs = d_t8 * Y
    # line 201: log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    d_shifted = d_log_probs
    d_t7 = -d_log_probs.sum(axis=1, keepdims=True)
    d_t6 = safe_div(d_t7, t6)
    d_t5 = d_t6
    d_shifted = d_shifted + d_t5 * t5
    # line 200: shifted = logits - np.max(logits, axis=1, keepdims=True)
    # t4 cancels out of the result: no adjoint for it
    d_logits = d_shifted
    # line 199: logits = h @ W2 + b2
    d_t3 = d_logits
    d_b2 = d_logits.sum(axis=0)
    d_h = d_t3 @ W2.T
    d_W2 = h.T @ d_t3
    # line 198: h = np.tanh(X @ W1 + b1)
    d_t2 = d_h * (1 - h * h)
    d_t1 = d_t2
    d_b1 = d_t2.sum(axis=0)
    d_W1 = X.T @ d_t1
    return (d_W1, d_b1, d_W2, d_b2)


def mlp_fn_grad(W1, b1, W2, b2, X, Y):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = X @ W1
    t2 = np.add(t1, b1, t1)
    del t1
    h = np.tanh(t2, t2)
    del t2
    t3 = h @ W2
    logits = np.add(t3, b2, t3)
    del t3
    t4 = np.max(logits, axis=1, keepdims=True)
    shifted = np.subtract(logits, t4, logits)
    del logits, t4
    t5 = np.exp(shifted, shifted)
    del shifted
    t6 = np.add.reduce(t5, axis=1, keepdims=True)
    # line 202: return -np.mean(np.sum(Y * log_probs, axis=1))
    d_log_probs = -0.00390625 * Y  # -1/256
    # line 201: log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    d_shifted = d_log_probs
    d_t7 = -np.add.reduce(d_log_probs, axis=1, keepdims=True)
    del d_log_probs
    d_t6 = safe_div(d_t7, t6)
    del d_t7, t6
    d_shifted = d_shifted + d_t6 * t5
    del d_t6, t5
    # line 200: shifted = logits - np.max(logits, axis=1, keepdims=True)
    # t4 cancels out of the result: no adjoint for it
    # line 199: logits = h @ W2 + b2
    d_b2 = np.add.reduce(d_shifted, axis=0)
    d_h = d_shifted @ W2.T
    d_W2 = h.T @ d_shifted
    del d_shifted
    # line 198: h = np.tanh(X @ W1 + b1)
    d_t2 = np.multiply(h, h, h)
    d_t2 = np.subtract(1.0, d_t2, d_t2)
    d_t2 = np.multiply(d_h, d_t2, spare(d_t2, d_h))
    del d_h, h
    d_b1 = np.add.reduce(d_t2, axis=0)
    d_W1 = X.T @ d_t2
    return (d_W1, d_b1, d_W2, d_b2)

