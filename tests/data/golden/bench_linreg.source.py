def linreg_fn_forward(w, b, x, y):
    # forward sweep: the original computation
    t1 = w * x
    yhat = t1 + b
    error = yhat - y
    t2 = error ** 2
    linreg_fn = np.mean(t2)
    return (linreg_fn, (w, b, x, t1, yhat, error, t2))


def linreg_fn_backward(d_linreg_fn, w, b, x, t1, yhat, error, t2):
    # backward sweep: adjoints in reverse order
    # line 130: return np.mean(error ** 2)
    d_t2 = np.full_like(t2, d_linreg_fn / max(np.size(t2), 1))
    d_error = d_t2 * 2 * error
    # line 129: error = yhat - y
    d_yhat = unbroadcast(d_error, yhat)
    # line 128: yhat = w * x + b
    d_t1 = unbroadcast(d_yhat, t1)
    d_b = unbroadcast(d_yhat, b)
    d_w = unbroadcast(d_t1 * x, w)
    return (d_w, d_b)

