def rnn_fn_forward(Wx, Wh, b, xs):
    # forward sweep: what the backward sweep reads
    t1 = xs.shape
    t2 = t1[1]
    t3 = Wh.shape
    t4 = t3[0]
    h = np.zeros((t2, t4))
    t5 = xs.shape
    t6 = t5[0]
    h_1 = h
    tape = []
    for t in range(t6):
        t7 = xs[t]
        t8 = t7 @ Wx
        t9 = h_1 @ Wh
        t10 = t8 + t9
        t11 = t10 + b
        h_2 = np.tanh(t11)
        tape.append((h_1, t7, h_2))
        h_1 = h_2
    return (None, (Wx, Wh, b, h_1, tape))


def rnn_fn_backward(d_rnn_fn, Wx, Wh, b, h_1, tape):
    # backward sweep: adjoints in reverse order
    # line 264: return np.mean(h * h)
    d_t12 = d_rnn_fn / 512
    d_h_1 = 2 * d_t12 * h_1
    d_Wh = zeros_like(Wh)
    d_Wx = zeros_like(Wx)
    d_b = zeros_like(b)
    # replay the loop's iterations in reverse
    for h_1, t7, h_2 in reversed(tape):
        d_h_2 = d_h_1
        # line 263: h = np.tanh(xs[t] @ Wx + h @ Wh + b)
        d_t11 = d_h_2 * (1 - h_2 * h_2)
        d_t10 = d_t11
        d_b += d_t11.sum(axis=0)
        d_t8 = d_t10
        d_t9 = d_t10
        d_h_1 = d_t9 @ Wh.T
        d_Wh += h_1.T @ d_t9
        d_Wx += t7.T @ d_t8
    return (d_Wx, d_Wh, d_b)


def rnn_fn_grad(Wx, Wh, b, xs):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = xs.shape
    t2 = t1[1]
    t3 = Wh.shape
    t4 = t3[0]
    h = np.zeros((t2, t4))
    t5 = xs.shape
    t6 = t5[0]
    h_1 = h
    del h
    tape = []
    h_1_steps = np.empty((51, 16, 32))
    h_1_steps[0] = h_1
    h_1 = h_1_steps[0]
    t8_steps = xs @ Wx
    for t in range(t6):
        t8 = t8_steps[t]
        t9 = h_1 @ Wh
        t10 = np.add(t8, t9, t9)
        t11 = np.add(t10, b, t10)
        h_2 = np.tanh(t11, h_1_steps[t + 1])
        tape.append(h_2)
        h_1 = h_2
    del t8_steps, t8
    # line 264: return np.mean(h * h)
    d_h_1 = 0.00390625 * h_1  # 1/256
    d_Wh = zeros_like(Wh)
    d_Wx = zeros_like(Wx)
    d_b = zeros_like(b)
    # replay the loop's iterations in reverse
    n_steps = len(tape)
    h_1_rows = h_1_steps[:n_steps]
    # what d_t11 multiplies in each step, all at once
    h_2_rows = h_1_steps[1:n_steps + 1]
    d_t11_steps = np.multiply(h_2_rows, h_2_rows)
    d_t11_steps = np.subtract(1, d_t11_steps, d_t11_steps)
    step = n_steps
    for h_2 in reversed(tape):
        step -= 1
        # line 263: h = np.tanh(xs[t] @ Wx + h @ Wh + b)
        d_t11 = np.multiply(d_h_1, d_t11_steps[step], d_t11_steps[step])
        d_h_1 = d_t11 @ Wh.T
    d_b += d_t11_steps.sum(axis=(0, 1))
    d_Wh += h_1_rows.reshape(n_steps * 16, 32).T @ d_t11_steps.reshape(n_steps * 16, 32)
    d_Wx += xs[:n_steps].reshape(n_steps * 16, 8).T @ d_t11_steps.reshape(n_steps * 16, 32)
    del d_t11_steps, h_2_rows, h_1_rows, h_1_steps
    return (d_Wx, d_Wh, d_b)

