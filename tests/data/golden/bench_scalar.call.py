def scalar_fn_forward(x, y, z):
    # forward sweep: what the backward sweep reads
    t1 = x * y
    a = t1 + z
    t2 = -0.5 * a
    t3 = t2 * a
    b = math.exp(t3)
    t4 = np.sin(x)
    t5 = np.cos(y)
    c = t4 * t5
    t6 = a + c
    d = np.tanh(t6)
    t7 = x - y
    t8 = z * z
    t9 = 1.0 + t8
    e = t7 / t9
    cond = d > 0.0
    if cond:
        t10 = d * d
        t11 = b * e
        f = t10 + t11
    else:
        t12 = d * e
        f = b - t12
    t13 = 0.1 * x
    t14 = math.exp(t13)
    t15 = z + f
    t16 = np.sin(t15)
    g = t14 * t16
    t17 = g * g
    t18 = 1.0 + t17
    t21 = 0.3 * e
    t24 = 1.0 + b
    t25 = np.sqrt(t24)
    return (None, (x, y, z, a, t2, b, t4, t5, c, d, t7, t9, e, cond, f, t14, t15, t16, g, t18, t21, t25))


def scalar_fn_backward(d_scalar_fn, x, y, z, a, t2, b, t4, t5, c, d, t7, t9, e, cond, f, t14, t15, t16, g, t18, t21, t25):
    # backward sweep: adjoints in reverse order
    # line 43: return h + f * c - 0.3 * e * e + np.sqrt(1.0 + b)
    d_t23 = d_scalar_fn
    d_t25 = d_scalar_fn
    d_t24 = d_t25 / (2 * t25)
    d_b = d_t24
    d_t20 = d_t23
    d_t22 = -d_t23
    d_t21 = d_t22 * e
    d_e = d_t22 * t21
    d_e = d_e + d_t21 * 0.3
    d_h = d_t20
    d_t19 = d_t20
    d_f = d_t19 * c
    d_c = d_t19 * f
    # line 42: h = np.log(1.0 + g * g)
    d_t18 = d_h / t18
    d_t17 = d_t18
    d_g = 2 * d_t17 * g
    # line 41: g = math.exp(0.1 * x) * np.sin(z + f)
    d_t14 = d_g * t16
    d_t16 = d_g * t14
    d_t15 = d_t16 * np.cos(t15)
    d_z = d_t15
    d_f = d_f + d_t15
    d_t13 = d_t14 * t14
    d_x = d_t13 * 0.1
    if cond:
        # line 38: f = d * d + b * e
        d_t10 = d_f
        d_t11 = d_f
        d_b = d_b + d_t11 * e
        d_e = d_e + d_t11 * b
        d_d = 2 * d_t10 * d
    else:
        # line 40: f = b - d * e
        d_b = d_b + d_f
        d_t12 = -d_f
        d_d = d_t12 * e
        d_e = d_e + d_t12 * d
    # line 36: e = (x - y) / (1.0 + z * z)
    d_t7 = d_e / t9
    d_t9 = -(d_e * t7 / (t9 * t9))
    d_t8 = d_t9
    d_z = d_z + 2 * d_t8 * z
    d_x = d_x + d_t7
    d_y = -d_t7
    # line 35: d = np.tanh(a + c)
    d_t6 = d_d * (1 - d * d)
    d_a = d_t6
    d_c = d_c + d_t6
    # line 34: c = np.sin(x) * np.cos(y)
    d_t4 = d_c * t5
    d_t5 = d_c * t4
    d_y = d_y - d_t5 * np.sin(y)
    d_x = d_x + d_t4 * np.cos(x)
    # line 33: b = math.exp(-0.5 * a * a)
    d_t3 = d_b * b
    d_t2 = d_t3 * a
    d_a = d_a + d_t3 * t2
    d_a = d_a + d_t2 * -0.5
    # line 32: a = x * y + z
    d_t1 = d_a
    d_z = d_z + d_a
    d_x = d_x + d_t1 * y
    d_y = d_y + d_t1 * x
    return (d_x, d_y, d_z)


def scalar_fn_grad(x, y, z):
    # the gradient: forward sweep, then backward sweep
    t1 = x * y
    a = t1 + z
    t2 = -0.5 * a
    t3 = t2 * a
    b = math.exp(t3)
    t4 = np.sin(x)
    t5 = np.cos(y)
    c = t4 * t5
    t6 = a + c
    d = np.tanh(t6)
    t7 = x - y
    t8 = z * z
    t9 = 1.0 + t8
    e = t7 / t9
    cond = d > 0.0
    if cond:
        t10 = d * d
        t11 = b * e
        f = t10 + t11
    else:
        t12 = d * e
        f = b - t12
    t13 = 0.1 * x
    t14 = math.exp(t13)
    t15 = z + f
    t16 = np.sin(t15)
    g = t14 * t16
    t17 = g * g
    t18 = 1.0 + t17
    t21 = 0.3 * e
    t24 = 1.0 + b
    t25 = np.sqrt(t24)
    # line 43: return h + f * c - 0.3 * e * e + np.sqrt(1.0 + b)
    d_t24 = 1.0 / (2 * t25)
    d_b = d_t24
    d_t21 = -e
    d_e = -t21
    d_e = d_e + d_t21 * 0.3
    d_f = c
    d_c = f
    # line 42: h = np.log(1.0 + g * g)
    d_t18 = 1.0 / t18
    d_g = 2 * d_t18 * g
    # line 41: g = math.exp(0.1 * x) * np.sin(z + f)
    d_t14 = d_g * t16
    d_t16 = d_g * t14
    d_t15 = d_t16 * np.cos(t15)
    d_z = d_t15
    d_f = d_f + d_t15
    d_t13 = d_t14 * t14
    d_x = d_t13 * 0.1
    if cond:
        # line 38: f = d * d + b * e
        d_b = d_b + d_f * e
        d_e = d_e + d_f * b
        d_d = 2 * d_f * d
    else:
        # line 40: f = b - d * e
        d_b = d_b + d_f
        d_t12 = -d_f
        d_d = d_t12 * e
        d_e = d_e + d_t12 * d
    # line 36: e = (x - y) / (1.0 + z * z)
    d_t7 = d_e / t9
    d_t9 = -(d_e * t7 / (t9 * t9))
    d_z = d_z + 2 * d_t9 * z
    d_x = d_x + d_t7
    d_y = -d_t7
    # line 35: d = np.tanh(a + c)
    d_t6 = d_d * (1 - d * d)
    d_a = d_t6
    d_c = d_c + d_t6
    # line 34: c = np.sin(x) * np.cos(y)
    d_t4 = d_c * t5
    d_t5 = d_c * t4
    d_y = d_y - d_t5 * np.sin(y)
    d_x = d_x + d_t4 * np.cos(x)
    # line 33: b = math.exp(-0.5 * a * a)
    d_t3 = d_b * b
    d_t2 = d_t3 * a
    d_a = d_a + d_t3 * t2
    d_a = d_a + d_t2 * -0.5
    # line 32: a = x * y + z
    d_z = d_z + d_a
    d_x = d_x + d_a * y
    d_y = d_y + d_a * x
    return (d_x, d_y, d_z)

