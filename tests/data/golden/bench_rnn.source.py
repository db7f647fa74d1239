def rnn_fn_forward(Wx, Wh, b, xs):
    # forward sweep: the original computation
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
        tape.append((h_1, t7, t8, t9, t10, h_2))
        h_1 = h_2
    t12 = h_1 * h_1
    rnn_fn = np.mean(t12)
    return (rnn_fn, (Wx, Wh, b, h_1, t12, tape))


def rnn_fn_backward(d_rnn_fn, Wx, Wh, b, h_1, t12, tape):
    # backward sweep: adjoints in reverse order
    # line 264: return np.mean(h * h)
    d_t12 = np.full_like(t12, d_rnn_fn / max(np.size(t12), 1))
    d_h_1 = 2 * unbroadcast(d_t12 * h_1, h_1)
    d_Wh = zeros_like(Wh)
    d_Wx = zeros_like(Wx)
    d_b = zeros_like(b)
    # replay the loop's iterations in reverse
    for h_1, t7, t8, t9, t10, h_2 in reversed(tape):
        d_h_2 = d_h_1
        # line 263: h = np.tanh(xs[t] @ Wx + h @ Wh + b)
        d_t11 = d_h_2 * (1 - h_2 * h_2)
        d_t10 = unbroadcast(d_t11, t10)
        d_b = d_b + unbroadcast(d_t11, b)
        d_t8 = unbroadcast(d_t10, t8)
        d_t9 = unbroadcast(d_t10, t9)
        d_h_1 = matmul_adjoint_x(d_t9, h_1, Wh)
        d_Wh = d_Wh + matmul_adjoint_y(d_t9, h_1, Wh)
        d_Wx = d_Wx + matmul_adjoint_y(d_t8, t7, Wx)
    return (d_Wx, d_Wh, d_b)

