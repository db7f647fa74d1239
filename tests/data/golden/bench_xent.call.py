def xent_fn_forward(W, b, X, Y):
    # forward sweep: what the backward sweep reads
    t1 = X @ W
    logits = t1 + b
    t2 = np.exp(logits)
    t3 = np.sum(t2, axis=1, keepdims=True)
    return (None, (X, Y, t2, t3))


def xent_fn_backward(d_xent_fn, X, Y, t2, t3):
    # backward sweep: adjoints in reverse order
    # line 509: return -np.mean(np.sum(Y * log_probs, axis=1))
    d_t7 = -d_xent_fn
    d_t6 = d_t7 / 256
    d_t5 = d_t6
    d_log_probs = d_t5 * Y
    # line 508: log_probs = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    d_logits = d_log_probs
    d_t4 = -d_log_probs.sum(axis=1, keepdims=True)
    d_t3 = safe_div(d_t4, t3)
    d_t2 = d_t3
    d_logits = d_logits + d_t2 * t2
    # line 507: logits = X @ W + b
    d_t1 = d_logits
    d_b = d_logits.sum(axis=0)
    d_W = X.T @ d_t1
    return (d_W, d_b)


def xent_fn_grad(W, b, X, Y):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = X @ W
    logits = np.add(t1, b, t1)
    t2 = np.exp(logits, logits)
    t3 = np.add.reduce(t2, axis=1, keepdims=True)
    # line 509: return -np.mean(np.sum(Y * log_probs, axis=1))
    d_log_probs = -0.00390625 * Y  # -1/256
    # line 508: log_probs = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    d_logits = d_log_probs
    d_t4 = -np.add.reduce(d_log_probs, axis=1, keepdims=True)
    d_t3 = safe_div(d_t4, t3)
    d_logits = d_logits + d_t3 * t2
    # line 507: logits = X @ W + b
    d_b = np.add.reduce(d_logits, axis=0)
    d_W = X.T @ d_logits
    return (d_W, d_b)

