def scalar_fn_forward(x, y, z):
    # forward sweep: the original computation
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
        t12 = None
    else:
        t12 = d * e
        f = b - t12
        t10 = None
        t11 = None
    t13 = 0.1 * x
    t14 = math.exp(t13)
    t15 = z + f
    t16 = np.sin(t15)
    g = t14 * t16
    t17 = g * g
    t18 = 1.0 + t17
    h = np.log(t18)
    t19 = f * c
    t20 = h + t19
    t21 = 0.3 * e
    t22 = t21 * e
    t23 = t20 - t22
    t24 = 1.0 + b
    t25 = np.sqrt(t24)
    scalar_fn = t23 + t25
    return (scalar_fn, (x, y, z, t1, a, t2, b, t4, t5, c, d, t7, t9, e, cond, t10, t11, f, t12, t14, t15, t16, g, t18, h, t19, t20, t21, t22, t23, t25))


def scalar_fn_backward(d_scalar_fn, x, y, z, t1, a, t2, b, t4, t5, c, d, t7, t9, e, cond, t10, t11, f, t12, t14, t15, t16, g, t18, h, t19, t20, t21, t22, t23, t25):
    # backward sweep: adjoints in reverse order
    # line 43: return h + f * c - 0.3 * e * e + np.sqrt(1.0 + b)
    d_t23 = unbroadcast(d_scalar_fn, t23)
    d_t25 = unbroadcast(d_scalar_fn, t25)
    d_t24 = safe_div(d_t25, 2 * t25)
    d_b = d_t24
    d_t20 = unbroadcast(d_t23, t20)
    d_t22 = unbroadcast(-d_t23, t22)
    d_t21 = unbroadcast(d_t22 * e, t21)
    d_e = unbroadcast(d_t22 * t21, e)
    d_e = d_e + d_t21 * 0.3
    d_h = unbroadcast(d_t20, h)
    d_t19 = unbroadcast(d_t20, t19)
    d_f = unbroadcast(d_t19 * c, f)
    d_c = unbroadcast(d_t19 * f, c)
    # line 42: h = np.log(1.0 + g * g)
    d_t18 = safe_div(d_h, t18)
    d_t17 = d_t18
    d_g = 2 * unbroadcast(d_t17 * g, g)
    # line 41: g = math.exp(0.1 * x) * np.sin(z + f)
    d_t14 = unbroadcast(d_g * t16, t14)
    d_t16 = unbroadcast(d_g * t14, t16)
    d_t15 = d_t16 * np.cos(t15)
    d_z = unbroadcast(d_t15, z)
    d_f = d_f + unbroadcast(d_t15, f)
    d_t13 = d_t14 * t14
    d_x = d_t13 * 0.1
    if cond:
        # line 38: f = d * d + b * e
        d_t10 = unbroadcast(d_f, t10)
        d_t11 = unbroadcast(d_f, t11)
        d_b = d_b + unbroadcast(d_t11 * e, b)
        d_e = d_e + unbroadcast(d_t11 * b, e)
        d_d = 2 * unbroadcast(d_t10 * d, d)
    else:
        # line 40: f = b - d * e
        d_b = d_b + unbroadcast(d_f, b)
        d_t12 = unbroadcast(-d_f, t12)
        d_d = unbroadcast(d_t12 * e, d)
        d_e = d_e + unbroadcast(d_t12 * d, e)
    # line 36: e = (x - y) / (1.0 + z * z)
    d_t7 = unbroadcast(safe_div(d_e, t9), t7)
    d_t9 = unbroadcast(-safe_div(d_e * t7, t9 * t9), t9)
    d_t8 = d_t9
    d_z = d_z + 2 * unbroadcast(d_t8 * z, z)
    d_x = d_x + unbroadcast(d_t7, x)
    d_y = unbroadcast(-d_t7, y)
    # line 35: d = np.tanh(a + c)
    d_t6 = d_d * (1 - d * d)
    d_a = unbroadcast(d_t6, a)
    d_c = d_c + unbroadcast(d_t6, c)
    # line 34: c = np.sin(x) * np.cos(y)
    d_t4 = unbroadcast(d_c * t5, t4)
    d_t5 = unbroadcast(d_c * t4, t5)
    d_y = d_y - d_t5 * np.sin(y)
    d_x = d_x + d_t4 * np.cos(x)
    # line 33: b = math.exp(-0.5 * a * a)
    d_t3 = d_b * b
    d_t2 = unbroadcast(d_t3 * a, t2)
    d_a = d_a + unbroadcast(d_t3 * t2, a)
    d_a = d_a + d_t2 * -0.5
    # line 32: a = x * y + z
    d_t1 = unbroadcast(d_a, t1)
    d_z = d_z + unbroadcast(d_a, z)
    d_x = d_x + unbroadcast(d_t1 * y, x)
    d_y = d_y + unbroadcast(d_t1 * x, y)
    return (d_x, d_y, d_z)

