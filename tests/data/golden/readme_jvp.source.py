def jvp_example_jvp(x, y, *, x_dot):
    # forward mode: each value, then its tangent
    t1 = np.sin(x)
    t1_dot = x_dot * np.cos(x)
    t2 = t1 * y
    t2_dot = t1_dot * y
    t3 = x ** 2
    t3_dot = x_dot * 2 * x
    z = t2 + t3
    z_dot = t2_dot + t3_dot
    cond = y > 0
    if cond:
        z_1 = z * y
        z_1_dot = z_dot * y
    else:
        z_1 = z
        z_1_dot = z_dot
    return (z_1, z_1_dot)

