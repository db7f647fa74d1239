def cosine_fn_forward(A, B):
    # forward sweep: the original computation
    t1 = A * A
    t2 = np.sum(t1, axis=1)
    na = np.sqrt(t2)
    t3 = B * B
    t4 = np.sum(t3, axis=1)
    nb = np.sqrt(t4)
    t5 = A * B
    t6 = np.sum(t5, axis=1)
    t7 = na * nb
    cos = t6 / t7
    t8 = 1.0 - cos
    cosine_fn = np.mean(t8)
    return (cosine_fn, (A, B, t1, na, nb, t5, t6, t7, t8))


def cosine_fn_backward(d_cosine_fn, A, B, t1, na, nb, t5, t6, t7, t8):
    # backward sweep: adjoints in reverse order
    # line 574: return np.mean(1.0 - cos)
    d_t8 = np.full_like(t8, d_cosine_fn / max(np.size(t8), 1))
    d_cos = -d_t8
    # line 573: cos = np.sum(A * B, axis=1) / (na * nb)
    d_t6 = unbroadcast(safe_div(d_cos, t7), t6)
    d_t7 = unbroadcast(-safe_div(d_cos * t6, t7 * t7), t7)
    d_na = unbroadcast(d_t7 * nb, na)
    d_t5 = repeat_to(d_t6, t5, 1, False)
    d_A = unbroadcast(d_t5 * B, A)
    # line 571: na = np.sqrt(np.sum(A * A, axis=1))
    d_t2 = safe_div(d_na, 2 * na)
    d_t1 = repeat_to(d_t2, t1, 1, False)
    d_A = d_A + 2 * unbroadcast(d_t1 * A, A)
    return d_A

