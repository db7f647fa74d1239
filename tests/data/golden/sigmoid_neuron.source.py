def neuron_loss_forward(w, b, x, y):
    # forward sweep: the original computation
    t1 = w * x
    z = t1 + b
    t2 = -z
    t3 = np.exp(t2)
    t4 = 1.0 + t3
    y_hat = 1.0 / t4
    t5 = y - y_hat
    t6 = t5 ** 2
    neuron_loss = np.mean(t6)
    return (neuron_loss, (w, b, x, t1, t3, t4, y_hat, t5, t6))


def neuron_loss_backward(d_neuron_loss, w, b, x, t1, t3, t4, y_hat, t5, t6):
    # backward sweep: adjoints in reverse order
    # line 36: return np.mean((y - y_hat) ** 2)
    d_t6 = np.full_like(t6, d_neuron_loss / max(np.size(t6), 1))
    d_t5 = d_t6 * 2 * t5
    d_y_hat = unbroadcast(-d_t5, y_hat)
    # line 35: y_hat = 1.0 / (1.0 + np.exp(-z))
    d_t4 = -safe_div(d_y_hat, t4 * t4)
    d_t3 = d_t4
    d_t2 = d_t3 * t3
    d_z = -d_t2
    # line 34: z = w * x + b
    d_t1 = unbroadcast(d_z, t1)
    d_b = unbroadcast(d_z, b)
    d_w = unbroadcast(d_t1 * x, w)
    return (d_w, d_b)

