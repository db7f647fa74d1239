"""Programs of tests/end_to_end/test_attack_fused.py, in their own module: a module global
`b` of the same name as a helper's parameter (what a closure must not read instead)."""

import functools

import numpy as np

b = 0.5


def nested_outer(a, b):
    def inner(u):
        return u * b  # the helper's parameter b, not the global
    return inner(a) + inner(b)


def scale_by(a, k):
    f = lambda u: u * k  # noqa: E731
    return f(a)


def closure_over_param_global_of_same_name(x):
    h = np.cos(x)
    return np.sum(nested_outer(h, x) ** 2)


def lambda_in_helper(x):
    return np.sum(scale_by(x, 3.0) * x)


def lambda_in_helper_array(x):
    return np.sum(scale_by(x, np.sin(x)) * x)


def scaled(a, k=0.5):
    return a * k  # a new array: nothing of the caller's


def helper_result_written(x):
    h = scaled(x, 0.25)
    h[:, 3] = h[:, 4] * 0.5
    return np.sum(h * x)


def partial_result_written(x):
    import functools
    g = functools.partial(scaled, k=0.25)
    h = g(x)
    h[:, 3] = h[:, 4] * 0.5
    return np.sum(h * x)


def sorted_set(x):
    ks = {i % 2 for i in range(4)}
    return sum(np.sum(x * k) for k in sorted(ks))


C = np.linspace(-1.0, 1.0, 7)


def rbf(a, b):  # a module function of the same name as make_kernel's inner one
    return np.ones((len(a), len(b)))


def make_kernel(length):
    def rbf(a, b):
        return np.exp(-0.5 * (a[:, None] - b[None, :]) ** 2 / length)
    return rbf


def make_inner(length):
    def inner_kernel(a, b):
        return np.exp(-0.5 * (a[:, None] - b[None, :]) ** 2 / length)
    return inner_kernel


def factory_closure_on_constant_data(x):
    kernel = make_kernel(np.exp(x[0]))  # the closure depends on x
    return np.sum(kernel(C, C))  # called on constants only


def factory_closure_on_constant_data_no_global(x):
    kernel = make_inner(np.exp(x[0]))
    return np.sum(kernel(C, C))


k = 0.25  # a global of the name the helpers below give a parameter


def mapped_scale(a, k):
    return sum(map(lambda v: v * k, [a, a]))  # the parameter k, not the global


def reduced_scale(a, k):
    return functools.reduce(lambda p, q: p * q + k, [a, a, a])


def lambda_in_map_reads_a_global_of_the_same_name(x):
    return np.sum(mapped_scale(x, 3.0) * x)


def lambda_in_reduce_reads_a_global_of_the_same_name(x):
    return np.sum(reduced_scale(x, 3.0) * x)


LOG = []


def appends_to_a_global_list(x):
    s = np.sum(x * x)
    LOG.append(float(s))  # a log of the losses, kept by the module
    return s * 2.0


BUF = np.zeros((128, 130))
STATE = {}
HIST = [np.zeros(130)]


def writes_a_global_array(x):
    BUF[...] = x * 2.0
    return np.sum(BUF * x)


def writes_a_global_dict(x):
    STATE["last"] = x * 2.0
    return np.sum(STATE["last"] * x)


def updates_a_global_list_item(x):
    HIST[0] += x[0]
    return np.sum(HIST[0] * x[0])


def dict_comprehension_values(x):
    p = {k: x * v for k, v in zip("abc", (1.0, 2.0, 3.0))}
    return sum(np.sum(np.exp(v) * v) for v in p.values())


def list_of_rows_updated(x):
    h = x * 1.0
    rows = list(h)  # views of h's rows
    rows[0] *= 2.0  # so h changes
    return np.sum(h * x)


def comprehension_of_rows_updated(x):
    h = x * 1.0
    rows = [r for r in h]
    rows[1] += 1.0
    return np.sum(h * x)


def mapped_rows_updated(x):
    h = x * 1.0
    rows = list(map(lambda r: r, h))
    rows[0] *= 3.0
    return np.sum(h * x)


def builtin_max_of_an_array(x):
    v = np.sin(x[0, :5])
    return max(v) + min(v)


def list_repeated(x):
    hs = [np.sin(x)] * 2  # the same array twice
    return np.sum(hs[0] * hs[1])


def np_put_overwrites(x):
    h = x * 2.0
    np.put(h, [0, 1], [5.0, 6.0])  # h[0], h[1] no longer depend on x
    return np.sum(h * x)


def np_put_active_values(x):
    h = x * 2.0
    np.put(h, [0, 1], x[5, :2] * 3.0)
    return np.sum(h * x)


def def_inside_a_loop(x):
    h = x * 1.0
    for t in range(3):
        def step(u):
            return np.tanh(u * (t + 1.0)) + x * 0.1
        h = step(h)
    return np.sum(h * h)


class Config:
    """An object passed to the differentiated function, holding an array."""

    def __init__(self, shape):
        self.buf = np.zeros(shape)


def updates_an_attribute_of_an_argument(w, cfg):
    b = cfg.buf
    b += w  # NumPy changes cfg.buf (the caller's data)
    return np.sum(b * w)
