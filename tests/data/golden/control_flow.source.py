def nonsense_loss_forward(w, b, x, y):
    # forward sweep: the original computation
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
        t3 = None
        yhat2 = None
    return (loss_1, (w, b, x, t1, yhat, error, t2, loss, cond, yhat2, error2, t3))


def nonsense_loss_backward(d_loss_1, w, b, x, t1, yhat, error, t2, loss, cond, yhat2, error2, t3):
    # backward sweep: adjoints in reverse order
    if cond:
        # line 34: loss += error2.mean()
        d_loss = unbroadcast(d_loss_1, loss)
        d_t3 = unbroadcast(d_loss_1, t3)
        d_error2 = np.full_like(error2, d_t3 / max(np.size(error2), 1))
        # line 33: error2 = y - yhat2
        d_yhat2 = unbroadcast(-d_error2, yhat2)
        # line 32: yhat2 = w * x
        d_w = unbroadcast(d_yhat2 * x, w)
    else:
        d_loss = d_loss_1
        d_w = zeros_like(w)
    # line 27: loss = (error ** 2).mean()
    d_t2 = np.full_like(t2, d_loss / max(np.size(t2), 1))
    d_error = d_t2 * 2 * error
    # line 26: error = y - yhat
    d_yhat = unbroadcast(-d_error, yhat)
    # line 25: yhat = b + w * x
    d_b = unbroadcast(d_yhat, b)
    d_t1 = unbroadcast(d_yhat, t1)
    d_w = d_w + unbroadcast(d_t1 * x, w)
    return (d_w, d_b)

