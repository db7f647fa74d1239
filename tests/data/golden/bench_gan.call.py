def gan_fn_forward(gen_params, disc_params, z, real):
    # forward sweep: what the backward sweep reads
    t7 = gen_params[0]
    W1 = t7[0]
    b1 = t7[1]
    t8 = gen_params[1]
    W2 = t8[0]
    b2 = t8[1]
    t9 = gen_params[2]
    W3 = t9[0]
    b3 = t9[1]
    t10 = z @ W1
    t11 = t10 + b1
    mu = np.mean(t11, axis=0, keepdims=True)
    var = np.var(t11, axis=0, keepdims=True)
    t18 = t11 - mu
    t19 = var + 1e-05
    t20 = np.sqrt(t19)
    batch_norm_1 = t18 / t20
    t12 = batch_norm_1
    h = np.maximum(0.0, t12)
    t13 = h @ W2
    t14 = t13 + b2
    mu_1 = np.mean(t14, axis=0, keepdims=True)
    var_1 = np.var(t14, axis=0, keepdims=True)
    t21 = t14 - mu_1
    t22 = var_1 + 1e-05
    t23 = np.sqrt(t22)
    batch_norm_2 = t21 / t23
    t15 = batch_norm_2
    h_3 = np.maximum(0.0, t15)
    t16 = h_3 @ W3
    t17 = t16 + b3
    generate_1 = np.tanh(t17)
    fake = generate_1
    t24 = disc_params[0]
    W1_1 = t24[0]
    b1_1 = t24[1]
    t25 = disc_params[1]
    W2_1 = t25[0]
    b2_1 = t25[1]
    t26 = disc_params[2]
    W3_1 = t26[0]
    b3_1 = t26[1]
    t27 = real @ W1_1
    t28 = t27 + b1_1
    h_1 = np.tanh(t28)
    t29 = h_1 @ W2_1
    t30 = t29 + b2_1
    h_1_1 = np.tanh(t30)
    t31 = h_1_1 @ W3_1
    discriminate_1 = t31 + b3_1
    d_real = discriminate_1
    t32 = disc_params[0]
    W1_2 = t32[0]
    b1_2 = t32[1]
    t33 = disc_params[1]
    W2_2 = t33[0]
    b2_2 = t33[1]
    t34 = disc_params[2]
    W3_2 = t34[0]
    b3_2 = t34[1]
    t35 = fake @ W1_2
    t36 = t35 + b1_2
    h_2 = np.tanh(t36)
    t37 = h_2 @ W2_2
    t38 = t37 + b2_2
    h_2_1 = np.tanh(t38)
    t39 = h_2_1 @ W3_2
    discriminate_2 = t39 + b3_2
    d_fake = discriminate_2
    t40 = -d_real
    t4 = -d_fake
    t42 = -t4
    return (None, (z, real, W2, W3, t11, t18, t20, t12, h, t14, t21, t23, t15, h_3, generate_1, fake, W2_1, W3_1, h_1, h_1_1, W1_2, W2_2, W3_2, h_2, h_2_1, t40, t42))


def gan_fn_backward(d_gan_fn, z, real, W2, W3, t11, t18, t20, t12, h, t14, t21, t23, t15, h_3, generate_1, fake, W2_1, W3_1, h_1, h_1_1, W1_2, W2_2, W3_2, h_2, h_2_1, t40, t42):
    # backward sweep: adjoints in reverse order
    # line 637: return -np.mean(log_sigmoid(d_real)) - np.mean(log_sigmoid(-d_fake))
    d_t3 = d_gan_fn
    d_t6 = -d_gan_fn
    d_t5 = d_t6 / 100
    d_log_sigmoid_2 = d_t5
    # line 612, in log_sigmoid: return -np.logaddexp(0.0, -x)
    d_t43 = -d_log_sigmoid_2
    d_t42 = d_t43 * 0.5 * (1 + np.tanh(t42 * 0.5))
    d_t4 = -d_t42
    # line 637: return -np.mean(log_sigmoid(d_real)) - np.mean(log_sigmoid(-d_fake))
    d_d_fake = -d_t4
    d_t2 = -d_t3
    d_t1 = d_t2 / 100
    d_log_sigmoid_1 = d_t1
    # line 612, in log_sigmoid: return -np.logaddexp(0.0, -x)
    d_t41 = -d_log_sigmoid_1
    d_t40 = d_t41 * 0.5 * (1 + np.tanh(t40 * 0.5))
    d_d_real = -d_t40
    # line 636: d_fake = discriminate(disc_params, fake)
    d_discriminate_2 = d_d_fake
    # line 630, in discriminate: return h @ W3 + b3
    d_t39 = d_discriminate_2
    d_b3_2 = d_discriminate_2.sum(axis=0)
    d_h_2_1 = d_t39 * W3_2.T
    d_W3_2 = h_2_1.T @ d_t39
    # line 629, in discriminate: h = np.tanh(h @ W2 + b2)
    d_t38 = d_h_2_1 * (1 - h_2_1 * h_2_1)
    d_t37 = d_t38
    d_b2_2 = d_t38.sum(axis=0)
    d_h_2 = d_t37 @ W2_2.T
    d_W2_2 = h_2.T @ d_t37
    # line 628, in discriminate: h = np.tanh(x @ W1 + b1)
    d_t36 = d_h_2 * (1 - h_2 * h_2)
    d_t35 = d_t36
    d_b1_2 = d_t36.sum(axis=0)
    d_fake_1 = d_t35 @ W1_2.T
    d_W1_2 = fake.T @ d_t35
    # line 635: d_real = discriminate(disc_params, real)
    d_discriminate_1 = d_d_real
    # line 630, in discriminate: return h @ W3 + b3
    d_t31 = d_discriminate_1
    d_b3_1 = d_discriminate_1.sum(axis=0)
    d_h_1_1 = d_t31 * W3_1.T
    d_W3_1 = h_1_1.T @ d_t31
    # line 629, in discriminate: h = np.tanh(h @ W2 + b2)
    d_t30 = d_h_1_1 * (1 - h_1_1 * h_1_1)
    d_t29 = d_t30
    d_b2_1 = d_t30.sum(axis=0)
    d_h_1 = d_t29 @ W2_1.T
    d_W2_1 = h_1.T @ d_t29
    # line 628, in discriminate: h = np.tanh(x @ W1 + b1)
    d_t28 = d_h_1 * (1 - h_1 * h_1)
    d_t27 = d_t28
    d_b1_1 = d_t28.sum(axis=0)
    d_W1_1 = real.T @ d_t27
    # line 634: fake = generate(gen_params, z)
    d_generate_1 = d_fake_1
    # line 621, in generate: return np.tanh(h @ W3 + b3)
    d_t17 = d_generate_1 * (1 - generate_1 * generate_1)
    d_t16 = d_t17
    d_b3 = d_t17.sum(axis=0)
    d_h_3 = d_t16 @ W3.T
    d_W3 = h_3.T @ d_t16
    # line 620, in generate: h = np.maximum(0.0, batch_norm(h @ W2 + b2))
    d_t15 = d_h_3 * winner(t15, 0.0)
    d_batch_norm_2 = d_t15
    # line 608, in batch_norm: return (x - mu) / np.sqrt(var + 1e-5)
    d_t21 = safe_div(d_batch_norm_2, t23)
    d_t23 = -safe_div(d_batch_norm_2 * t21, t23 * t23).sum(axis=0, keepdims=True)
    d_t22 = safe_div(d_t23, 2 * t23)
    d_var_1 = d_t22
    d_t14 = d_t21
    d_mu_1 = -d_t21.sum(axis=0, keepdims=True)
    # line 607, in batch_norm: var = np.var(x, axis=0, keepdims=True)
    n_2 = 12800 / 128
    d_t14 = d_t14 + repeat_to(d_var_1, t14, 0, True) * 2 * centered(t14, 0) / n_2
    # line 606, in batch_norm: mu = np.mean(x, axis=0, keepdims=True)
    n_3 = 12800 / 128
    d_t14 += repeat_to(d_mu_1 / n_3, t14, 0, True)
    # line 620, in generate: h = np.maximum(0.0, batch_norm(h @ W2 + b2))
    d_t13 = d_t14
    d_b2 = d_t14.sum(axis=0)
    d_h = d_t13 @ W2.T
    d_W2 = h.T @ d_t13
    # line 619, in generate: h = np.maximum(0.0, batch_norm(z @ W1 + b1))
    d_t12 = d_h * winner(t12, 0.0)
    d_batch_norm_1 = d_t12
    # line 608, in batch_norm: return (x - mu) / np.sqrt(var + 1e-5)
    d_t18 = safe_div(d_batch_norm_1, t20)
    d_t20 = -safe_div(d_batch_norm_1 * t18, t20 * t20).sum(axis=0, keepdims=True)
    d_t19 = safe_div(d_t20, 2 * t20)
    d_var = d_t19
    d_t11 = d_t18
    d_mu = -d_t18.sum(axis=0, keepdims=True)
    # line 607, in batch_norm: var = np.var(x, axis=0, keepdims=True)
    n_4 = 12800 / 128
    d_t11 = d_t11 + repeat_to(d_var, t11, 0, True) * 2 * centered(t11, 0) / n_4
    # line 606, in batch_norm: mu = np.mean(x, axis=0, keepdims=True)
    n_5 = 12800 / 128
    d_t11 += repeat_to(d_mu / n_5, t11, 0, True)
    # line 619, in generate: h = np.maximum(0.0, batch_norm(z @ W1 + b1))
    d_t10 = d_t11
    d_b1 = d_t11.sum(axis=0)
    d_W1 = z.T @ d_t10
    d_disc_params = [[d_W1_2 + d_W1_1, d_b1_2 + d_b1_1], [d_W2_2 + d_W2_1, d_b2_2 + d_b2_1], [d_W3_2 + d_W3_1, d_b3_2 + d_b3_1]]
    d_gen_params = [[d_W1, d_b1], [d_W2, d_b2], [d_W3, d_b3]]
    return (d_gen_params, d_disc_params)


def gan_fn_grad(gen_params, disc_params, z, real):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t7 = gen_params[0]
    W1 = t7[0]
    b1 = t7[1]
    t8 = gen_params[1]
    W2 = t8[0]
    b2 = t8[1]
    t9 = gen_params[2]
    W3 = t9[0]
    b3 = t9[1]
    t10 = z @ W1
    del W1
    t11 = np.add(t10, b1, t10)
    del b1, t10
    mu = np.mean(t11, axis=0, keepdims=True)
    t18 = t11 - mu
    del mu
    var = np.var(t11, axis=0, keepdims=True)
    t19 = np.add(var, 1e-05, var)
    del var
    t20 = np.sqrt(t19, t19)
    del t19
    batch_norm_1 = t18 / t20
    h = np.maximum(0.0, batch_norm_1)
    t13 = h @ W2
    t14 = np.add(t13, b2, t13)
    del b2, t13
    mu_1 = np.mean(t14, axis=0, keepdims=True)
    t21 = t14 - mu_1
    del mu_1
    var_1 = np.var(t14, axis=0, keepdims=True)
    t22 = np.add(var_1, 1e-05, var_1)
    del var_1
    t23 = np.sqrt(t22, t22)
    del t22
    batch_norm_2 = t21 / t23
    h_3 = np.maximum(0.0, batch_norm_2)
    t16 = h_3 @ W3
    t17 = np.add(t16, b3, t16)
    del b3, t16
    generate_1 = np.tanh(t17, t17)
    del t17
    t24 = disc_params[0]
    W1_1 = t24[0]
    b1_1 = t24[1]
    t25 = disc_params[1]
    W2_1 = t25[0]
    b2_1 = t25[1]
    t26 = disc_params[2]
    W3_1 = t26[0]
    b3_1 = t26[1]
    t27 = real @ W1_1
    del W1_1
    t28 = np.add(t27, b1_1, t27)
    del b1_1, t27
    h_1 = np.tanh(t28, t28)
    del t28
    t29 = h_1 @ W2_1
    t30 = np.add(t29, b2_1, t29)
    del b2_1, t29
    h_1_1 = np.tanh(t30, t30)
    del t30
    t31 = h_1_1 @ W3_1
    discriminate_1 = np.add(t31, b3_1, t31)
    del b3_1, t31
    t32 = disc_params[0]
    W1_2 = t32[0]
    b1_2 = t32[1]
    t33 = disc_params[1]
    W2_2 = t33[0]
    b2_2 = t33[1]
    t34 = disc_params[2]
    W3_2 = t34[0]
    b3_2 = t34[1]
    t35 = generate_1 @ W1_2
    t36 = np.add(t35, b1_2, t35)
    del b1_2, t35
    h_2 = np.tanh(t36, t36)
    del t36
    t37 = h_2 @ W2_2
    t38 = np.add(t37, b2_2, t37)
    del b2_2, t37
    h_2_1 = np.tanh(t38, t38)
    del t38
    t39 = h_2_1 @ W3_2
    discriminate_2 = np.add(t39, b3_2, t39)
    del b3_2, t39
    t40 = np.negative(discriminate_1, discriminate_1)
    del discriminate_1
    t4 = np.negative(discriminate_2, discriminate_2)
    del discriminate_2
    t42 = np.negative(t4, t4)
    del t4
    # line 637: return -np.mean(log_sigmoid(d_real)) - np.mean(log_sigmoid(-d_fake))
    # line 612, in log_sigmoid: return -np.logaddexp(0.0, -x)
    # line 637: return -np.mean(log_sigmoid(d_real)) - np.mean(log_sigmoid(-d_fake))
    # line 612, in log_sigmoid: return -np.logaddexp(0.0, -x)
    d_t40 = np.multiply(t40, 0.5, t40)
    d_t40 = np.tanh(d_t40, d_t40)
    d_t40 = np.add(1.0, d_t40, d_t40)
    d_t40 = np.multiply(0.005, d_t40, d_t40)
    del t40
    d_d_real = np.negative(d_t40, d_t40)
    del d_t40
    d_t42 = np.multiply(t42, 0.5, t42)
    d_t42 = np.tanh(d_t42, d_t42)
    d_t42 = np.add(1.0, d_t42, d_t42)
    d_t42 = np.multiply(0.005, d_t42, d_t42)
    del t42
    d_t4 = np.negative(d_t42, d_t42)
    del d_t42
    d_d_fake = np.negative(d_t4, d_t4)
    del d_t4
    # line 636: d_fake = discriminate(disc_params, fake)
    # line 630, in discriminate: return h @ W3 + b3
    d_b3_2 = d_d_fake.sum(axis=0)
    d_h_2_1 = d_d_fake * W3_2.T
    del W3_2
    d_W3_2 = h_2_1.T @ d_d_fake
    del d_d_fake
    # line 629, in discriminate: h = np.tanh(h @ W2 + b2)
    d_t38 = np.multiply(h_2_1, h_2_1, h_2_1)
    d_t38 = np.subtract(1.0, d_t38, d_t38)
    d_t38 = np.multiply(d_h_2_1, d_t38, d_t38)
    del d_h_2_1, h_2_1
    d_b2_2 = d_t38.sum(axis=0)
    d_h_2 = d_t38 @ W2_2.T
    del W2_2
    d_W2_2 = h_2.T @ d_t38
    del d_t38
    # line 628, in discriminate: h = np.tanh(x @ W1 + b1)
    d_t36 = np.multiply(h_2, h_2, h_2)
    d_t36 = np.subtract(1.0, d_t36, d_t36)
    d_t36 = np.multiply(d_h_2, d_t36, d_t36)
    del d_h_2, h_2
    d_b1_2 = d_t36.sum(axis=0)
    d_fake_1 = d_t36 @ W1_2.T
    del W1_2
    d_W1_2 = generate_1.T @ d_t36
    del d_t36
    # line 635: d_real = discriminate(disc_params, real)
    # line 630, in discriminate: return h @ W3 + b3
    d_b3_1 = d_d_real.sum(axis=0)
    d_h_1_1 = d_d_real * W3_1.T
    del W3_1
    d_W3_1 = h_1_1.T @ d_d_real
    del d_d_real
    # line 629, in discriminate: h = np.tanh(h @ W2 + b2)
    d_t30 = np.multiply(h_1_1, h_1_1, h_1_1)
    d_t30 = np.subtract(1.0, d_t30, d_t30)
    d_t30 = np.multiply(d_h_1_1, d_t30, d_t30)
    del d_h_1_1, h_1_1
    d_b2_1 = d_t30.sum(axis=0)
    d_h_1 = d_t30 @ W2_1.T
    del W2_1
    d_W2_1 = h_1.T @ d_t30
    del d_t30
    # line 628, in discriminate: h = np.tanh(x @ W1 + b1)
    d_t28 = np.multiply(h_1, h_1, h_1)
    d_t28 = np.subtract(1.0, d_t28, d_t28)
    d_t28 = np.multiply(d_h_1, d_t28, d_t28)
    del d_h_1, h_1
    d_b1_1 = d_t28.sum(axis=0)
    d_W1_1 = real.T @ d_t28
    del d_t28
    # line 634: fake = generate(gen_params, z)
    # line 621, in generate: return np.tanh(h @ W3 + b3)
    d_t17 = np.multiply(generate_1, generate_1, generate_1)
    d_t17 = np.subtract(1.0, d_t17, d_t17)
    d_t17 = np.multiply(d_fake_1, d_t17, d_t17)
    del d_fake_1, generate_1
    d_b3 = d_t17.sum(axis=0)
    d_h_3 = d_t17 @ W3.T
    del W3
    d_W3 = h_3.T @ d_t17
    del d_t17, h_3
    # line 620, in generate: h = np.maximum(0.0, batch_norm(h @ W2 + b2))
    d_t15 = d_h_3 * winner(batch_norm_2, 0.0)
    del batch_norm_2, d_h_3
    # line 608, in batch_norm: return (x - mu) / np.sqrt(var + 1e-5)
    d_t21 = d_t15 / t23
    d_t23 = -(d_t15 * t21 / (t23 * t23)).sum(axis=0, keepdims=True)
    del d_t15, t21
    d_t22 = d_t23 / (2 * t23)
    del d_t23, t23
    d_t14 = d_t21
    d_mu_1 = -d_t21.sum(axis=0, keepdims=True)
    del d_t21
    # line 607, in batch_norm: var = np.var(x, axis=0, keepdims=True)
    n_2 = 12800 / 128
    d_t14 = d_t14 + repeat_to(d_t22, t14, 0, True) * 2 * centered(t14, 0) / n_2
    del d_t22
    # line 606, in batch_norm: mu = np.mean(x, axis=0, keepdims=True)
    d_t14 += repeat_to(d_mu_1 / n_2, t14, 0, True)
    del d_mu_1, t14
    # line 620, in generate: h = np.maximum(0.0, batch_norm(h @ W2 + b2))
    d_b2 = d_t14.sum(axis=0)
    d_h = d_t14 @ W2.T
    del W2
    d_W2 = h.T @ d_t14
    del d_t14, h
    # line 619, in generate: h = np.maximum(0.0, batch_norm(z @ W1 + b1))
    d_t12 = d_h * winner(batch_norm_1, 0.0)
    del batch_norm_1, d_h
    # line 608, in batch_norm: return (x - mu) / np.sqrt(var + 1e-5)
    d_t18 = d_t12 / t20
    d_t20 = -(d_t12 * t18 / (t20 * t20)).sum(axis=0, keepdims=True)
    del d_t12, t18
    d_t19 = d_t20 / (2 * t20)
    del d_t20, t20
    d_t11 = d_t18
    d_mu = -d_t18.sum(axis=0, keepdims=True)
    del d_t18
    # line 607, in batch_norm: var = np.var(x, axis=0, keepdims=True)
    d_t11 = d_t11 + repeat_to(d_t19, t11, 0, True) * 2 * centered(t11, 0) / n_2
    del d_t19
    # line 606, in batch_norm: mu = np.mean(x, axis=0, keepdims=True)
    d_t11 += repeat_to(d_mu / n_2, t11, 0, True)
    del d_mu, t11
    # line 619, in generate: h = np.maximum(0.0, batch_norm(z @ W1 + b1))
    d_b1 = d_t11.sum(axis=0)
    d_W1 = z.T @ d_t11
    del d_t11
    d_disc_params = [[d_W1_2 + d_W1_1, d_b1_2 + d_b1_1], [d_W2_2 + d_W2_1, d_b2_2 + d_b2_1], [d_W3_2 + d_W3_1, d_b3_2 + d_b3_1]]
    del d_W1_1, d_W1_2, d_W2_1, d_W2_2, d_W3_1, d_W3_2, d_b1_1, d_b1_2, d_b2_1, d_b2_2, d_b3_1, d_b3_2
    d_gen_params = [[d_W1, d_b1], [d_W2, d_b2], [d_W3, d_b3]]
    return (d_gen_params, d_disc_params)

