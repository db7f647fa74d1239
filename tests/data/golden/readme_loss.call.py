def loss_forward(w, b, x, y):
    # forward sweep: what the backward sweep reads
    t1 = w * x
    yhat = t1 + b
    err = yhat - y
    t2 = np.mean(err)
    cond = t2 > 0
    if cond:
        err_1 = err * 2.0
    else:
        err_1 = err
    return (None, (x, cond, err_1))


def loss_backward(d_loss, x, cond, err_1):
    # backward sweep: adjoints in reverse order
    # line 57: return np.mean(err ** 2)
    d_t3 = d_loss / 5
    d_err_1 = d_t3 * 2 * err_1
    if cond:
        # line 56: err = err * 2.0
        d_err = d_err_1 * 2.0
    else:
        d_err = d_err_1
    # line 54: err = yhat - y
    d_yhat = d_err
    # line 53: yhat = w * x + b
    d_t1 = d_yhat
    d_b = d_yhat.sum()
    d_w = np.dot(d_t1, x)
    return (d_w, d_b)


def loss_grad(w, b, x, y):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = w * x
    yhat = np.add(t1, b, t1)
    err = np.subtract(yhat, y, yhat)
    t2 = np.mean(err)
    cond = t2 > 0
    if cond:
        err_1 = err * 2.0
    else:
        err_1 = err
    # line 57: return np.mean(err ** 2)
    d_err_1 = 0.4 * err_1
    if cond:
        # line 56: err = err * 2.0
        d_err = d_err_1 * 2.0
    else:
        d_err = d_err_1
    # line 54: err = yhat - y
    # line 53: yhat = w * x + b
    d_b = np.add.reduce(d_err, axis=None)
    d_w = np.dot(d_err, x)
    return (d_w, d_b)

