def cosine_fn_forward(A, B):
    # forward sweep: what the backward sweep reads
    t1 = A * A
    t2 = np.sum(t1, axis=1)
    na = np.sqrt(t2)
    t3 = B * B
    t4 = np.sum(t3, axis=1)
    nb = np.sqrt(t4)
    t5 = A * B
    t6 = np.sum(t5, axis=1)
    t7 = na * nb
    return (None, (A, B, na, nb, t6, t7))


def cosine_fn_backward(d_cosine_fn, A, B, na, nb, t6, t7):
    # backward sweep: adjoints in reverse order
    # line 574: return np.mean(1.0 - cos)
    d_t8 = d_cosine_fn / 512
    d_cos = -d_t8
    # line 573: cos = np.sum(A * B, axis=1) / (na * nb)
    d_t6 = safe_div(d_cos, t7)
    d_t7 = -safe_div(d_cos * t6, t7 * t7)
    d_na = d_t7 * nb
    d_t5 = d_t6[:, None]
    d_A = d_t5 * B
    # line 571: na = np.sqrt(np.sum(A * A, axis=1))
    d_t2 = safe_div(d_na, 2 * na)
    d_t1 = d_t2[:, None]
    d_A += 2 * d_t1 * A
    return d_A


def cosine_fn_grad(A, B):
    # the gradient: forward sweep, then backward sweep
    # (a ufunc's last argument is where it writes: np.tanh(a, a) computes into a)
    t2 = np.einsum('ab,ab->a', A, A)
    t4 = np.einsum('ab,ab->a', B, B)
    t6 = np.einsum('ab,ab->a', A, B)
    nb = np.sqrt(t4)
    del t4
    na = np.sqrt(t2)
    del t2
    t7 = na * nb
    # line 574: return np.mean(1.0 - cos)
    # line 573: cos = np.sum(A * B, axis=1) / (na * nb)
    d_t6 = -0.001953125 / t7  # -1/512
    d_t7 = -safe_div(-0.001953125 * t6, t7 * t7)  # -1/512
    del t6, t7
    d_na = np.multiply(d_t7, nb, d_t7)
    del d_t7, nb
    d_t5 = d_t6[:, None]
    del d_t6
    d_A = d_t5 * B
    del d_t5
    # line 571: na = np.sqrt(np.sum(A * A, axis=1))
    d_t2 = safe_div(d_na, 2 * na)
    del d_na, na
    d_t1 = d_t2[:, None]
    del d_t2
    d_A_term = 2 * d_t1
    d_A += np.multiply(d_A_term, A, spare(d_A_term, A))
    del d_A_term
    return d_A

