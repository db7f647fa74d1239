def mse_forward(w, b, x, y):
    # forward sweep: the original computation
    t1 = w * x
    yhat = t1 + b
    error = yhat - y
    t2 = error ** 2
    mse = np.mean(t2)
    return (mse, (w, b, x, t1, yhat, error, t2))


def mse_backward(d_mse, w, b, x, t1, yhat, error, t2):
    # backward sweep: adjoints in reverse order
    # line 36: return np.mean(error ** 2)
    d_t2 = np.full_like(t2, d_mse / max(np.size(t2), 1))
    d_error = d_t2 * 2 * error
    # line 35: error = yhat - y
    d_yhat = unbroadcast(d_error, yhat)
    # line 34: yhat = w * x + b
    d_t1 = unbroadcast(d_yhat, t1)
    d_b = unbroadcast(d_yhat, b)
    d_w = unbroadcast(d_t1 * x, w)
    return (d_w, d_b)

