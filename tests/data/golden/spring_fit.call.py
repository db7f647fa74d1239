def mismatch_forward(k, c, x0, v0, observed):
    # forward sweep: the original computation
    # (general code, not one fused function: the shape of a value at line 29, `a = -k * x - c * v`, is not known while the code is generated)
    xs_1 = []
    x = x0
    v = v0
    v_1 = v
    x_1 = x
    xs_1_1 = xs_1
    tape = []
    for _ in range(STEPS):
        t3 = -k
        t4 = t3 * x_1
        t5 = c * v_1
        a = t4 - t5
        t6 = DT * a
        v_2 = v_1 + t6
        t7 = DT * v_2
        x_2 = x_1 + t7
        xs_1_2 = appended(xs_1_1, x_2)
        tape.append((v_1, x_1, t3, t4, t5, a, t6, v_2, t7))
        v_1 = v_2
        x_1 = x_2
        xs_1_1 = xs_1_2
    simulate_1 = np.stack(xs_1_1)
    xs = simulate_1
    t1 = xs - observed
    t2 = t1 ** 2
    mismatch = np.mean(t2)
    return (mismatch, (k, c, v_1, x_1, xs, t1, t2, tape))


def mismatch_backward(d_mismatch, k, c, v_1, x_1, xs, t1, t2, tape):
    # backward sweep: adjoints in reverse order
    # line 39: return np.mean((xs - observed) ** 2)
    d_t2 = np.full_like(t2, d_mismatch / max(np.size(t2), 1))
    d_t1 = d_t2 * 2 * t1
    d_xs = unbroadcast(d_t1, xs)
    # line 38: xs = simulate(k, c, x0, v0)
    d_simulate_1 = d_xs
    # line 33, in simulate: return np.stack(xs)
    d_xs_1_1 = unstack(d_simulate_1, 0)
    d_v_1 = zeros_like(v_1)
    d_x_1 = zeros_like(x_1)
    d_c = zeros_like(c)
    d_k = zeros_like(k)
    # replay the loop's iterations in reverse
    for v_1, x_1, t3, t4, t5, a, t6, v_2, t7 in reversed(tape):
        # unbroadcast stays in this loop: the shapes depend on DT (a global)
        # (only the shapes of the arguments are known while the code is generated)
        d_xs_1_2 = d_xs_1_1
        d_x_2 = d_x_1
        d_v_2 = d_v_1
        # line 32, in simulate: xs.append(x)
        d_xs_1_1 = d_xs_1_2[:-1]
        d_x_2 = d_x_2 + d_xs_1_2[-1]
        # line 31, in simulate: x = x + DT * v
        d_x_1 = unbroadcast(d_x_2, x_1)
        d_t7 = unbroadcast(d_x_2, t7)
        d_v_2 = d_v_2 + unbroadcast(d_t7 * DT, v_2)
        # line 30, in simulate: v = v + DT * a
        d_v_1 = unbroadcast(d_v_2, v_1)
        d_t6 = unbroadcast(d_v_2, t6)
        d_a = unbroadcast(d_t6 * DT, a)
        # line 29, in simulate: a = -k * x - c * v
        d_t4 = unbroadcast(d_a, t4)
        d_t5 = unbroadcast(-d_a, t5)
        d_c = d_c + unbroadcast(d_t5 * v_1, c)
        d_v_1 = d_v_1 + unbroadcast(d_t5 * c, v_1)
        d_t3 = unbroadcast(d_t4 * x_1, t3)
        d_x_1 = d_x_1 + unbroadcast(d_t4 * t3, x_1)
        d_k = d_k - d_t3
    return (d_k, d_c)

