def rnn_forward(Wx, Wh, xs):
    # forward sweep: the original computation
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
        tape.append((h_1, t5, t6, t7, h_2))
        h_1 = h_2
    t9 = h_1 ** 2
    rnn = np.sum(t9)
    return (rnn, (Wx, Wh, h_1, t9, tape))


def rnn_backward(d_rnn, Wx, Wh, h_1, t9, tape):
    # backward sweep: adjoints in reverse order
    # line 64: return np.sum(h ** 2)
    d_t9 = np.full_like(t9, d_rnn)
    d_h_1 = d_t9 * 2 * h_1
    d_Wh = zeros_like(Wh)
    d_Wx = zeros_like(Wx)
    # replay the loop's iterations in reverse
    for h_1, t5, t6, t7, h_2 in reversed(tape):
        d_h_2 = d_h_1
        # line 63: h = np.tanh(Wx @ xs[t] + Wh @ h)
        d_t8 = d_h_2 * (1 - h_2 * h_2)
        d_t6 = unbroadcast(d_t8, t6)
        d_t7 = unbroadcast(d_t8, t7)
        d_Wh = d_Wh + matmul_adjoint_x(d_t7, Wh, h_1)
        d_h_1 = matmul_adjoint_y(d_t7, Wh, h_1)
        d_Wx = d_Wx + matmul_adjoint_x(d_t6, Wx, t5)
    return (d_Wx, d_Wh)

