def mismatch_forward(k, c, x0, v0, observed):
    # forward sweep: the original computation
    xs, xs_saved = simulate_forward_k_c(k, c, x0, v0)
    t1 = xs - observed
    t2 = t1 ** 2
    mismatch = np.mean(t2)
    return (mismatch, (xs, xs_saved, t1, t2))


def mismatch_backward(d_mismatch, xs, xs_saved, t1, t2):
    # backward sweep: adjoints in reverse order
    # line 39: return np.mean((xs - observed) ** 2)
    d_t2 = np.full_like(t2, d_mismatch / max(np.size(t2), 1))
    d_t1 = d_t2 * 2 * t1
    d_xs = unbroadcast(d_t1, xs)
    # line 38: xs = simulate(k, c, x0, v0)
    d_k, d_c = simulate_backward_k_c(d_xs, *xs_saved)
    return (d_k, d_c)


def simulate_forward_k_c(k, c, x0, v0):
    # forward sweep: the original computation
    xs = []
    x = x0
    v = v0
    v_1 = v
    x_1 = x
    xs_1 = xs
    tape = []
    for _ in range(STEPS):
        t1 = -k
        t2 = t1 * x_1
        t3 = c * v_1
        a = t2 - t3
        t4 = DT * a
        v_2 = v_1 + t4
        t5 = DT * v_2
        x_2 = x_1 + t5
        xs_2 = appended(xs_1, x_2)
        tape.append((v_1, x_1, t1, t2, t3, a, t4, v_2, t5))
        v_1 = v_2
        x_1 = x_2
        xs_1 = xs_2
    simulate = np.stack(xs_1)
    return (simulate, (k, c, v_1, x_1, tape))


def simulate_backward_k_c(d_simulate, k, c, v_1, x_1, tape):
    # backward sweep: adjoints in reverse order
    # line 33: return np.stack(xs)
    d_xs_1 = unstack(d_simulate, 0)
    d_v_1 = zeros_like(v_1)
    d_x_1 = zeros_like(x_1)
    d_c = zeros_like(c)
    d_k = zeros_like(k)
    # replay the loop's iterations in reverse
    for v_1, x_1, t1, t2, t3, a, t4, v_2, t5 in reversed(tape):
        d_xs_2 = d_xs_1
        d_x_2 = d_x_1
        d_v_2 = d_v_1
        # line 32: xs.append(x)
        d_xs_1 = d_xs_2[:-1]
        d_x_2 = d_x_2 + d_xs_2[-1]
        # line 31: x = x + DT * v
        d_x_1 = unbroadcast(d_x_2, x_1)
        d_t5 = unbroadcast(d_x_2, t5)
        d_v_2 = d_v_2 + unbroadcast(d_t5 * DT, v_2)
        # line 30: v = v + DT * a
        d_v_1 = unbroadcast(d_v_2, v_1)
        d_t4 = unbroadcast(d_v_2, t4)
        d_a = unbroadcast(d_t4 * DT, a)
        # line 29: a = -k * x - c * v
        d_t2 = unbroadcast(d_a, t2)
        d_t3 = unbroadcast(-d_a, t3)
        d_c = d_c + unbroadcast(d_t3 * v_1, c)
        d_v_1 = d_v_1 + unbroadcast(d_t3 * c, v_1)
        d_t1 = unbroadcast(d_t2 * x_1, t1)
        d_x_1 = d_x_1 + unbroadcast(d_t2 * t1, x_1)
        d_k = d_k - d_t1
    return (d_k, d_c)

