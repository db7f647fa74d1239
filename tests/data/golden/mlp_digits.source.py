def loss_forward(params, X, Y):
    # forward sweep: the original computation
    t1 = params['W1']
    t2 = X @ t1
    t3 = params['b1']
    t4 = t2 + t3
    hidden = np.tanh(t4)
    t5 = params['W2']
    t6 = hidden @ t5
    t7 = params['b2']
    logits = t6 + t7
    t8 = np.max(logits, axis=1, keepdims=True)
    shifted = logits - t8
    t9 = np.exp(shifted)
    t10 = np.sum(t9, axis=1, keepdims=True)
    t11 = np.log(t10)
    log_probs = shifted - t11
    t12 = Y * log_probs
    t13 = np.sum(t12, axis=1)
    t14 = np.mean(t13)
    loss = -t14
    return (loss, (params, X, Y, t1, t2, t3, hidden, t5, t6, t7, logits, t8, shifted, t9, t10, t11, log_probs, t12, t13))


def loss_backward(d_loss, params, X, Y, t1, t2, t3, hidden, t5, t6, t7, logits, t8, shifted, t9, t10, t11, log_probs, t12, t13):
    # backward sweep: adjoints in reverse order
    # line 41: return -np.mean(np.sum(Y * log_probs, axis=1))
    d_t14 = -d_loss
    d_t13 = np.full_like(t13, d_t14 / max(np.size(t13), 1))
    d_t12 = repeat_to(d_t13, t12, 1, False)
    d_log_probs = unbroadcast(d_t12 * Y, log_probs)
    # line 40: log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    d_shifted = unbroadcast(d_log_probs, shifted)
    d_t11 = unbroadcast(-d_log_probs, t11)
    d_t10 = safe_div(d_t11, t10)
    d_t9 = repeat_to(d_t10, t9, 1, True)
    d_shifted = d_shifted + d_t9 * t9
    # line 39: shifted = logits - np.max(logits, axis=1, keepdims=True)  # exp cannot overflow
    d_logits = unbroadcast(d_shifted, logits)
    d_t8 = unbroadcast(-d_shifted, t8)
    d_logits = d_logits + split_among_ties(d_t8, logits, t8, 1, True)
    # line 38: logits = hidden @ params["W2"] + params["b2"]
    d_t6 = unbroadcast(d_logits, t6)
    d_t7 = unbroadcast(d_logits, t7)
    d_params = scatter_add(params, 'b2', d_t7)
    d_hidden = matmul_adjoint_x(d_t6, hidden, t5)
    d_t5 = matmul_adjoint_y(d_t6, hidden, t5)
    d_params = d_params + scatter_add(params, 'W2', d_t5)
    # line 37: hidden = np.tanh(X @ params["W1"] + params["b1"])
    d_t4 = d_hidden * (1 - hidden * hidden)
    d_t2 = unbroadcast(d_t4, t2)
    d_t3 = unbroadcast(d_t4, t3)
    d_params = d_params + scatter_add(params, 'b1', d_t3)
    d_t1 = matmul_adjoint_y(d_t2, X, t1)
    d_params = d_params + scatter_add(params, 'W1', d_t1)
    return d_params

