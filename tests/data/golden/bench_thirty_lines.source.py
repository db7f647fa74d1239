def thirty_lines_fn_forward(W1, b1, W2, b2, X, Y, decay):
    # forward sweep: the original computation
    t1 = X @ W1
    t2 = t1 + b1
    h = np.tanh(t2)
    total = 0.0
    h_1 = h
    total_1 = total
    tape = []
    for k in range(3):
        t3 = h_1 @ W2
        z = t3 + b2
        t4 = k % 2
        cond = t4 == 0
        if cond:
            z_1 = z * decay
            t5 = None
        else:
            t5 = np.mean(z, axis=0)
            z_1 = z - t5
        r = np.tanh(z_1)
        r_1 = np.clip(r, -0.95, 0.95)
        t6 = 0.5 * r_1
        h_2 = h_1 + t6
        t7 = r_1 * r_1
        t8 = np.sum(t7)
        t9 = 0.01 * t8
        total_2 = total_1 + t9
        tape.append((h_1, total_1, t3, z, cond, t5, r, r_1, t6, t7, t9))
        h_1 = h_2
        total_1 = total_2
    t10 = W2.T
    s = h_1 @ t10
    m = np.max(s, axis=1, keepdims=True)
    t11 = s - m
    e = np.exp(t11)
    t12 = np.sum(e, axis=1, keepdims=True)
    p = e / t12
    err = p - Y
    t13 = err * err
    sq = np.sum(t13, axis=1)
    t14 = np.mean(sq)
    t15 = t14 + 1e-06
    scale = np.sqrt(t15)
    t16 = W1 * W1
    t17 = np.sum(t16)
    t18 = W2 * W2
    t19 = np.sum(t18)
    reg = t17 + t19
    cond_1 = scale > 0.5
    if cond_1:
        t20 = 0.001 * reg
        loss = scale + t20
        t21 = None
        t22 = None
    else:
        t21 = scale * scale
        t22 = 0.001 * reg
        loss = t21 + t22
        t20 = None
    spread = np.std(h_1, axis=0)
    t23 = np.mean(spread)
    t24 = 0.1 * t23
    loss_2 = loss + t24
    loss_3 = loss_2 + total_1
    t25 = b1 * b1
    t26 = b2 * b2
    t27 = t25 + t26
    t28 = np.sum(t27)
    t29 = 0.0001 * t28
    loss_4 = loss_3 + t29
    return (loss_4, (W1, b1, W2, b2, X, decay, t1, h, h_1, total_1, t10, s, m, e, t12, p, err, t13, sq, scale, t16, t17, t18, t19, cond_1, t20, loss, t21, t22, spread, t24, loss_2, loss_3, t25, t26, t27, t29, tape))


def thirty_lines_fn_backward(d_loss_4, W1, b1, W2, b2, X, decay, t1, h, h_1, total_1, t10, s, m, e, t12, p, err, t13, sq, scale, t16, t17, t18, t19, cond_1, t20, loss, t21, t22, spread, t24, loss_2, loss_3, t25, t26, t27, t29, tape):
    # backward sweep: adjoints in reverse order
    # line 394: loss = loss + 1e-4 * np.sum(b1 * b1 + b2 * b2)
    d_loss_3 = unbroadcast(d_loss_4, loss_3)
    d_t29 = unbroadcast(d_loss_4, t29)
    d_t28 = d_t29 * 0.0001
    d_t27 = np.full_like(t27, d_t28)
    d_t25 = unbroadcast(d_t27, t25)
    d_t26 = unbroadcast(d_t27, t26)
    d_b2 = 2 * unbroadcast(d_t26 * b2, b2)
    d_b1 = 2 * unbroadcast(d_t25 * b1, b1)
    # line 393: loss = loss + total
    d_loss_2 = unbroadcast(d_loss_3, loss_2)
    d_total_1 = unbroadcast(d_loss_3, total_1)
    # line 392: loss = loss + 0.1 * np.mean(spread)
    d_loss = unbroadcast(d_loss_2, loss)
    d_t24 = unbroadcast(d_loss_2, t24)
    d_t23 = d_t24 * 0.1
    d_spread = np.full_like(spread, d_t23 / max(np.size(spread), 1))
    # line 391: spread = np.std(h, axis=0)
    n_1 = np.size(h_1) / np.size(spread)
    d_h_1 = safe_div(repeat_to(d_spread, h_1, 0, False) * centered(h_1, 0), repeat_to(spread, h_1, 0, False) * n_1)
    if cond_1:
        # line 388: loss = scale + 1e-3 * reg
        d_scale = unbroadcast(d_loss, scale)
        d_t20 = unbroadcast(d_loss, t20)
        d_reg = d_t20 * 0.001
    else:
        # line 390: loss = scale * scale + 1e-3 * reg
        d_t21 = unbroadcast(d_loss, t21)
        d_t22 = unbroadcast(d_loss, t22)
        d_reg = d_t22 * 0.001
        d_scale = 2 * unbroadcast(d_t21 * scale, scale)
    # line 386: reg = np.sum(W1 * W1) + np.sum(W2 * W2)
    d_t17 = unbroadcast(d_reg, t17)
    d_t19 = unbroadcast(d_reg, t19)
    d_t18 = np.full_like(t18, d_t19)
    d_W2 = 2 * unbroadcast(d_t18 * W2, W2)
    d_t16 = np.full_like(t16, d_t17)
    d_W1 = 2 * unbroadcast(d_t16 * W1, W1)
    # line 385: scale = np.sqrt(np.mean(sq) + 1e-6)
    d_t15 = safe_div(d_scale, 2 * scale)
    d_t14 = d_t15
    d_sq = np.full_like(sq, d_t14 / max(np.size(sq), 1))
    # line 384: sq = np.sum(err * err, axis=1)
    d_t13 = repeat_to(d_sq, t13, 1, False)
    d_err = 2 * unbroadcast(d_t13 * err, err)
    # line 383: err = p - Y
    d_p = unbroadcast(d_err, p)
    # line 382: p = e / np.sum(e, axis=1, keepdims=True)
    d_e = unbroadcast(safe_div(d_p, t12), e)
    d_t12 = unbroadcast(-safe_div(d_p * e, t12 * t12), t12)
    d_e = d_e + repeat_to(d_t12, e, 1, True)
    # line 381: e = np.exp(s - m)
    d_t11 = d_e * e
    d_s = unbroadcast(d_t11, s)
    d_m = unbroadcast(-d_t11, m)
    # line 380: m = np.max(s, axis=1, keepdims=True)
    d_s = d_s + split_among_ties(d_m, s, m, 1, True)
    # line 379: s = h @ W2.T
    d_h_1 = d_h_1 + matmul_adjoint_x(d_s, h_1, t10)
    d_t10 = matmul_adjoint_y(d_s, h_1, t10)
    d_W2 = d_W2 + np.transpose(d_t10)
    # replay the loop's iterations in reverse
    for h_1, total_1, t3, z, cond, t5, r, r_1, t6, t7, t9 in reversed(tape):
        d_total_2 = d_total_1
        d_h_2 = d_h_1
        # line 378: total = total + 0.01 * np.sum(r * r)
        d_total_1 = unbroadcast(d_total_2, total_1)
        d_t9 = unbroadcast(d_total_2, t9)
        d_t8 = d_t9 * 0.01
        d_t7 = np.full_like(t7, d_t8)
        d_r_1 = 2 * unbroadcast(d_t7 * r_1, r_1)
        # line 377: h = h + 0.5 * r
        d_h_1 = unbroadcast(d_h_2, h_1)
        d_t6 = unbroadcast(d_h_2, t6)
        d_r_1 = d_r_1 + d_t6 * 0.5
        # line 376: r = np.clip(r, -0.95, 0.95)
        d_r = d_r_1 * ((-0.95 <= r) & (r <= 0.95))
        # line 375: r = np.tanh(z)
        d_z_1 = d_r * (1 - r * r)
        if cond:
            # line 372: z = z * decay
            d_z = unbroadcast(d_z_1 * decay, z)
        else:
            # line 374: z = z - np.mean(z, axis=0)
            d_z = unbroadcast(d_z_1, z)
            d_t5 = unbroadcast(-d_z_1, t5)
            n_3 = np.size(z) / np.size(t5)
            d_z = d_z + repeat_to(d_t5 / n_3, z, 0, False)
        # line 370: z = h @ W2 + b2
        d_t3 = unbroadcast(d_z, t3)
        d_b2 = d_b2 + unbroadcast(d_z, b2)
        d_h_1 = d_h_1 + matmul_adjoint_x(d_t3, h_1, W2)
        d_W2 = d_W2 + matmul_adjoint_y(d_t3, h_1, W2)
    d_h = d_h_1
    # line 367: h = np.tanh(X @ W1 + b1)
    d_t2 = d_h * (1 - h * h)
    d_t1 = unbroadcast(d_t2, t1)
    d_b1 = d_b1 + unbroadcast(d_t2, b1)
    d_W1 = d_W1 + matmul_adjoint_y(d_t1, X, W1)
    return (d_W1, d_b1, d_W2, d_b2)

