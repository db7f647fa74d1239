def rnn_forward(Wx, Wh, xs):
    # forward sweep: what the backward sweep reads
    t1 = Wh.shape
    t2 = t1[0]
    h = np.zeros(t2)
    t3 = xs.shape
    t4 = t3[0]
    h_1 = h
    tape = []
    for t in range(t4):
        t5 = xs[t]
        t6 = Wx @ t5
        t7 = Wh @ h_1
        t8 = t6 + t7
        h_2 = np.tanh(t8)
        tape.append((h_1, t5, h_2))
        h_1 = h_2
    return (None, (Wx, Wh, h_1, tape))


def rnn_backward(d_rnn, Wx, Wh, h_1, tape):
    # backward sweep: adjoints in reverse order
    # line 64: return np.sum(h ** 2)
    d_t9 = d_rnn
    d_h_1 = d_t9 * 2 * h_1
    d_Wh = zeros_like(Wh)
    d_Wx = zeros_like(Wx)
    # replay the loop's iterations in reverse
    for h_1, t5, h_2 in reversed(tape):
        d_h_2 = d_h_1
        # line 63: h = np.tanh(Wx @ xs[t] + Wh @ h)
        d_t8 = d_h_2 * (1 - h_2 * h_2)
        d_t6 = d_t8
        d_t7 = d_t8
        d_Wh += np.outer(d_t7, h_1)
        d_h_1 = d_t7 @ Wh
        d_Wx += np.outer(d_t6, t5)
    return (d_Wx, d_Wh)


def rnn_grad(Wx, Wh, xs):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = Wh.shape
    t2 = t1[0]
    h = np.zeros(t2)
    t3 = xs.shape
    t4 = t3[0]
    h_1 = h
    tape = []
    for t in range(t4):
        t5 = xs[t]
        t6 = Wx @ t5
        t7 = Wh @ h_1
        t8 = np.add(t6, t7, t6)
        h_2 = np.tanh(t8, t8)
        tape.append((h_1, t5, h_2))
        h_1 = h_2
    # line 64: return np.sum(h ** 2)
    d_h_1 = 2.0 * h_1
    d_Wh = zeros_like(Wh)
    d_Wx = zeros_like(Wx)
    # replay the loop's iterations in reverse
    for h_1, t5, h_2 in reversed(tape):
        # line 63: h = np.tanh(Wx @ xs[t] + Wh @ h)
        d_t8 = d_h_1 * (1 - h_2 * h_2)
        d_Wh += np.outer(d_t8, h_1)
        d_h_1 = d_t8 @ Wh
        d_Wx += np.outer(d_t8, t5)
    return (d_Wx, d_Wh)

