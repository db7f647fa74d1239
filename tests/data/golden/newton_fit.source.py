def loss_forward(w, X, y):
    # forward sweep: the original computation
    z = X @ w
    t1 = np.logaddexp(0.0, z)
    t2 = y * z
    t3 = t1 - t2
    loss = np.mean(t3)
    return (loss, (w, X, y, z, t1, t2, t3))


def loss_backward(d_loss, w, X, y, z, t1, t2, t3):
    # backward sweep: adjoints in reverse order
    # line 30: return np.mean(np.logaddexp(0.0, z) - y * z)
    d_t3 = np.full_like(t3, d_loss / max(np.size(t3), 1))
    d_t1 = unbroadcast(d_t3, t1)
    d_t2 = unbroadcast(-d_t3, t2)
    d_z = unbroadcast(d_t2 * y, z)
    d_z = d_z + d_t1 * 0.5 * (1 + np.tanh(z * 0.5))
    # line 29: z = X @ w
    d_w = matmul_adjoint_y(d_z, X, w)
    return d_w

