def gan_fn_forward(gen_params, disc_params, z, real):
    # forward sweep: the original computation
    fake, fake_saved = generate_forward_gen_params(gen_params, z)
    d_real, d_real_saved = discriminate_forward_disc_params(disc_params, real)
    d_fake, d_fake_saved = discriminate_forward(disc_params, fake)
    t1, t1_saved = log_sigmoid_forward(d_real)
    t2 = np.mean(t1)
    t3 = -t2
    t4 = -d_fake
    t5, t5_saved = log_sigmoid_forward(t4)
    t6 = np.mean(t5)
    gan_fn = t3 - t6
    return (gan_fn, (fake_saved, d_real_saved, d_fake_saved, t1, t1_saved, t3, t5, t5_saved, t6))


def gan_fn_backward(d_gan_fn, fake_saved, d_real_saved, d_fake_saved, t1, t1_saved, t3, t5, t5_saved, t6):
    # backward sweep: adjoints in reverse order
    # line 637: return -np.mean(log_sigmoid(d_real)) - np.mean(log_sigmoid(-d_fake))
    d_t3 = unbroadcast(d_gan_fn, t3)
    d_t6 = unbroadcast(-d_gan_fn, t6)
    d_t5 = np.full_like(t5, d_t6 / max(np.size(t5), 1))
    d_t4 = log_sigmoid_backward(d_t5, *t5_saved)
    d_d_fake = -d_t4
    d_t2 = -d_t3
    d_t1 = np.full_like(t1, d_t2 / max(np.size(t1), 1))
    d_d_real = log_sigmoid_backward(d_t1, *t1_saved)
    # line 636: d_fake = discriminate(disc_params, fake)
    d_disc_params, d_fake_1 = discriminate_backward(d_d_fake, *d_fake_saved)
    # line 635: d_real = discriminate(disc_params, real)
    d_disc_params = d_disc_params + discriminate_backward_disc_params(d_d_real, *d_real_saved)
    # line 634: fake = generate(gen_params, z)
    d_gen_params = generate_backward_gen_params(d_fake_1, *fake_saved)
    return (d_gen_params, d_disc_params)


def log_sigmoid_forward(x):
    # forward sweep: the original computation
    t1 = -x
    t2 = np.logaddexp(0.0, t1)
    log_sigmoid = -t2
    return (log_sigmoid, (t1,))


def log_sigmoid_backward(d_log_sigmoid, t1):
    # backward sweep: adjoints in reverse order
    # line 612: return -np.logaddexp(0.0, -x)
    d_t2 = -d_log_sigmoid
    d_t1 = d_t2 * 0.5 * (1 + np.tanh(t1 * 0.5))
    d_x = -d_t1
    return d_x


def discriminate_forward(disc_params, x):
    # forward sweep: the original computation
    t1 = disc_params[0]
    W1 = t1[0]
    b1 = t1[1]
    t2 = disc_params[1]
    W2 = t2[0]
    b2 = t2[1]
    t3 = disc_params[2]
    W3 = t3[0]
    b3 = t3[1]
    t4 = x @ W1
    t5 = t4 + b1
    h = np.tanh(t5)
    t6 = h @ W2
    t7 = t6 + b2
    h_1 = np.tanh(t7)
    t8 = h_1 @ W3
    discriminate = t8 + b3
    return (discriminate, (disc_params, x, t1, W1, b1, t2, W2, b2, t3, W3, b3, t4, h, t6, h_1, t8))


def discriminate_backward(d_discriminate, disc_params, x, t1, W1, b1, t2, W2, b2, t3, W3, b3, t4, h, t6, h_1, t8):
    # backward sweep: adjoints in reverse order
    # line 630: return h @ W3 + b3
    d_t8 = unbroadcast(d_discriminate, t8)
    d_b3 = unbroadcast(d_discriminate, b3)
    d_h_1 = matmul_adjoint_x(d_t8, h_1, W3)
    d_W3 = matmul_adjoint_y(d_t8, h_1, W3)
    # line 629: h = np.tanh(h @ W2 + b2)
    d_t7 = d_h_1 * (1 - h_1 * h_1)
    d_t6 = unbroadcast(d_t7, t6)
    d_b2 = unbroadcast(d_t7, b2)
    d_h = matmul_adjoint_x(d_t6, h, W2)
    d_W2 = matmul_adjoint_y(d_t6, h, W2)
    # line 628: h = np.tanh(x @ W1 + b1)
    d_t5 = d_h * (1 - h * h)
    d_t4 = unbroadcast(d_t5, t4)
    d_b1 = unbroadcast(d_t5, b1)
    d_x = matmul_adjoint_x(d_t4, x, W1)
    d_W1 = matmul_adjoint_y(d_t4, x, W1)
    # line 627: W3, b3 = disc_params[2]
    d_t3 = scatter_add(t3, 1, d_b3)
    d_t3 = d_t3 + scatter_add(t3, 0, d_W3)
    d_disc_params = scatter_add(disc_params, 2, d_t3)
    # line 626: W2, b2 = disc_params[1]
    d_t2 = scatter_add(t2, 1, d_b2)
    d_t2 = d_t2 + scatter_add(t2, 0, d_W2)
    d_disc_params = d_disc_params + scatter_add(disc_params, 1, d_t2)
    # line 625: W1, b1 = disc_params[0]
    d_t1 = scatter_add(t1, 1, d_b1)
    d_t1 = d_t1 + scatter_add(t1, 0, d_W1)
    d_disc_params = d_disc_params + scatter_add(disc_params, 0, d_t1)
    return (d_disc_params, d_x)


def discriminate_forward_disc_params(disc_params, x):
    # forward sweep: the original computation
    t1 = disc_params[0]
    W1 = t1[0]
    b1 = t1[1]
    t2 = disc_params[1]
    W2 = t2[0]
    b2 = t2[1]
    t3 = disc_params[2]
    W3 = t3[0]
    b3 = t3[1]
    t4 = x @ W1
    t5 = t4 + b1
    h = np.tanh(t5)
    t6 = h @ W2
    t7 = t6 + b2
    h_1 = np.tanh(t7)
    t8 = h_1 @ W3
    discriminate = t8 + b3
    return (discriminate, (disc_params, x, t1, W1, b1, t2, W2, b2, t3, W3, b3, t4, h, t6, h_1, t8))


def discriminate_backward_disc_params(d_discriminate, disc_params, x, t1, W1, b1, t2, W2, b2, t3, W3, b3, t4, h, t6, h_1, t8):
    # backward sweep: adjoints in reverse order
    # line 630: return h @ W3 + b3
    d_t8 = unbroadcast(d_discriminate, t8)
    d_b3 = unbroadcast(d_discriminate, b3)
    d_h_1 = matmul_adjoint_x(d_t8, h_1, W3)
    d_W3 = matmul_adjoint_y(d_t8, h_1, W3)
    # line 629: h = np.tanh(h @ W2 + b2)
    d_t7 = d_h_1 * (1 - h_1 * h_1)
    d_t6 = unbroadcast(d_t7, t6)
    d_b2 = unbroadcast(d_t7, b2)
    d_h = matmul_adjoint_x(d_t6, h, W2)
    d_W2 = matmul_adjoint_y(d_t6, h, W2)
    # line 628: h = np.tanh(x @ W1 + b1)
    d_t5 = d_h * (1 - h * h)
    d_t4 = unbroadcast(d_t5, t4)
    d_b1 = unbroadcast(d_t5, b1)
    d_W1 = matmul_adjoint_y(d_t4, x, W1)
    # line 627: W3, b3 = disc_params[2]
    d_t3 = scatter_add(t3, 1, d_b3)
    d_t3 = d_t3 + scatter_add(t3, 0, d_W3)
    d_disc_params = scatter_add(disc_params, 2, d_t3)
    # line 626: W2, b2 = disc_params[1]
    d_t2 = scatter_add(t2, 1, d_b2)
    d_t2 = d_t2 + scatter_add(t2, 0, d_W2)
    d_disc_params = d_disc_params + scatter_add(disc_params, 1, d_t2)
    # line 625: W1, b1 = disc_params[0]
    d_t1 = scatter_add(t1, 1, d_b1)
    d_t1 = d_t1 + scatter_add(t1, 0, d_W1)
    d_disc_params = d_disc_params + scatter_add(disc_params, 0, d_t1)
    return d_disc_params


def generate_forward_gen_params(gen_params, z):
    # forward sweep: the original computation
    t1 = gen_params[0]
    W1 = t1[0]
    b1 = t1[1]
    t2 = gen_params[1]
    W2 = t2[0]
    b2 = t2[1]
    t3 = gen_params[2]
    W3 = t3[0]
    b3 = t3[1]
    t4 = z @ W1
    t5 = t4 + b1
    t6, t6_saved = batch_norm_forward(t5)
    h = np.maximum(0.0, t6)
    t7 = h @ W2
    t8 = t7 + b2
    t9, t9_saved = batch_norm_forward(t8)
    h_1 = np.maximum(0.0, t9)
    t10 = h_1 @ W3
    t11 = t10 + b3
    generate = np.tanh(t11)
    return (generate, (gen_params, z, t1, W1, b1, t2, W2, b2, t3, W3, b3, t4, t6, t6_saved, h, t7, t9, t9_saved, h_1, t10, generate))


def generate_backward_gen_params(d_generate, gen_params, z, t1, W1, b1, t2, W2, b2, t3, W3, b3, t4, t6, t6_saved, h, t7, t9, t9_saved, h_1, t10, generate):
    # backward sweep: adjoints in reverse order
    # line 621: return np.tanh(h @ W3 + b3)
    d_t11 = d_generate * (1 - generate * generate)
    d_t10 = unbroadcast(d_t11, t10)
    d_b3 = unbroadcast(d_t11, b3)
    d_h_1 = matmul_adjoint_x(d_t10, h_1, W3)
    d_W3 = matmul_adjoint_y(d_t10, h_1, W3)
    # line 620: h = np.maximum(0.0, batch_norm(h @ W2 + b2))
    d_t9 = d_h_1 * winner(t9, 0.0)
    d_t8 = batch_norm_backward(d_t9, *t9_saved)
    d_t7 = unbroadcast(d_t8, t7)
    d_b2 = unbroadcast(d_t8, b2)
    d_h = matmul_adjoint_x(d_t7, h, W2)
    d_W2 = matmul_adjoint_y(d_t7, h, W2)
    # line 619: h = np.maximum(0.0, batch_norm(z @ W1 + b1))
    d_t6 = d_h * winner(t6, 0.0)
    d_t5 = batch_norm_backward(d_t6, *t6_saved)
    d_t4 = unbroadcast(d_t5, t4)
    d_b1 = unbroadcast(d_t5, b1)
    d_W1 = matmul_adjoint_y(d_t4, z, W1)
    # line 618: W3, b3 = gen_params[2]
    d_t3 = scatter_add(t3, 1, d_b3)
    d_t3 = d_t3 + scatter_add(t3, 0, d_W3)
    d_gen_params = scatter_add(gen_params, 2, d_t3)
    # line 617: W2, b2 = gen_params[1]
    d_t2 = scatter_add(t2, 1, d_b2)
    d_t2 = d_t2 + scatter_add(t2, 0, d_W2)
    d_gen_params = d_gen_params + scatter_add(gen_params, 1, d_t2)
    # line 616: W1, b1 = gen_params[0]
    d_t1 = scatter_add(t1, 1, d_b1)
    d_t1 = d_t1 + scatter_add(t1, 0, d_W1)
    d_gen_params = d_gen_params + scatter_add(gen_params, 0, d_t1)
    return d_gen_params


def batch_norm_forward(x):
    # forward sweep: the original computation
    mu = np.mean(x, axis=0, keepdims=True)
    var = np.var(x, axis=0, keepdims=True)
    t1 = x - mu
    t2 = var + 1e-05
    t3 = np.sqrt(t2)
    batch_norm = t1 / t3
    return (batch_norm, (x, mu, var, t1, t3))


def batch_norm_backward(d_batch_norm, x, mu, var, t1, t3):
    # backward sweep: adjoints in reverse order
    # line 608: return (x - mu) / np.sqrt(var + 1e-5)
    d_t1 = unbroadcast(safe_div(d_batch_norm, t3), t1)
    d_t3 = unbroadcast(-safe_div(d_batch_norm * t1, t3 * t3), t3)
    d_t2 = safe_div(d_t3, 2 * t3)
    d_var = d_t2
    d_x = unbroadcast(d_t1, x)
    d_mu = unbroadcast(-d_t1, mu)
    # line 607: var = np.var(x, axis=0, keepdims=True)
    n = np.size(x) / np.size(var)
    d_x = d_x + repeat_to(d_var, x, 0, True) * 2 * centered(x, 0) / n
    # line 606: mu = np.mean(x, axis=0, keepdims=True)
    n_1 = np.size(x) / np.size(mu)
    d_x = d_x + repeat_to(d_mu / n_1, x, 0, True)
    return d_x

