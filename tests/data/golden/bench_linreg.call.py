def linreg_fn_forward(w, b, x, y):
    # forward sweep: what the backward sweep reads
    t1 = w * x
    yhat = t1 + b
    error = yhat - y
    return (None, (x, error))


def linreg_fn_backward(d_linreg_fn, x, error):
    # backward sweep: adjoints in reverse order
    # line 130: return np.mean(error ** 2)
    d_t2 = d_linreg_fn / 100
    d_error = d_t2 * 2 * error
    # line 129: error = yhat - y
    d_yhat = d_error
    # line 128: yhat = w * x + b
    d_t1 = d_yhat
    d_b = d_yhat.sum()
    d_w = np.dot(d_t1, x)
    return (d_w, d_b)


def linreg_fn_grad(w, b, x, y):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = w * x
    yhat = np.add(t1, b, t1)
    error = np.subtract(yhat, y, yhat)
    # line 130: return np.mean(error ** 2)
    d_error = np.multiply(0.02, error, error)
    # line 129: error = yhat - y
    # line 128: yhat = w * x + b
    d_b = np.add.reduce(d_error, axis=None)
    d_w = np.dot(d_error, x)
    return (d_w, d_b)

