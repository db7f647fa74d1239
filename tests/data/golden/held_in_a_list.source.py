def held_in_a_list_forward(x):
    # forward sweep: the original computation
    h = np.zeros(3)
    hs = [h]
    t1 = x[0]
    t2 = t1 * 4.0
    h_1 = set_at(h, 1, t2)
    hs_1 = refresh(hs, h, h_1)
    t3 = hs_1[0]
    t4 = t3 * x
    held_in_a_list = np.sum(t4)
    return (held_in_a_list, (x, h, hs, t2, h_1, hs_1, t3, t4))


def held_in_a_list_backward(d_held_in_a_list, x, h, hs, t2, h_1, hs_1, t3, t4):
    # backward sweep: adjoints in reverse order
    # line 78: return np.sum(hs[0] * x)
    d_t4 = np.full_like(t4, d_held_in_a_list)
    d_t3 = unbroadcast(d_t4 * x, t3)
    d_x = unbroadcast(d_t4 * t3, x)
    d_hs_1 = scatter_add(hs_1, 0, d_t3)
    # line 77: h[1] = x[0] * 4.0
    d_h_1 = refresh_adjoint_new(d_hs_1, hs, h, h_1)
    d_t2 = unbroadcast(stored(take(d_h_1, 1), h), t2)
    d_t1 = d_t2 * 4.0
    d_x = d_x + scatter_add(x, 0, d_t1)
    return d_x

