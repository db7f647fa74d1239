def loss_forward(w, X, y):
    # forward sweep: what the backward sweep reads
    z = X @ w
    return (None, (X, y, z))


def loss_backward(d_loss, X, y, z):
    # backward sweep: adjoints in reverse order
    # line 30: return np.mean(np.logaddexp(0.0, z) - y * z)
    d_t3 = d_loss / 8
    d_t1 = d_t3
    d_t2 = -d_t3
    d_z = d_t2 * y
    d_z += d_t1 * 0.5 * (1 + np.tanh(z * 0.5))
    # line 29: z = X @ w
    d_w = d_z @ X
    return d_w


def loss_grad(w, X, y):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    z = X @ w
    # line 30: return np.mean(np.logaddexp(0.0, z) - y * z)
    d_z = np.multiply(z, 0.5, z)
    d_z = np.tanh(d_z, d_z)
    d_z = np.add(1.0, d_z, d_z)
    d_z = np.multiply(0.0625, d_z, d_z)  # 1/16
    d_z += -0.125 * y  # -1/8
    # line 29: z = X @ w
    d_w = d_z @ X
    return d_w

