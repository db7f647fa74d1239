def nonsense_loss_forward(w, b, x, y):
    # forward sweep: what the backward sweep reads
    t1 = w * x
    yhat = b + t1
    error = y - yhat
    t2 = error ** 2
    loss = t2.mean()
    cond = loss > THRESHOLD
    if cond:
        yhat2 = w * x
        error2 = y - yhat2
        t3 = error2.mean()
        loss_1 = loss + t3
    else:
        loss_1 = loss
        error2 = None
    return (None, (w, x, error, cond, error2))


def nonsense_loss_backward(d_loss_1, w, x, error, cond, error2):
    # backward sweep: adjoints in reverse order
    if cond:
        # line 34: loss += error2.mean()
        d_loss = d_loss_1
        d_t3 = d_loss_1
        d_error2 = np.full_like(error2, d_t3 / 5)
        # line 33: error2 = y - yhat2
        d_yhat2 = -d_error2
        # line 32: yhat2 = w * x
        d_w = np.dot(d_yhat2, x)
    else:
        d_loss = d_loss_1
        d_w = zeros_like(w)
    # line 27: loss = (error ** 2).mean()
    d_t2 = d_loss / 5
    d_error = d_t2 * 2 * error
    # line 26: error = y - yhat
    d_yhat = -d_error
    # line 25: yhat = b + w * x
    d_b = d_yhat.sum()
    d_t1 = d_yhat
    d_w = d_w + np.dot(d_t1, x)
    return (d_w, d_b)


def nonsense_loss_grad(w, b, x, y):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = w * x
    yhat = np.add(b, t1, t1)
    error = np.subtract(y, yhat, yhat)
    t2 = error ** 2
    loss = t2.mean()
    cond = loss > THRESHOLD
    if cond:
        yhat2 = w * x
        error2 = y - yhat2
        t3 = error2.mean()
        loss_1 = loss + t3
    else:
        error2 = None
    if cond:
        # line 34: loss += error2.mean()
        d_loss = 1.0
        d_error2 = np.full_like(error2, 0.2)
        # line 33: error2 = y - yhat2
        d_yhat2 = -d_error2
        # line 32: yhat2 = w * x
        d_w = np.dot(d_yhat2, x)
    else:
        d_loss = 1.0
        d_w = zeros_like(w)
    # line 27: loss = (error ** 2).mean()
    d_t2 = d_loss / 5
    d_error = d_t2 * 2 * error
    # line 26: error = y - yhat
    d_yhat = -d_error
    # line 25: yhat = b + w * x
    d_b = np.add.reduce(d_yhat, axis=None)
    d_w = d_w + np.dot(d_yhat, x)
    return (d_w, d_b)

