def mlp_fn_forward(W1, b1, W2, b2, X, Y):
    # forward sweep: the original computation
    t1 = X @ W1
    t2 = t1 + b1
    h = np.tanh(t2)
    t3 = h @ W2
    logits = t3 + b2
    t4 = np.max(logits, axis=1, keepdims=True)
    shifted = logits - t4
    t5 = np.exp(shifted)
    t6 = np.sum(t5, axis=1, keepdims=True)
    t7 = np.log(t6)
    log_probs = shifted - t7
    t8 = Y * log_probs
    t9 = np.sum(t8, axis=1)
    t10 = np.mean(t9)
    mlp_fn = -t10
    return (mlp_fn, (W1, b1, W2, b2, X, Y, t1, h, t3, logits, t4, shifted, t5, t6, t7, log_probs, t8, t9))


def mlp_fn_backward(d_mlp_fn, W1, b1, W2, b2, X, Y, t1, h, t3, logits, t4, shifted, t5, t6, t7, log_probs, t8, t9):
    # backward sweep: adjoints in reverse order
    # line 202: return -np.mean(np.sum(Y * log_probs, axis=1))
    d_t10 = -d_mlp_fn
    d_t9 = np.full_like(t9, d_t10 / max(np.size(t9), 1))
    d_t8 = repeat_to(d_t9, t8, 1, False)
    d_log_probs = unbroadcast(d_t8 * Y, log_probs)
    # line 201: log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    d_shifted = unbroadcast(d_log_probs, shifted)
    d_t7 = unbroadcast(-d_log_probs, t7)
    d_t6 = safe_div(d_t7, t6)
    d_t5 = repeat_to(d_t6, t5, 1, True)
    d_shifted = d_shifted + d_t5 * t5
    # line 200: shifted = logits - np.max(logits, axis=1, keepdims=True)
    d_logits = unbroadcast(d_shifted, logits)
    d_t4 = unbroadcast(-d_shifted, t4)
    d_logits = d_logits + split_among_ties(d_t4, logits, t4, 1, True)
    # line 199: logits = h @ W2 + b2
    d_t3 = unbroadcast(d_logits, t3)
    d_b2 = unbroadcast(d_logits, b2)
    d_h = matmul_adjoint_x(d_t3, h, W2)
    d_W2 = matmul_adjoint_y(d_t3, h, W2)
    # line 198: h = np.tanh(X @ W1 + b1)
    d_t2 = d_h * (1 - h * h)
    d_t1 = unbroadcast(d_t2, t1)
    d_b1 = unbroadcast(d_t2, b1)
    d_W1 = matmul_adjoint_y(d_t1, X, W1)
    return (d_W1, d_b1, d_W2, d_b2)

