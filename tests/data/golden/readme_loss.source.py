def loss_forward(w, b, x, y):
    # forward sweep: the original computation
    t1 = w * x
    yhat = t1 + b
    err = yhat - y
    t2 = np.mean(err)
    cond = t2 > 0
    if cond:
        err_1 = err * 2.0
    else:
        err_1 = err
    t3 = err_1 ** 2
    loss = np.mean(t3)
    return (loss, (w, b, x, t1, yhat, cond, err_1, t3))


def loss_backward(d_loss, w, b, x, t1, yhat, cond, err_1, t3):
    # backward sweep: adjoints in reverse order
    # line 57: return np.mean(err ** 2)
    d_t3 = np.full_like(t3, d_loss / max(np.size(t3), 1))
    d_err_1 = d_t3 * 2 * err_1
    if cond:
        # line 56: err = err * 2.0
        d_err = d_err_1 * 2.0
    else:
        d_err = d_err_1
    # line 54: err = yhat - y
    d_yhat = unbroadcast(d_err, yhat)
    # line 53: yhat = w * x + b
    d_t1 = unbroadcast(d_yhat, t1)
    d_b = unbroadcast(d_yhat, b)
    d_w = unbroadcast(d_t1 * x, w)
    return (d_w, d_b)

