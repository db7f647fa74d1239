def xent_fn_forward(W, b, X, Y):
    # forward sweep: the original computation
    t1 = X @ W
    logits = t1 + b
    t2 = np.exp(logits)
    t3 = np.sum(t2, axis=1, keepdims=True)
    t4 = np.log(t3)
    log_probs = logits - t4
    t5 = Y * log_probs
    t6 = np.sum(t5, axis=1)
    t7 = np.mean(t6)
    xent_fn = -t7
    return (xent_fn, (W, b, X, Y, t1, logits, t2, t3, t4, log_probs, t5, t6))


def xent_fn_backward(d_xent_fn, W, b, X, Y, t1, logits, t2, t3, t4, log_probs, t5, t6):
    # backward sweep: adjoints in reverse order
    # line 509: return -np.mean(np.sum(Y * log_probs, axis=1))
    d_t7 = -d_xent_fn
    d_t6 = np.full_like(t6, d_t7 / max(np.size(t6), 1))
    d_t5 = repeat_to(d_t6, t5, 1, False)
    d_log_probs = unbroadcast(d_t5 * Y, log_probs)
    # line 508: log_probs = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    d_logits = unbroadcast(d_log_probs, logits)
    d_t4 = unbroadcast(-d_log_probs, t4)
    d_t3 = safe_div(d_t4, t3)
    d_t2 = repeat_to(d_t3, t2, 1, True)
    d_logits = d_logits + d_t2 * t2
    # line 507: logits = X @ W + b
    d_t1 = unbroadcast(d_logits, t1)
    d_b = unbroadcast(d_logits, b)
    d_W = matmul_adjoint_y(d_t1, X, W)
    return (d_W, d_b)

