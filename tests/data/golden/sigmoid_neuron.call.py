def neuron_loss_forward(w, b, x, y):
    # forward sweep: what the backward sweep reads
    t1 = w * x
    z = t1 + b
    t2 = -z
    t3 = np.exp(t2)
    t4 = 1.0 + t3
    y_hat = 1.0 / t4
    t5 = y - y_hat
    return (None, (x, t3, t4, t5))


def neuron_loss_backward(d_neuron_loss, x, t3, t4, t5):
    # backward sweep: adjoints in reverse order
    # line 36: return np.mean((y - y_hat) ** 2)
    d_t6 = d_neuron_loss / 5
    d_t5 = d_t6 * 2 * t5
    d_y_hat = -d_t5
    # line 35: y_hat = 1.0 / (1.0 + np.exp(-z))
    d_t4 = -safe_div(d_y_hat, t4 * t4)
    d_t3 = d_t4
    d_t2 = d_t3 * t3
    d_z = -d_t2
    # line 34: z = w * x + b
    d_t1 = d_z
    d_b = d_z.sum()
    d_w = np.dot(d_t1, x)
    return (d_w, d_b)


def neuron_loss_grad(w, b, x, y):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = w * x
    z = np.add(t1, b, t1)
    t2 = np.negative(z, z)
    t3 = np.exp(t2, t2)
    t4 = 1.0 + t3
    y_hat = 1.0 / t4
    t5 = np.subtract(y, y_hat, y_hat)
    # line 36: return np.mean((y - y_hat) ** 2)
    d_t5 = np.multiply(0.4, t5, t5)
    d_y_hat = np.negative(d_t5, d_t5)
    # line 35: y_hat = 1.0 / (1.0 + np.exp(-z))
    d_t4 = np.multiply(t4, t4, t4)
    d_t4 = np.divide(d_y_hat, d_t4, d_t4)
    d_t4 = np.negative(d_t4, d_t4)
    d_t2 = np.multiply(d_t4, t3, d_t4)
    d_z = np.negative(d_t2, d_t2)
    # line 34: z = w * x + b
    d_b = np.add.reduce(d_z, axis=None)
    d_w = np.dot(d_z, x)
    return (d_w, d_b)

