def thirty_lines_fn_forward(W1, b1, W2, b2, X, Y, decay):
    # forward sweep: what the backward sweep reads
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
        tape.append((h_1, z, cond, r, r_1, t7))
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
    else:
        t21 = scale * scale
        t22 = 0.001 * reg
        loss = t21 + t22
    spread = np.std(h_1, axis=0)
    return (None, (W1, b1, W2, b2, X, decay, h, h_1, t10, e, t12, err, scale, cond_1, spread, tape))


def thirty_lines_fn_backward(d_loss_4, W1, b1, W2, b2, X, decay, h, h_1, t10, e, t12, err, scale, cond_1, spread, tape):
    # backward sweep: adjoints in reverse order
    # line 394: loss = loss + 1e-4 * np.sum(b1 * b1 + b2 * b2)
    d_loss_3 = d_loss_4
    d_t29 = d_loss_4
    d_t28 = d_t29 * 0.0001
    d_t27 = d_t28
    d_t25 = d_t27
    d_t26 = d_t27
    d_b2 = 2 * d_t26 * b2
    d_b1 = 2 * d_t25 * b1
    # line 393: loss = loss + total
    d_loss_2 = d_loss_3
    d_total_1 = d_loss_3
    # line 392: loss = loss + 0.1 * np.mean(spread)
    d_loss = d_loss_2
    d_t24 = d_loss_2
    d_t23 = d_t24 * 0.1
    d_spread = d_t23 / 16
    # line 391: spread = np.std(h, axis=0)
    n_1 = 512 / 16
    d_h_1 = safe_div(repeat_to(d_spread, h_1, 0, False) * centered(h_1, 0), repeat_to(spread, h_1, 0, False) * n_1)
    if cond_1:
        # line 388: loss = scale + 1e-3 * reg
        d_scale = d_loss
        d_t20 = d_loss
        d_reg = d_t20 * 0.001
    else:
        # line 390: loss = scale * scale + 1e-3 * reg
        d_t21 = d_loss
        d_t22 = d_loss
        d_reg = d_t22 * 0.001
        d_scale = 2 * d_t21 * scale
    # line 386: reg = np.sum(W1 * W1) + np.sum(W2 * W2)
    d_t17 = d_reg
    d_t19 = d_reg
    d_t18 = d_t19
    d_W2 = 2 * d_t18 * W2
    d_t16 = d_t17
    d_W1 = 2 * d_t16 * W1
    # line 385: scale = np.sqrt(np.mean(sq) + 1e-6)
    d_t15 = safe_div(d_scale, 2 * scale)
    d_t14 = d_t15
    d_sq = d_t14 / 32
    # line 384: sq = np.sum(err * err, axis=1)
    d_t13 = d_sq
    d_err = 2 * d_t13 * err
    # line 383: err = p - Y
    d_p = d_err
    # line 382: p = e / np.sum(e, axis=1, keepdims=True)
    d_e = safe_div(d_p, t12)
    d_t12 = -safe_div(d_p * e, t12 * t12).sum(axis=1, keepdims=True)
    d_e += repeat_to(d_t12, e, 1, True)
    # line 381: e = np.exp(s - m)
    d_t11 = d_e * e
    # m cancels out of the result: no adjoint for it
    d_s = d_t11
    # line 379: s = h @ W2.T
    d_h_1 += d_s @ t10.T
    d_t10 = h_1.T @ d_s
    d_W2 = d_W2 + np.transpose(d_t10)
    # replay the loop's iterations in reverse
    for h_1, z, cond, r, r_1, t7 in reversed(tape):
        d_total_2 = d_total_1
        d_h_2 = d_h_1
        # line 378: total = total + 0.01 * np.sum(r * r)
        d_total_1 = d_total_2
        d_t9 = d_total_2
        d_t8 = d_t9 * 0.01
        d_t7 = np.full_like(t7, d_t8)
        d_r_1 = 2 * d_t7 * r_1
        # line 377: h = h + 0.5 * r
        d_h_1 = d_h_2
        d_t6 = d_h_2
        d_r_1 += d_t6 * 0.5
        # line 376: r = np.clip(r, -0.95, 0.95)
        d_r = d_r_1 * ((-0.95 <= r) & (r <= 0.95))
        # line 375: r = np.tanh(z)
        d_z_1 = d_r * (1 - r * r)
        if cond:
            # line 372: z = z * decay
            d_z = d_z_1 * decay
        else:
            # line 374: z = z - np.mean(z, axis=0)
            d_z = d_z_1
            d_t5 = (-d_z_1).sum(axis=0)
            n_3 = 512 / 16
            d_z = d_z + repeat_to(d_t5 / n_3, z, 0, False)
        # line 370: z = h @ W2 + b2
        d_t3 = d_z
        d_b2 += d_z.sum(axis=0)
        d_h_1 = d_h_1 + d_t3 @ W2.T
        d_W2 += h_1.T @ d_t3
    d_h = d_h_1
    # line 367: h = np.tanh(X @ W1 + b1)
    d_t2 = d_h * (1 - h * h)
    d_t1 = d_t2
    d_b1 += d_t2.sum(axis=0)
    d_W1 += X.T @ d_t1
    return (d_W1, d_b1, d_W2, d_b2)


def thirty_lines_fn_grad(W1, b1, W2, b2, X, Y, decay):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t1 = X @ W1
    t2 = np.add(t1, b1, t1)
    h = np.tanh(t2, t2)
    h_1 = h
    total_1 = 0.0
    tape = []
    for k in range(3):
        t3 = h_1 @ W2
        z = t3 + b2
        t4 = k % 2
        cond = t4 == 0
        if cond:
            z_1 = z * decay
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
        tape.append((h_1, z, cond, r, r_1, t7))
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
    else:
        t21 = scale * scale
        t22 = 0.001 * reg
        loss = t21 + t22
    spread = np.std(h_1, axis=0)
    # line 394: loss = loss + 1e-4 * np.sum(b1 * b1 + b2 * b2)
    d_b2 = 0.0002 * b2
    d_b1 = 0.0002 * b1
    # line 393: loss = loss + total
    d_total_1 = 1.0
    # line 392: loss = loss + 0.1 * np.mean(spread)
    # line 391: spread = np.std(h, axis=0)
    n_1 = 512 / 16
    d_h_1 = safe_div(repeat_to(0.00625, h_1, 0, False) * centered(h_1, 0), repeat_to(spread, h_1, 0, False) * n_1)  # 1/160
    if cond_1:
        # line 388: loss = scale + 1e-3 * reg
        d_scale = 1.0
        d_reg = 0.001
    else:
        # line 390: loss = scale * scale + 1e-3 * reg
        d_reg = 0.001
        d_scale = 2.0 * scale
    # line 386: reg = np.sum(W1 * W1) + np.sum(W2 * W2)
    d_W2 = 2 * d_reg * W2
    d_W1 = 2 * d_reg * W1
    # line 385: scale = np.sqrt(np.mean(sq) + 1e-6)
    d_t15 = d_scale / (2 * scale)
    d_sq = d_t15 / 32
    # line 384: sq = np.sum(err * err, axis=1)
    d_err = 2 * d_sq * err
    # line 383: err = p - Y
    # line 382: p = e / np.sum(e, axis=1, keepdims=True)
    d_e = safe_div(d_err, t12)
    d_t12 = -safe_div(d_err * e, t12 * t12).sum(axis=1, keepdims=True)
    d_e += repeat_to(d_t12, e, 1, True)
    # line 381: e = np.exp(s - m)
    d_t11 = d_e * e
    # m cancels out of the result: no adjoint for it
    # line 379: s = h @ W2.T
    d_h_1 += d_t11 @ t10.T
    d_t10 = h_1.T @ d_t11
    d_W2 = d_W2 + np.transpose(d_t10)
    # replay the loop's iterations in reverse
    for h_1, z, cond, r, r_1, t7 in reversed(tape):
        d_total_2 = d_total_1
        d_h_2 = d_h_1
        # line 378: total = total + 0.01 * np.sum(r * r)
        d_total_1 = d_total_2
        d_t8 = d_total_2 * 0.01
        d_t7 = np.full_like(t7, d_t8)
        d_r_1 = 2 * d_t7 * r_1
        # line 377: h = h + 0.5 * r
        d_h_1 = d_h_2
        d_r_1 += d_h_2 * 0.5
        # line 376: r = np.clip(r, -0.95, 0.95)
        d_r = d_r_1 * ((-0.95 <= r) & (r <= 0.95))
        # line 375: r = np.tanh(z)
        d_z_1 = d_r * (1 - r * r)
        if cond:
            # line 372: z = z * decay
            d_z = d_z_1 * decay
        else:
            # line 374: z = z - np.mean(z, axis=0)
            d_z = d_z_1
            d_t5 = (-d_z_1).sum(axis=0)
            n_3 = 512 / 16
            d_z = d_z + repeat_to(d_t5 / n_3, z, 0, False)
        # line 370: z = h @ W2 + b2
        d_b2 += d_z.sum(axis=0)
        d_h_1 = d_h_1 + d_z @ W2.T
        d_W2 += h_1.T @ d_z
    # line 367: h = np.tanh(X @ W1 + b1)
    d_t2 = d_h_1 * (1 - h * h)
    d_b1 += d_t2.sum(axis=0)
    d_W1 += X.T @ d_t2
    return (d_W1, d_b1, d_W2, d_b2)

