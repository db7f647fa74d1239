def loss_forward(params, X, Y):
    # forward sweep: what the backward sweep reads
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
    return (None, (X, Y, hidden, t5, t9, t10))


def loss_backward(d_loss, X, Y, hidden, t5, t9, t10):
    # backward sweep: adjoints in reverse order
    # line 41: return -np.mean(np.sum(Y * log_probs, axis=1))
    d_t14 = -d_loss
    d_t13 = d_t14 / 8
    d_t12 = d_t13
    d_log_probs = d_t12 * Y
    # line 40: log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    d_shifted = d_log_probs
    d_t11 = -d_log_probs.sum(axis=1, keepdims=True)
    d_t10 = safe_div(d_t11, t10)
    d_t9 = d_t10
    d_shifted = d_shifted + d_t9 * t9
    # line 39: shifted = logits - np.max(logits, axis=1, keepdims=True)  # exp cannot overflow
    # t8 cancels out of the result: no adjoint for it
    d_logits = d_shifted
    # line 38: logits = hidden @ params["W2"] + params["b2"]
    d_t6 = d_logits
    d_t7 = d_logits.sum(axis=0)
    d_hidden = d_t6 @ t5.T
    d_t5 = hidden.T @ d_t6
    # line 37: hidden = np.tanh(X @ params["W1"] + params["b1"])
    d_t4 = d_hidden * (1 - hidden * hidden)
    d_t2 = d_t4
    d_t3 = d_t4.sum(axis=0)
    d_t1 = X.T @ d_t2
    d_params = {'W1': d_t1, 'b1': d_t3, 'W2': d_t5, 'b2': d_t7}
    return d_params


def loss_grad(params, X, Y):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = params['W1']
    t2 = X @ t1
    t3 = params['b1']
    t4 = np.add(t2, t3, t2)
    hidden = np.tanh(t4, t4)
    t5 = params['W2']
    t6 = hidden @ t5
    t7 = params['b2']
    logits = np.add(t6, t7, t6)
    t8 = np.max(logits, axis=1, keepdims=True)
    shifted = np.subtract(logits, t8, logits)
    t9 = np.exp(shifted, shifted)
    t10 = np.add.reduce(t9, axis=1, keepdims=True)
    # line 41: return -np.mean(np.sum(Y * log_probs, axis=1))
    d_log_probs = -0.125 * Y  # -1/8
    # line 40: log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    d_shifted = d_log_probs
    d_t11 = -np.add.reduce(d_log_probs, axis=1, keepdims=True)
    d_t10 = safe_div(d_t11, t10)
    d_shifted = d_shifted + d_t10 * t9
    # line 39: shifted = logits - np.max(logits, axis=1, keepdims=True)  # exp cannot overflow
    # t8 cancels out of the result: no adjoint for it
    # line 38: logits = hidden @ params["W2"] + params["b2"]
    d_t7 = np.add.reduce(d_shifted, axis=0)
    d_hidden = d_shifted @ t5.T
    d_t5 = hidden.T @ d_shifted
    # line 37: hidden = np.tanh(X @ params["W1"] + params["b1"])
    d_t4 = d_hidden * (1 - hidden * hidden)
    d_t3 = np.add.reduce(d_t4, axis=0)
    d_t1 = X.T @ d_t4
    d_params = {'W1': d_t1, 'b1': d_t3, 'W2': d_t5, 'b2': d_t7}
    return d_params

