"""Attack 5: 249 hostile programs, each judged by alias_oracles.judge (NumPy's value, finite
differences, three calls, vjp, jvp, autograd where its semantics agree, the Hessian where
listed): a refusal at the user's line passes, a wrong value or a crash fails. KNOWN_BUGS are
silent wrong gradients found here and not fixed (strict xfails). The programs: aliasing
through dict views, containers, helpers, views, out=, repeated fancy indices, np.r_/np.c_,
objects, overlapping slices, integer and complex values; ports of published programs (HIPS
autograd's neural net, RNN, LSTM, GP, VAE, GMM, ODE examples; physics loops; scipy.special
losses); the benchmark losses each written three more ways (loops over rows,
comprehensions, einsum, in-place accumulation, methods, dicts, namedtuples); loops the fused
passes rewrite; library functions in less common forms (einsum with repeated and ellipsis
indices, batched linear algebra, decompositions, scipy.stats, nan-functions, quantiles)."""

import numpy as np
import pytest
from alias_oracles import judge
from programs import numpy_and_autograd

HEADER = ("import math\nimport scipy.special as sps\nfrom functools import partial\n"
          "from collections import namedtuple\nfrom scipy import stats\n")

PROGRAMS = r'''
class Box:
    def __init__(self, v):
        self.v = v


def values_inplace_then_read(x):
    d = {"a": x * 1.0, "b": x ** 2}
    for v in d.values():
        v[0] = v[1] * 3.0
    return np.sum(d["a"] * d["b"])


def items_setitem_slice(x):
    d = {"a": x * 1.0, "b": x ** 2}
    for k, v in d.items():
        v[1:] *= x[:-1]
    return np.sum(d["a"]) + np.sum(d["b"] ** 2)


def list_of_arrays_slice_assign(x):
    hs = [x * 1.0, x * 2.0]
    hs[1][:2] = hs[0][1:3] ** 2
    return np.sum(hs[1] * x)


def nested_dict_written(x):
    p = {"l1": {"w": x * 1.0}, "l2": {"w": x * 3.0}}
    p["l1"]["w"][0] = p["l2"]["w"][1] * x[2]
    return np.sum(p["l1"]["w"] ** 2)


def helper_writes_two_args(x):
    def upd(a, b):
        a[0] = b[1] * 2.0
        b[1] = a[2] * a[0]
    a = x * 1.0
    b = x ** 2
    upd(a, b)
    return np.sum(a * b)


def helper_returns_view_written(x):
    def head(a):
        return a[:2]
    h = x * 1.0
    v = head(h)
    v *= 3.0
    return np.sum(h * x)


def reshape_view_inplace(x):
    h = np.outer(x, x)
    r = h.reshape(-1)
    r *= 2.0
    r[1] += x[0]
    return np.sum(h * h)


def transpose_view_aug_slice(x):
    h = np.outer(x, x[:2])
    t = h.T
    t[0, :] += x
    return np.sum(h ** 2)


def ellipsis_assign(x):
    h = np.zeros_like(x)
    h[...] = x ** 2
    return np.sum(h * x)


def ellipsis_assign_view(x):
    h = np.outer(x, x)
    v = h[0]
    v[...] = np.sin(x)
    return np.sum(h ** 2)


def out_param_ufunc(x):
    h = np.empty_like(x)
    np.multiply(x, x, out=h)
    np.sin(h, out=h)
    return np.sum(h * x)


def out_param_into_view(x):
    h = np.zeros((2, x.shape[0]))
    np.exp(x, out=h[0])
    np.add(x, h[0], out=h[1])
    return np.sum(h ** 2)


def asarray_then_write(x):
    h = x * 1.0
    a = np.asarray(h)
    a[0] = x[1] ** 2
    return np.sum(h * x)


def asarray_of_param_read(x):
    a = np.asarray(x)
    return np.sum(a ** 3)


def asarray_float_of_param(x):
    a = np.asarray(x, dtype=float)
    return np.sum(np.sin(a) * x)


def repeated_fancy_read(x):
    idx = np.array([0, 0, 1, 2, 2, 2])
    return np.sum(x[idx] ** 2)


def repeated_fancy_write_assign(x):
    h = x * 1.0
    idx = np.array([0, 0, 1])
    h[idx] = np.array([1.0, 2.0, 3.0]) * x[2]
    return np.sum(h * x)


def repeated_fancy_write_values_active(x):
    h = np.zeros(3)
    idx = np.array([0, 0, 1])
    h[idx] = x[:3] ** 2
    return np.sum(h * np.array([1.0, 2.0, 3.0]))


def repeated_fancy_aug_add(x):
    h = x * 1.0
    idx = [1, 1, 2]
    h[idx] += x[:3] ** 2
    return np.sum(h ** 2)


def repeated_fancy_aug_mul(x):
    h = x + 1.0
    idx = [0, 0]
    h[idx] *= x[1:3]
    return np.sum(h ** 2)


def list_index_repeated_2d(x):
    m = np.outer(x, x)
    return np.sum(m[[0, 0, 1], [1, 1, 2]] ** 2)


def bool_mask_aug(x):
    h = x * 1.0
    h[h > 0] *= 3.0
    return np.sum(h ** 2)


def np_r_slices(x):
    y = np.r_[x[:2], 0.0, x[1:] ** 2]
    return np.sum(y ** 2)


def np_c_columns(x):
    m = np.c_[x, x ** 2, np.sin(x)]
    return np.sum(m @ np.array([1.0, 2.0, 3.0]))


def np_r_write_then_read(x):
    y = np.r_[x, x]
    y[0] = 0.0
    return np.sum(y * np.r_[x, x])


def aug_slice_of_view(x):
    h = np.outer(x, x)
    v = h[1:, 1:]
    v[0, :] += x[1:]
    v[:, 0] *= 2.0
    return np.sum(h * h)


def aug_slice_of_transposed_view(x):
    h = np.outer(x, np.ones(2))
    v = h.T
    v[1] -= x
    return np.sum(h ** 2)


def object_attr_mutated(x):
    b = Box(x * 1.0)
    b.v[0] = x[2] * 2.0
    b.v = b.v * x
    return np.sum(b.v)


def object_attr_aug(x):
    b = Box(x ** 2)
    b.v += x
    c = b
    c.v *= 2.0
    return np.sum(b.v * x)


def list_in_object(x):
    b = Box([x * 1.0, x * 2.0])
    b.v[0][1] = x[0] ** 3
    return np.sum(b.v[0] * b.v[1])


def tuple_of_arrays_written(x):
    t = (x * 1.0, x * 2.0)
    t[0][0] = x[1] * t[1][2]
    return np.sum(t[0] ** 2)


def swap_via_tuple(x):
    a = x * 1.0
    b = x ** 2
    a, b = b, a
    a[0] = 0.0
    return np.sum(a * x) + np.sum(b * x)


def same_array_in_two_lists(x):
    h = x * 1.0
    l1 = [h]
    l2 = [h, x]
    l1[0][1] = x[0] ** 2
    return np.sum(l2[0] * x)


def view_in_dict(x):
    h = x * 1.0
    d = {"head": h[:2]}
    h[0] = x[2] * 5.0
    return np.sum(d["head"] ** 2)


def copy_method(x):
    h = x.copy()
    h[0] = x[1] ** 2
    return np.sum(h * x)


def flatten_copy_not_view(x):
    m = np.outer(x, x)
    f = m.flatten()
    f[0] = 100.0
    return np.sum(m) + np.sum(f * 0.01)


def ravel_of_transpose_copy(x):
    m = np.outer(x, x[:2] * 1.0)
    r = m.T.ravel()
    r[0] = 0.0
    return np.sum(m ** 2) + np.sum(r)


def in_place_loop_rows(x):
    m = np.outer(x, x)
    for i in range(m.shape[0]):
        m[i] /= np.sum(m[i] ** 2) ** 0.5
    return np.sum(m * np.arange(m.size).reshape(m.shape))


def in_place_loop_cols(x):
    m = np.outer(x, x) + 1.0
    for j in range(1, m.shape[1]):
        m[:, j] += m[:, j - 1] * 0.5
    return np.sum(m ** 2)


def cumulative_in_place(x):
    h = x * 1.0
    for i in range(1, h.shape[0]):
        h[i] += h[i - 1]
    return np.sum(h ** 2)


def cumulative_in_place_mul(x):
    h = x + 1.5
    for i in range(1, h.shape[0]):
        h[i] *= h[i - 1]
    return np.sum(h)


def negative_step_view_written(x):
    h = x * 1.0
    r = h[::-1]
    r[0] = x[0] * 3.0
    return np.sum(h * np.arange(h.shape[0]))


def strided_view_aug(x):
    h = x * 1.0
    h[::2] += h[1::2][:len(h[::2])] if False else 0.0
    h[::2] *= x[::2]
    return np.sum(h ** 2)


def list_pop_then_write(x):
    hs = [x * 1.0, x * 2.0, x * 3.0]
    a = hs.pop()
    a[0] = 0.0
    return np.sum(hs[0] * x) + np.sum(a * x)


def list_insert_then_write(x):
    h = x * 1.0
    hs = [x ** 2]
    hs.insert(0, h)
    hs[0][0] = 7.0 * x[1]
    return np.sum(h * x) + np.sum(hs[1])


def setdefault_then_write(x):
    d = {}
    a = d.setdefault("a", x * 1.0)
    a[0] = x[1] ** 2
    return np.sum(d["a"] * x)


def squeeze_of_param_then_use(x):
    h = x[:, None]
    return np.sum((h * h.T) ** 2)


def atleast_2d_write(x):
    h = x * 1.0
    v = np.atleast_2d(h)
    v[0, 0] = x[1] * 3.0
    return np.sum(h * x)


def put_along(x):
    h = x * 1.0
    np.put(h, [0, 2], x[:2] ** 2)
    return np.sum(h * x)


def fill_method(x):
    h = x * 1.0
    h.fill(2.0)
    return np.sum(h * x)


def sort_in_place(x):
    h = x * 1.0
    h.sort()
    return np.sum(h * np.arange(h.shape[0]))


def clip_out_self(x):
    h = x * 3.0
    np.clip(h, -1.0, 1.0, out=h)
    return np.sum(h * x)


def sum_out(x):
    m = np.outer(x, x)
    s = np.zeros(m.shape[1])
    np.sum(m, axis=0, out=s)
    return np.sum(s ** 2)


def matmul_out(x):
    m = np.outer(x, x)
    o = np.empty_like(m)
    np.matmul(m, m, out=o)
    return np.sum(o)


def where_out(x):
    h = np.zeros_like(x)
    np.add(x, 1.0, out=h, where=x > 0)
    return np.sum(h * x)


def list_plus_equals_alias(x):
    a = [x[0]]
    b = a
    a += [x[1] ** 2]
    return sum(b) * x[2]


def chained_assign_alias(x):
    a = b = x * 1.0
    a[0] = x[1] ** 2
    return np.sum(b * x)


def chained_assign_rebind(x):
    a = b = x * 1.0
    a = a * 2.0
    b[1] = 0.0
    return np.sum(a * b)


def float_items_aug_loop(x):
    hs = [x[0], x[1]]
    for h in hs:
        h += 1.0
    return hs[0] * hs[1]


def array_items_aug_loop(x):
    hs = [x[:2] * 1.0, x[2:] * 1.0]
    for h in hs:
        h += x[:2]
    return np.sum(hs[0] * hs[1])


def int_array_truncates(x):
    h = np.zeros(4, dtype=int)
    h[0] = x[0] * 10
    return np.sum(h * x)


def int_zeros_like_truncates(x):
    h = np.zeros_like(np.arange(4))
    h[1:3] = x[1:3] * 5
    return np.sum(h * x)


def int_array_aug(x):
    h = np.arange(4)
    h = h + x
    return np.sum(h ** 2)


def float_conversion(x):
    return float(x[0]) * x[1] + float(np.sum(x)) ** 2


def item_conversion(x):
    return x[0].item() * x[1] + np.sum(x).item()


def int_conversion(x):
    return int(x[0] * 10) * x[1]


def round_conv(x):
    return round(float(x[0]), 1) * x[1] + np.round(x[2], 2)


def astype_int(x):
    return np.sum(x.astype(int) * x) + np.sum((x * 10).astype(np.int64) * x)


def astype_f32(x):
    return float(np.sum(x.astype(np.float32).astype(np.float64) ** 2))


def modulo_ops(x):
    return np.sum((x * 3.0) % 1.0) + np.sum(np.fmod(x * 5.0, 0.7)) + np.sum(np.remainder(x, 0.3) * x)


def floordiv_ops(x):
    return np.sum((x * 5.0) // 1.0 * x) + np.sum(np.floor(x * 3.0) * x)


def divmod_ops(x):
    q, r = divmod(x[0] * 7.0, 2.0)
    return q * x[1] + r * x[2]


def power_self(x):
    return np.sum(np.abs(x) ** x)


def pow_base_const(x):
    return np.sum(2.0 ** x) + np.sum(np.power(3.0, x))


def broadcast_inplace(x):
    h = np.zeros((3, 4))
    h += x
    h[1] *= x
    return np.sum(h ** 2)


def broadcast_inplace_col(x):
    h = np.ones((4, 3))
    h *= x[:, None]
    return np.sum(h * np.arange(3.0))


def overlapping_shift(x):
    h = x * 1.0
    h[1:] = h[:-1]
    return np.sum(h * np.arange(4.0))


def overlapping_shift_back(x):
    h = x * 1.0
    h[:-1] = h[1:]
    return np.sum(h * np.arange(4.0))


def overlapping_aug(x):
    h = x * 1.0
    h[:-1] += h[1:]
    return np.sum(h * np.arange(1.0, 5.0))


def overlapping_aug_back(x):
    h = x * 1.0
    h[1:] += h[:-1]
    return np.sum(h * np.arange(1.0, 5.0))


def overlapping_mul(x):
    h = x + 1.0
    h[1:] *= h[:-1]
    return np.sum(h * np.arange(1.0, 5.0))


def permutation_swap(x):
    h = x * 1.0
    idx = np.array([0, 1, 2, 3])
    h[idx] = h[idx[::-1]]
    return np.sum(h * np.arange(4.0))


def swap_two(x):
    h = x * 1.0
    h[0], h[1] = h[1], h[0]
    return np.sum(h * np.arange(4.0))


def swap_rows(x):
    m = np.outer(x, np.arange(1.0, 3.0))
    m[[0, 1]] = m[[1, 0]]
    return np.sum(m * np.arange(8.0).reshape(4, 2))


def reversed_write(x):
    h = x * 1.0
    h[::-2] = x[:2] ** 2
    return np.sum(h * np.arange(4.0))


def self_assign_reversed(x):
    h = x * 1.0
    h[:] = h[::-1]
    return np.sum(h * np.arange(4.0))


def ptp_and_max_ties(x):
    y = np.array([x[0], x[0], x[1]])
    return np.max(y) + max(x[0], x[0]) + np.min(y)


def builtin_max_key(x):
    vals = [x[0] ** 2, x[1], x[2] * 3.0]
    return max(vals, key=lambda v: abs(v)) * 2.0


def sorted_floats(x):
    vals = sorted([x[0], x[1] * 2, x[2] ** 2])
    return vals[0] + 2 * vals[1] + 3 * vals[2]


def sorted_reverse(x):
    vals = sorted([x[0], x[1] * 2, x[2] ** 2], reverse=True)
    return vals[0] + 2 * vals[1] + 3 * vals[2]


def gen_filter(x):
    return sum(v ** 2 for v in x if v > 0)


def gen_filter_list(x):
    return np.sum(np.array([v * 2.0 for v in x if v < 1.0]) ** 2)


def norm_orders(x):
    m = x.reshape(2, 2)
    return np.linalg.norm(x, 1) + np.linalg.norm(m, "fro") + np.linalg.norm(x, np.inf) + np.linalg.norm(m, "nuc")


def norm_matrix_2(x):
    m = x.reshape(2, 2)
    return np.linalg.norm(m, 2) + np.linalg.norm(m, 1)


def accumulate_max(x):
    return np.sum(np.maximum.accumulate(x) * np.arange(4.0))


def reduce_ufunc(x):
    return np.add.reduce(x ** 2) + np.multiply.reduce(x) + np.maximum.reduce(x)


def triu_tril(x):
    m = np.outer(x, x[::-1])
    return np.sum(np.triu(m, 1) * 2.0) + np.sum(np.tril(m) ** 2) + np.sum(np.diag(m, k=1))


def rev_cumsum(x):
    return np.sum(x[::-1].cumsum()[::-1] * np.arange(4.0))


def complex_abs(x):
    z = x[:2] + 1j * x[2:]
    return np.sum(np.abs(z) ** 2)


def complex_exp_real(x):
    z = np.exp(1j * x)
    return np.sum(np.real(z) * x) + np.sum(z.imag)


def fft_power(x):
    return np.sum(np.abs(np.fft.fft(x)) ** 2)


def rfft_use(x):
    return np.sum(np.abs(np.fft.rfft(x)))


def setitem_broadcast_scalar(x):
    h = np.zeros((2, 4))
    h[:, 1] = x[0]
    h[0, :] = x
    return np.sum(h * np.arange(8.0).reshape(2, 4))


def setitem_newaxis(x):
    h = np.zeros((4, 1))
    h[:, 0] = x ** 2
    return np.sum(h * x[:, None])


def empty_like_filled(x):
    h = np.empty_like(x)
    for i in range(x.shape[0]):
        h[i] = x[i] ** 2 + (h[i - 1] if i > 0 else 0.0)
    return np.sum(h)


def zeros_then_slices(x):
    h = np.zeros(6)
    h[:4] = x
    h[2:] = h[:4] * 2.0
    return np.sum(h ** 2)


def where_nan_safe(x):
    y = np.where(x > 0, np.sqrt(np.abs(x)), 0.0)
    return np.sum(y)


def sign_times(x):
    return np.sum(np.sign(x) * x ** 2)


def clip_bounds_active(x):
    return np.sum(np.clip(x, x[0], x[3]))


def minimum_ties(x):
    y = np.array([x[0], x[0]])
    return np.sum(np.minimum(y, x[0]))


def sigmoid(x):
    return 0.5 * (np.tanh(x) + 1.0)


def logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    r = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        r = np.squeeze(r, axis=axis) if axis is not None else np.squeeze(r)
    return r


def neural_net_predict(params, inputs):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs - logsumexp(outputs, axis=1, keepdims=True)


def nn_log_posterior(params, inputs, targets):
    L2_reg = 0.1
    log_prior = -L2_reg * sum(np.sum(W ** 2) + np.sum(b ** 2) for W, b in params)
    log_lik = np.sum(neural_net_predict(params, inputs) * targets)
    return -(log_prior + log_lik)


def rnn_predict(params, inputs):
    def update_rnn(input, hiddens):
        return np.tanh(np.dot(np.concatenate((input, hiddens), axis=1), params["change"]))

    def hiddens_to_output_probs(hiddens):
        output = np.dot(np.concatenate((hiddens, np.ones((hiddens.shape[0], 1))), axis=1), params["predict"])
        return output - logsumexp(output, axis=1, keepdims=True)

    num_sequences = inputs.shape[1]
    hiddens = np.repeat(params["init hiddens"], num_sequences, axis=0)
    output = [hiddens_to_output_probs(hiddens)]
    for input in inputs:
        hiddens = update_rnn(input, hiddens)
        output.append(hiddens_to_output_probs(hiddens))
    return output


def rnn_log_likelihood(params, inputs, targets):
    logprobs = rnn_predict(params, inputs)
    loglik = 0.0
    num_time_steps, num_examples, _ = inputs.shape
    for t in range(num_time_steps):
        loglik += np.sum(logprobs[t] * targets[t])
    return -loglik / (num_time_steps * num_examples)


def lstm_loss(params, inputs, targets):
    def update_lstm(input, hiddens, cells):
        change = np.tanh(np.dot(np.concatenate((input, hiddens), axis=1), params["change"]))
        forget = sigmoid(np.dot(np.concatenate((input, hiddens), axis=1), params["forget"]))
        ingate = sigmoid(np.dot(np.concatenate((input, hiddens), axis=1), params["ingate"]))
        outgate = sigmoid(np.dot(np.concatenate((input, hiddens), axis=1), params["outgate"]))
        cells = cells * forget + ingate * change
        hiddens = outgate * np.tanh(cells)
        return hiddens, cells
    num_sequences = inputs.shape[1]
    hiddens = np.repeat(params["init hiddens"], num_sequences, axis=0)
    cells = np.repeat(params["init cells"], num_sequences, axis=0)
    loglik = 0.0
    for t in range(inputs.shape[0]):
        hiddens, cells = update_lstm(inputs[t], hiddens, cells)
        out = np.dot(hiddens, params["predict"])
        out = out - logsumexp(out, axis=1, keepdims=True)
        loglik = loglik + np.sum(out * targets[t])
    return -loglik


def gp_log_marginal(params, x, y):
    mean = params[0]
    cov_params = params[2:]
    noise_scale = np.exp(params[1]) + 0.0001
    output_scale = np.exp(cov_params[0])
    lengthscales = np.exp(cov_params[1:])
    diffs = np.expand_dims(x / lengthscales, 1) - np.expand_dims(x / lengthscales, 0)
    cov_y_y = output_scale * np.exp(-0.5 * np.sum(diffs ** 2, axis=2)) + noise_scale * np.eye(len(y))
    prior_mean = mean * np.ones(len(y))
    r = y - prior_mean
    sign, logdet = np.linalg.slogdet(cov_y_y)
    return -0.5 * np.dot(r, np.linalg.solve(cov_y_y, r)) - 0.5 * logdet - 0.5 * len(y) * np.log(2 * np.pi)


def vae_gaussian_kl(mean, log_std):
    return -0.5 * np.sum(1 + 2 * log_std - mean ** 2 - np.exp(2 * log_std))


def vae_loss(enc, dec, x, eps):
    h = np.tanh(x @ enc[0] + enc[1])
    out = h @ enc[2]
    D = out.shape[1] // 2
    mean, log_std = out[:, :D], out[:, D:]
    z = mean + np.exp(log_std) * eps
    logits = np.tanh(z @ dec[0]) @ dec[1]
    ll = np.sum(x * logits - np.logaddexp(0.0, logits))
    return -(ll - vae_gaussian_kl(mean, log_std))


def gmm_ll(params, data):
    logp = params["log_proportions"] - logsumexp(params["log_proportions"])
    cluster_lls = []
    for lp, mean, chol in zip(logp, params["means"], params["chols"]):
        cov = chol @ chol.T + 0.5 * np.eye(data.shape[1])
        d = data - mean
        sol = np.linalg.solve(cov, d.T).T
        cluster_lls.append(lp - 0.5 * np.sum(d * sol, axis=1) - 0.5 * np.linalg.slogdet(cov)[1])
    return np.sum(logsumexp(np.vstack(cluster_lls), axis=0))


def ode_euler(params, y0):
    y = y0
    dt = 0.1
    total = 0.0
    for i in range(20):
        dy = np.array([y[1], -params[0] * y[0] - params[1] * y[1]])
        y = y + dt * dy
        total = total + y[0] ** 2
    return total


def rk4_pendulum(params, y0):
    def f(y):
        return np.stack([y[1], -params[0] * np.sin(y[0]) - params[1] * y[1]])
    y = y0
    h = 0.05
    for i in range(15):
        k1 = f(y)
        k2 = f(y + 0.5 * h * k1)
        k3 = f(y + 0.5 * h * k2)
        k4 = f(y + h * k3)
        y = y + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y[0] ** 2 + y[1]


def nbody(pos, vel, masses):
    dt = 0.01
    for step in range(8):
        diff = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt(np.sum(diff ** 2, axis=-1) + 0.1)
        acc = -np.sum(masses[None, :, None] * diff / dist[:, :, None] ** 3, axis=1)
        vel = vel + dt * acc
        pos = pos + dt * vel
    return np.sum(pos ** 2) + 0.5 * np.sum(masses[:, None] * vel ** 2)


def spring_chain_inplace(pos):
    n = pos.shape[0]
    forces = np.zeros_like(pos)
    for i in range(n - 1):
        d = pos[i + 1] - pos[i]
        f = 2.0 * (d - 1.0)
        forces[i] += f
        forces[i + 1] -= f
    return np.sum(forces ** 2)


def heat_equation(u0, alpha):
    u = u0.copy()
    for t in range(10):
        lap = np.zeros_like(u)
        lap[1:-1] = u[2:] - 2 * u[1:-1] + u[:-2]
        u = u + alpha * lap
    return np.sum(u ** 2)


def heat_equation_inplace(u0, alpha):
    u = u0.copy()
    for t in range(10):
        u[1:-1] += alpha * (u[2:] - 2 * u[1:-1] + u[:-2])
    return np.sum(u ** 2)


def bayes_opt_ei(x, X, y):
    k = np.exp(-0.5 * np.sum((X - x) ** 2, axis=1))
    K = np.exp(-0.5 * np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=2)) + 1e-3 * np.eye(X.shape[0])
    alpha = np.linalg.solve(K, y)
    mu = k @ alpha
    var = 1.0 - k @ np.linalg.solve(K, k)
    sd = np.sqrt(np.maximum(var, 1e-9))
    best = np.min(y)
    z = (best - mu) / sd
    return -(sd * (z * 0.5 * (1 + sps.erf(z / np.sqrt(2))) + np.exp(-0.5 * z ** 2) / np.sqrt(2 * np.pi)))


def student_t_nll(params, y):
    mu, log_s, log_nu = params[0], params[1], params[2]
    s, nu = np.exp(log_s), np.exp(log_nu)
    z = (y - mu) / s
    ll = sps.gammaln((nu + 1) / 2) - sps.gammaln(nu / 2) - 0.5 * np.log(nu * np.pi) - log_s \
        - (nu + 1) / 2 * np.log1p(z ** 2 / nu)
    return -np.sum(ll)


def beta_nll(params, y):
    a, b = np.exp(params[0]), np.exp(params[1])
    return -np.sum((a - 1) * np.log(y) + (b - 1) * np.log1p(-y) - sps.betaln(a, b))


def dirichlet_ll(alpha_log, p):
    alpha = np.exp(alpha_log)
    return np.sum(sps.gammaln(alpha)) - sps.gammaln(np.sum(alpha)) - np.sum((alpha - 1) * np.log(p))


def logistic_expit(w, X, y):
    p = sps.expit(X @ w)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def softmax_sps(W, X, Y):
    return -np.sum(Y * sps.log_softmax(X @ W, axis=1))


def logsumexp_sps(W, X):
    return np.sum(sps.logsumexp(X @ W, axis=1))


def mixture_sps(w, X):
    return np.sum(sps.logsumexp(X * w, axis=0, b=np.array([0.5]) if False else None))


def poisson_gammaln(w, X, k):
    rate = np.exp(X @ w)
    return -np.sum(k * np.log(rate) - rate - sps.gammaln(k + 1))


def digamma_use(a):
    return np.sum(sps.digamma(np.exp(a)) * a)


def erf_use(a):
    return np.sum(sps.erfc(a) * sps.erf(a ** 2))


Layer = namedtuple("Layer", "W b")


# linreg
def linreg_loop(w, b, x, y):
    total = 0.0
    for i in range(x.shape[0]):
        e = w * x[i] + b - y[i]
        total += e * e
    return total / x.shape[0]


def linreg_comp(w, b, x, y):
    return sum((w * xi + b - yi) ** 2 for xi, yi in zip(x, y)) / len(x)


def linreg_dot(w, b, x, y):
    e = w * x + b
    e -= y
    return e.dot(e) / e.size


# logistic
def logistic_rows(W, b, X, y):
    total = 0.0
    for xi, yi in zip(X, y):
        z = xi @ W + b
        total = total + np.logaddexp(0.0, z) - yi * z
    return total / X.shape[0]


def logistic_einsum(W, b, X, y):
    z = np.einsum("ij,j->i", X, W) + b
    return np.mean(np.log(1.0 + np.exp(z)) - y * z)


class LogReg:
    def __init__(self, X, y):
        self.X, self.y = X, y

    def loss(self, W, b):
        z = self.X @ W + b
        return np.mean(np.logaddexp(0.0, z) - self.y * z)


def logistic_method(W, b, X, y):
    return LogReg(X, y).loss(W, b)


# mlp
def mlp_layers(W1, b1, W2, b2, X, Y):
    layers = [Layer(W1, b1), Layer(W2, b2)]
    h = X
    for i, layer in enumerate(layers):
        h = h @ layer.W + layer.b
        if i < len(layers) - 1:
            h = np.tanh(h)
    h -= np.max(h, axis=1, keepdims=True)
    lp = h - np.log(np.sum(np.exp(h), axis=1))[:, None]
    return -np.sum(Y * lp) / X.shape[0]


def mlp_dict(W1, b1, W2, b2, X, Y):
    p = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    h = np.tanh(np.einsum("nd,dh->nh", X, p["W1"]) + p["b1"])
    logits = np.einsum("nh,hk->nk", h, p["W2"]) + p["b2"]
    lse = np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1)) + logits.max(1)
    return np.mean(lse - np.sum(Y * logits, axis=1))


def mlp_rowloop(W1, b1, W2, b2, X, Y):
    total = 0.0
    for n in range(X.shape[0]):
        h = np.tanh(X[n] @ W1 + b1)
        l = h @ W2 + b2
        m = np.max(l)
        total = total - np.sum(Y[n] * (l - m - np.log(np.sum(np.exp(l - m)))))
    return total / X.shape[0]


# rnn
def rnn_list(Wx, Wh, b, xs):
    hs = [np.zeros((xs.shape[1], Wh.shape[0]))]
    for x in xs:
        hs.append(np.tanh(x @ Wx + hs[-1] @ Wh + b))
    return np.mean(hs[-1] ** 2)


def rnn_inplace(Wx, Wh, b, xs):
    H = np.zeros((xs.shape[0] + 1, xs.shape[1], Wh.shape[0]))
    for t in range(xs.shape[0]):
        H[t + 1] = np.tanh(xs[t] @ Wx + H[t] @ Wh + b)
    return np.mean(H[-1] * H[-1])


def rnn_step(Wx, Wh, b, xs):
    def step(h, x):
        return np.tanh(np.dot(x, Wx) + np.dot(h, Wh) + b)
    h = np.zeros((xs.shape[1], Wh.shape[0]))
    for t in range(len(xs)):
        h = step(h, xs[t])
    return (h ** 2).mean()


# elementwise
def elementwise_loop(x):
    s = 0.0
    for v in x:
        s += math.sin(v) * math.exp(-v * v) + v * v
    return s


def elementwise_inplace(x):
    a = np.sin(x)
    a *= np.exp(-x * x)
    a += x * x
    return a.sum()


def elementwise_vec(x):
    return np.dot(np.sin(x), np.exp(-np.square(x))) + np.dot(x, x)


# softplus logistic
def softplus_where(w, X, y):
    m = -y * (X @ w)
    return np.mean(np.where(m > 0, m + np.log1p(np.exp(-m)), np.log1p(np.exp(m))))


def softplus_logaddexp(w, X, y):
    return np.logaddexp(0, -y * X.dot(w)).mean()


def softplus_comp(w, X, y):
    return np.mean([np.log1p(np.exp(-yi * np.dot(xi, w))) for xi, yi in zip(X, y)])


# huber
def huber_branch_loop(w, X, y):
    r = X @ w - y
    total = 0.0
    for ri in r:
        if abs(ri) < 1.0:
            total += 0.5 * ri ** 2
        else:
            total += abs(ri) - 0.5
    return total / len(r)


def huber_clip(w, X, y):
    r = X @ w - y
    c = np.clip(r, -1.0, 1.0)
    return np.mean(c * (r - 0.5 * c))


def huber_mask(w, X, y):
    r = X @ w - y
    a = np.abs(r)
    small = a < 1.0
    return (np.sum(0.5 * r[small] ** 2) + np.sum(a[~small] - 0.5)) / r.size


# xent
def xent_logsumexp(W, b, X, Y):
    logits = X @ W + b
    return np.mean(sps.logsumexp(logits, axis=1) - np.sum(Y * logits, axis=1))


def xent_softmax(W, b, X, Y):
    logits = X @ W + b
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    return -np.mean(np.log(np.sum(p * Y, axis=1)))


def xent_labels(W, b, X, Y):
    logits = X @ W + b
    labels = np.argmax(Y, axis=1)
    lp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.mean(lp[np.arange(X.shape[0]), labels])


# poisson
def poisson_loop(w, X, counts):
    total = 0.0
    for i in range(X.shape[0]):
        eta = np.dot(X[i], w)
        total += math.exp(eta) - counts[i] * eta
    return total / X.shape[0]


def poisson_einsum(w, X, counts):
    eta = np.einsum("ij,j", X, w)
    rate = np.exp(eta)
    return (rate - counts * eta).sum() / len(counts)


def poisson_log(w, X, counts):
    rate = np.exp(X @ w)
    return np.mean(rate - counts * np.log(rate))


# cosine
def cosine_norm(A, B):
    cos = np.sum(A * B, axis=1) / (np.linalg.norm(A, axis=1) * np.linalg.norm(B, axis=1))
    return np.mean(1.0 - cos)


def cosine_normalize(A, B):
    An = A / np.linalg.norm(A, axis=1, keepdims=True)
    Bn = B / np.sqrt((B ** 2).sum(-1))[:, None]
    return 1.0 - np.einsum("ij,ij->", An, Bn) / A.shape[0]


def cosine_rows(A, B):
    total = 0.0
    for a, b in zip(A, B):
        total += 1.0 - a @ b / math.sqrt(a @ a) / math.sqrt(b @ b)
    return total / A.shape[0]


# thirty lines, inplace-heavy
def thirty_inplace(W1, b1, W2, b2, X, Y, decay):
    h = np.tanh(X @ W1 + b1)
    total = 0.0
    for k in range(3):
        z = h @ W2 + b2
        if k % 2 == 0:
            z *= decay
        else:
            z -= z.mean(axis=0)
        r = np.clip(np.tanh(z), -0.95, 0.95)
        h += 0.5 * r
        total += 0.01 * (r * r).sum()
    s = h @ W2.T
    s -= s.max(axis=1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=1, keepdims=True)
    p -= Y
    scale = np.sqrt((p * p).sum(axis=1).mean() + 1e-6)
    reg = (W1 ** 2).sum() + (W2 ** 2).sum()
    loss = scale + 1e-3 * reg if scale > 0.5 else scale * scale + 1e-3 * reg
    loss += 0.1 * h.std(axis=0).mean() + total + 1e-4 * np.sum(b1 * b1 + b2 * b2)
    return loss


# bnn with params as a flat vector sliced
def bnn_flat(mean, log_std, noise, X, y):
    w = mean + np.exp(log_std) * noise
    D, H = X.shape[1], 4
    W1 = w[:D * H].reshape(D, H)
    b1 = w[D * H:D * H + H]
    W2 = w[D * H + H:D * H + 2 * H].reshape(H, 1)
    b2 = w[-1]
    pred = np.tanh(X @ W1 + b1) @ W2 + b2
    return 50.0 * np.sum((pred.ravel() - y) ** 2) + 0.5 * w @ w - log_std.sum()


def bnn_split(mean, log_std, noise, X, y):
    w = mean + np.exp(log_std) * noise
    D, H = X.shape[1], 4
    W1, b1, W2, b2 = np.split(w, [D * H, D * H + H, D * H + 2 * H])
    h = np.tanh(X @ W1.reshape(D, H) + b1)
    pred = h @ W2 + b2[0]
    return 50.0 * np.sum((pred - y) ** 2) + 0.5 * np.sum(w * w) - np.sum(log_std)


def loop_buffer_carry(W, x):
    h = x * 1.0
    hs = []
    for t in range(4):
        h = np.tanh(W @ h)
        hs.append(h)
    return np.sum(np.stack(hs) ** 2) + np.sum(hs[0] * hs[-1])


def loop_inplace_carry(W, x):
    h = x * 1.0
    for t in range(4):
        z = W @ h
        z *= 0.5
        z += h
        h = np.tanh(z)
    return np.sum(h ** 2)


def loop_reuse_name(W, x):
    total = 0.0
    h = x
    for t in range(3):
        a = W @ h
        b = a * a
        a = np.sin(b)
        h = a + h
        total = total + np.sum(a)
    return total


def loop_two_tapes(W, x):
    h = x * 1.0
    for t in range(3):
        h = np.tanh(W @ h)
    g = h * 1.0
    for t in range(3):
        g = np.sin(W.T @ g) * h
    return np.sum(g)


def nested_loop_matrix(W, x):
    s = 0.0
    for i in range(2):
        h = x * (i + 1)
        for j in range(3):
            h = np.tanh(W @ h + x)
            s = s + np.sum(h) * (j + 1)
    return s


def loop_batched_matmul(W, x):
    outs = []
    for t in range(4):
        outs.append(W @ (x * (t + 1.0)))
    return np.sum(np.tanh(np.array(outs)))


def loop_while_break(W, x):
    h = x * 1.0
    k = 0
    while True:
        h = np.tanh(W @ h)
        k += 1
        if k >= 3:
            break
    return np.sum(h)


def loop_continue(W, x):
    s = 0.0
    for t in range(5):
        if t % 2 == 1:
            continue
        s = s + np.sum(np.sin(W @ x * t))
    return s


def loop_data_dependent_break(W, x):
    h = x * 1.0
    for t in range(10):
        h = np.tanh(W @ h) + 0.1
        if np.sum(h) > 1.5:
            break
    return np.sum(h ** 2)


def loop_setitem_matrix(W, x):
    H = np.zeros((4, x.shape[0]))
    H[0] = x
    for t in range(1, 4):
        H[t] = np.tanh(W @ H[t - 1])
    return np.sum(H ** 2)


def loop_setitem_then_read_all(W, x):
    H = np.zeros((4, x.shape[0]))
    for t in range(4):
        H[t] = np.sin(W @ x * t)
        H[t] += H[t - 1] * 0.5
    return np.sum(H * H)


def loop_augment_slice(W, x):
    acc = np.zeros_like(x)
    for t in range(3):
        acc[:2] += (W @ x)[:2] * t
        acc[1:] *= 1.1
    return np.sum(acc ** 2)


def loop_dict_state(W, x):
    state = {"h": x * 1.0, "c": np.zeros_like(x)}
    for t in range(3):
        c = state["c"] + np.tanh(W @ state["h"])
        state = {"h": np.tanh(c), "c": c}
    return np.sum(state["h"] ** 2 + state["c"])


def loop_tuple_state(W, x):
    h, c = x * 1.0, np.zeros_like(x)
    for t in range(3):
        h, c = np.tanh(W @ h + c), c + h
    return np.sum(h * c)


def loop_list_growth(W, x):
    hs = [x]
    for t in range(3):
        hs = hs + [np.tanh(W @ hs[-1])]
    return sum(np.sum(h ** 2) for h in hs)


def reuse_after_loop(W, x):
    h = x * 1.0
    for t in range(3):
        h = W @ h
        h = h / np.linalg.norm(h)
    return np.sum(h * (W @ h))


def scan_cumulative(W, x):
    ys = np.empty((5, x.shape[0]))
    y = x
    for t in range(5):
        y = 0.9 * y + 0.1 * np.tanh(W @ y)
        ys[t] = y
    return np.sum(ys[1:] * ys[:-1])


def loop_accumulate_matrix(W, x):
    G = np.zeros_like(W)
    for t in range(3):
        v = np.tanh(W @ x * (t + 1))
        G += np.outer(v, x)
    return np.sum(G * W)


def loop_over_columns(W, x):
    s = 0.0
    for col in W.T:
        s = s + np.sum(np.tanh(col * x))
    return s


def loop_enumerate_rows(W, x):
    s = 0.0
    for i, row in enumerate(W):
        s = s + (i + 1) * np.sin(row @ x)
    return s


def einsum_diag(x):
    m = x.reshape(2, 2)
    return np.sum(np.einsum("ii->i", m) ** 2) + np.einsum("ii", m @ m)


def einsum_ellipsis(x):
    t = np.stack([x.reshape(2, 2), x.reshape(2, 2).T])
    return np.sum(np.einsum("...ij,...jk->...ik", t, t) ** 2)


def einsum_repeated_operand(x):
    return np.einsum("i,i,i->", x, x, x) + np.einsum("i,j->", x, x)


def einsum_outer_trace(x):
    return np.einsum("ij,ji->", np.outer(x, x), np.outer(x, x[::-1]))


def trace_offset(x):
    m = np.outer(x, x + 1.0)
    return np.trace(m, offset=1) + np.trace(m, offset=-2) * 2.0


def diagonal_3d(x):
    t = np.outer(x, x).reshape(2, 2, 4)
    return np.sum(np.diagonal(t, axis1=0, axis2=1) ** 2)


def take_along(x):
    m = np.outer(x, x[::-1])
    idx = np.argsort(m, axis=1)
    return np.sum(np.take_along_axis(m, idx, axis=1) * np.arange(4.0))


def argsort_gather(x):
    order = np.argsort(x)
    return np.sum(x[order] * np.arange(4.0)) + x[np.argmax(x)] * 2.0


def nonzero_gather(x):
    idx = np.nonzero(x > 0)[0]
    return np.sum(x[idx] ** 2)


def unique_counts(x):
    vals, counts = np.unique(np.round(x), return_counts=True)
    return np.sum(x * counts[0])


def pinv_use(x):
    m = np.outer(x, x[:3]) + np.eye(4, 3)
    return np.sum(np.linalg.pinv(m) ** 2)


def lstsq_use(x):
    A = np.outer(x, np.arange(1.0, 3.0)) + np.eye(4, 2)
    sol = np.linalg.lstsq(A, x, rcond=None)[0]
    return np.sum(sol ** 2)


def matrix_power_use(x):
    m = x.reshape(2, 2)
    return np.sum(np.linalg.matrix_power(m, 3))


def qr_use(x):
    m = np.outer(x, x[:3]) + np.eye(4, 3)
    q, r = np.linalg.qr(m)
    return np.sum(np.abs(np.diag(r)))


def svd_use(x):
    m = np.outer(x, x[:3]) + np.diag([1.0, 2.0, 3.0, 0.0])[:, :3]
    s = np.linalg.svd(m, compute_uv=False)
    return np.sum(s ** 2) + s[0]


def batched_solve(x):
    A = np.stack([np.eye(2) * 2 + np.outer(x[:2], x[:2]), np.eye(2) * 3 + np.outer(x[2:], x[2:])])
    b = x.reshape(2, 2)
    return np.sum(np.linalg.solve(A, b[..., None]) ** 2)


def batched_det_inv(x):
    A = np.stack([np.eye(2) * 2 + np.outer(x[:2], x[:2]), np.eye(2) * 3 + np.outer(x[2:], x[2:])])
    return np.sum(np.linalg.det(A)) + np.sum(np.linalg.inv(A))


def slogdet_batched(x):
    A = np.stack([np.eye(2) * 2 + np.outer(x[:2], x[:2]), np.eye(2) * 3 + np.outer(x[2:], x[2:])])
    s, l = np.linalg.slogdet(A)
    return np.sum(s * l)


def stats_norm(x):
    return np.sum(stats.norm.logpdf(x, loc=x[0], scale=np.exp(x[1]))) + np.sum(stats.norm.cdf(x))


def stats_frozen(x):
    d = stats.norm(x[0], np.exp(x[1]))
    return np.sum(d.logpdf(x[2:]))


def special_gammaln_broadcast(x):
    return np.sum(sps.gammaln(np.exp(x)[:, None] + np.arange(3.0)))


def special_xlogy(x):
    return np.sum(sps.xlogy(x ** 2, np.exp(x)) + sps.xlog1py(x ** 2, np.exp(x)))


def special_softmax(x):
    return np.sum(sps.softmax(x.reshape(2, 2), axis=0) * np.arange(4.0).reshape(2, 2))


def special_logit_expit(x):
    return np.sum(sps.logit(sps.expit(x) * 0.9 + 0.05))


def norm_axis_keepdims(x):
    m = x.reshape(2, 2) + 0.1
    return np.sum(m / np.linalg.norm(m, axis=0, keepdims=True))


def cov_corr(x):
    m = np.stack([x, x ** 2, np.sin(x)])
    return np.sum(np.cov(m)) + np.sum(np.corrcoef(m)[0])


def average_weights(x):
    return np.average(x, weights=np.exp(x)) + np.average(x ** 2)


def quantile_use(x):
    return np.quantile(x, 0.3) + np.percentile(x ** 2, 70)


def nan_funcs(x):
    y = np.where(x > 1.0, np.nan, x)
    return np.nansum(y ** 2) + np.nanmean(y) + np.nanmax(y)


def logsumexp_np(x):
    return np.logaddexp.reduce(x) if False else np.log(np.sum(np.exp(x)))


def linspace_active(x):
    return np.sum(np.linspace(x[0], x[1], 5) ** 2)


def arange_times(x):
    return np.sum(np.arange(4) * x) + np.sum(np.arange(x.shape[0]) ** 2 * x)


def meshgrid_use(x):
    a, b = np.meshgrid(x[:2], x[2:])
    return np.sum(a * b ** 2)


def broadcast_to_use(x):
    return np.sum(np.broadcast_to(x, (3, 4)) * np.arange(12.0).reshape(3, 4))


def flip_rot(x):
    m = x.reshape(2, 2)
    return np.sum(np.rot90(m) * np.flip(m, 0) + np.fliplr(m) ** 2)


def moveaxis_use(x):
    t = np.outer(x, x).reshape(2, 2, 4)
    return np.sum(np.moveaxis(t, 0, -1) * np.arange(16.0).reshape(2, 4, 2))


def split_stack(x):
    a, b = np.split(x, 2)
    return np.sum(np.hstack([b, a]) * np.arange(4.0)) + np.sum(np.column_stack([a, b]) ** 2)


def delete_insert(x):
    return np.sum(np.delete(x, 1) ** 2) + np.sum(np.insert(x, 2, x[0]) * np.arange(5.0))


def append_concat(x):
    return np.sum(np.append(x, x[:2] ** 2) * np.arange(6.0))


def sort_axis(x):
    m = x.reshape(2, 2)
    return np.sum(np.sort(m, axis=0) * np.array([[1.0, 2.0], [3.0, 4.0]]))


def partition_like(x):
    return np.sum(np.partition(x, 2)[:2])


def max_axis_ties(x):
    m = np.outer(x, np.ones(2))
    return np.sum(np.max(m, axis=1)) + np.sum(np.amax(m, axis=0))


def std_ddof(x):
    return np.std(x, ddof=1) + np.var(x.reshape(2, 2), axis=0, ddof=1).sum()


def cumsum_axis_reverse(x):
    m = x.reshape(2, 2)
    return np.sum(np.cumsum(m[::-1], axis=0) ** 2) + np.sum(np.cumprod(m + 1.0, axis=1))


def matmul_vector_shapes(x):
    m = np.outer(x, x)
    return x @ m @ x + np.sum(m @ x) + np.dot(x, x) * np.inner(x, x[::-1])


def tensordot_use(x):
    t = np.outer(x, x).reshape(2, 2, 4)
    return np.sum(np.tensordot(t, x, axes=([2], [0])) ** 2)


def vdot_real(x):
    return np.vdot(x, x[::-1]) * 2.0


WX = np.array([[0.3, -0.2, 0.1, 0.4], [0.1, 0.5, -0.3, 0.2], [-0.4, 0.1, 0.2, 0.3], [0.2, 0.2, -0.1, -0.5]])


def loop_inplace_carry_x(x):
    h = x * 1.0
    for t in range(3):
        z = WX @ h
        z *= 0.5
        z += h
        h = np.tanh(z)
    return np.sum(h ** 2)


def loop_setitem_matrix_x(x):
    H = np.zeros((4, x.shape[0]))
    H[0] = x
    for t in range(1, 4):
        H[t] = np.tanh(WX @ H[t - 1])
    return np.sum(H ** 2)


def loop_augment_slice_x(x):
    acc = np.zeros_like(x)
    for t in range(3):
        acc[:2] += (WX @ x)[:2] * t
        acc[1:] *= 1.1 + x[0]
    return np.sum(acc ** 2)


def loop_dict_state_x(x):
    state = {"h": x * 1.0, "c": np.zeros_like(x)}
    for t in range(3):
        c = state["c"] + np.tanh(WX @ state["h"])
        state = {"h": np.tanh(c), "c": c}
    return np.sum(state["h"] ** 2 + state["c"])


def loop_tuple_state_x(x):
    h, c = x * 1.0, np.zeros_like(x)
    for t in range(3):
        h, c = np.tanh(WX @ h + c), c + h
    return np.sum(h * c)


def loop_data_dependent_break_x(x):
    h = x * 1.0
    for t in range(10):
        h = np.tanh(WX @ h) + 0.1
        if np.sum(h) > 1.5:
            break
    return np.sum(h ** 2)


def while_converge(x):
    h = x * 1.0
    k = 0
    while np.max(np.abs(h)) > 0.05 and k < 50:
        h = 0.7 * np.sin(h)
        k += 1
    return np.sum(h) + k * 0.0


def cumulative_in_place_x(x):
    h = x * 1.0
    for i in range(1, h.shape[0]):
        h[i] += h[i - 1] * h[i]
    return np.sum(h ** 2)


def heat_inplace(x):
    u = x.copy()
    for t in range(5):
        u[1:-1] += 0.2 * (u[2:] - 2 * u[1:-1] + u[:-2])
    return np.sum(u ** 3)


def list_append_stack(x):
    hs = []
    h = x
    for t in range(3):
        h = np.sin(WX @ h) * x
        hs.append(h)
    return np.sum(np.stack(hs) ** 2) + np.sum(hs[0] * hs[-1])


def nested_helpers(x):
    def layer(v, k):
        return np.tanh(WX @ v * k)
    def block(v):
        return layer(layer(v, 1.0), 0.5) + v
    return np.sum(block(block(x)) ** 2)


def comprehension_sum(x):
    return sum(np.sum(np.sin(WX[i] * x) ** 2) for i in range(4)) + np.sum([x[i] * x[-i - 1] for i in range(4)])


def where_loop(x):
    h = x * 1.0
    for t in range(3):
        h = np.where(h > 0, h * h, np.sin(h)) + 0.1 * (WX @ h)
    return np.sum(h)


def gather_scatter_loop(x):
    idx = np.array([0, 2, 2, 1])
    h = x * 1.0
    for t in range(2):
        g = h[idx] * x
        h = np.zeros(4)
        np.add.at(h, idx, g) if False else None
        h = h + g[::-1]
    return np.sum(h ** 2)


def outer_loop_matrix(x):
    M = np.eye(4)
    for t in range(3):
        M = M @ (np.outer(x, x) * 0.1 + WX)
    return np.trace(M) + np.sum(M[0] ** 2)


def solve_loop(x):
    A = np.eye(4) * 2.0 + np.outer(x, x) * 0.1
    v = x
    for t in range(2):
        v = np.linalg.solve(A, v) + x
    return np.sum(v ** 2)
'''

KNOWN_BUGS = {}
NO_AUTOGRAD = ['array_items_aug_loop', 'astype_int', 'cosine_normalize', 'cumulative_in_place',
 'cumulative_in_place_mul', 'float_items_aug_loop', 'minimum_ties', 'overlapping_aug',
 'overlapping_aug_back', 'overlapping_mul', 'ptp_and_max_ties']  # autograd's own semantics differ
HESSIAN = ['batched_solve', 'comprehension_sum', 'cumulative_in_place_x', 'einsum_diag',
 'elementwise_inplace', 'elementwise_loop', 'elementwise_vec', 'heat_inplace',
 'list_append_stack', 'loop_augment_slice_x', 'loop_dict_state_x', 'loop_inplace_carry_x',
 'loop_setitem_matrix_x', 'loop_tuple_state_x', 'nested_helpers', 'outer_loop_matrix',
 'poisson_einsum', 'poisson_log', 'poisson_loop', 'rk4_pendulum', 'softplus_comp',
 'softplus_logaddexp', 'softplus_where', 'solve_loop']


def _cases_0():
    x = np.array([0.5, -0.3, 0.8, 1.2])
    CASES = [(n, [x.copy()]) for n in """values_inplace_then_read items_setitem_slice list_of_arrays_slice_assign nested_dict_written
    helper_writes_two_args helper_returns_view_written reshape_view_inplace transpose_view_aug_slice ellipsis_assign ellipsis_assign_view
    out_param_ufunc out_param_into_view asarray_then_write asarray_of_param_read asarray_float_of_param repeated_fancy_read
    repeated_fancy_write_assign repeated_fancy_write_values_active repeated_fancy_aug_add repeated_fancy_aug_mul list_index_repeated_2d
    bool_mask_aug np_r_slices np_c_columns np_r_write_then_read aug_slice_of_view aug_slice_of_transposed_view object_attr_mutated
    object_attr_aug list_in_object tuple_of_arrays_written swap_via_tuple same_array_in_two_lists view_in_dict copy_method
    flatten_copy_not_view ravel_of_transpose_copy in_place_loop_rows in_place_loop_cols cumulative_in_place cumulative_in_place_mul
    negative_step_view_written strided_view_aug list_pop_then_write list_insert_then_write setdefault_then_write squeeze_of_param_then_use
    atleast_2d_write put_along fill_method sort_in_place clip_out_self sum_out matmul_out where_out""".split()]
    return CASES


def _cases_1():
    x = np.array([0.53, -0.31, 0.82, 1.27])
    CASES = [(n, [x.copy()]) for n in """list_plus_equals_alias chained_assign_alias chained_assign_rebind float_items_aug_loop array_items_aug_loop
    int_array_truncates int_zeros_like_truncates int_array_aug float_conversion item_conversion int_conversion round_conv astype_int astype_f32
    modulo_ops floordiv_ops divmod_ops power_self pow_base_const broadcast_inplace broadcast_inplace_col overlapping_shift overlapping_shift_back
    overlapping_aug overlapping_aug_back overlapping_mul permutation_swap swap_two swap_rows reversed_write self_assign_reversed
    builtin_max_key sorted_floats sorted_reverse gen_filter gen_filter_list norm_orders norm_matrix_2 accumulate_max reduce_ufunc
    triu_tril rev_cumsum complex_abs complex_exp_real fft_power rfft_use setitem_broadcast_scalar setitem_newaxis empty_like_filled
    zeros_then_slices where_nan_safe sign_times clip_bounds_active""".split()]
    CASES += [("ptp_and_max_ties", [x.copy()], dict(ag=False)), ("minimum_ties", [x.copy()], dict(ag=False))]
    return CASES


def _cases_2():
    r = np.random.default_rng(0)
    def nn_params(sizes):
        return [(r.normal(size=(m, n)) * 0.5, r.normal(size=n) * 0.1) for m, n in zip(sizes[:-1], sizes[1:])]
    X = r.normal(size=(6, 3)); T = np.eye(2)[r.integers(0, 2, 6)]
    rnn_p = {"init hiddens": r.normal(size=(1, 3)) * 0.1, "change": r.normal(size=(2 + 3, 3)) * 0.5,
             "predict": r.normal(size=(4, 2)) * 0.5}
    seq = r.normal(size=(4, 2, 2)); seqT = np.eye(2)[r.integers(0, 2, (4, 2))]
    lstm_p = {"init hiddens": r.normal(size=(1, 3)) * 0.1, "init cells": r.normal(size=(1, 3)) * 0.1,
              "change": r.normal(size=(5, 3)) * 0.5, "forget": r.normal(size=(5, 3)) * 0.5,
              "ingate": r.normal(size=(5, 3)) * 0.5, "outgate": r.normal(size=(5, 3)) * 0.5,
              "predict": r.normal(size=(3, 2)) * 0.5}
    gx = r.normal(size=(5, 2)); gy = r.normal(size=5)
    enc = [r.normal(size=(4, 3)) * 0.3, r.normal(size=3) * 0.1, r.normal(size=(3, 4)) * 0.3]
    dec = [r.normal(size=(2, 3)) * 0.3, r.normal(size=(3, 4)) * 0.3]
    xb = (r.random((5, 4)) > 0.5).astype(float); eps = r.normal(size=(5, 2))
    gmm_p = {"log_proportions": r.normal(size=2), "means": r.normal(size=(2, 2)), "chols": r.normal(size=(2, 2, 2)) * 0.5}
    data = r.normal(size=(6, 2))
    CASES = [
     ("nn_log_posterior", [nn_params([3, 4, 2]), X, T]),
     ("rnn_log_likelihood", [rnn_p, seq, seqT], dict(wrt=(0,))),
     ("lstm_loss", [lstm_p, seq, seqT], dict(wrt=(0,))),
     ("gp_log_marginal", [r.normal(size=5) * 0.3, gx, gy]),
     ("vae_loss", [enc, dec, xb, eps], dict(wrt=(0, 1))),
     ("gmm_ll", [gmm_p, data], dict(wrt=(0,))),
     ("ode_euler", [np.array([1.3, 0.2]), np.array([1.0, 0.0])]),
     ("rk4_pendulum", [np.array([1.3, 0.2]), np.array([1.0, 0.3])], dict(hessian=True)),
     ("nbody", [r.normal(size=(3, 2)), r.normal(size=(3, 2)) * 0.1, np.array([1.0, 2.0, 0.5])]),
     ("spring_chain_inplace", [np.cumsum(r.random(5)) + r.normal(size=5) * 0.1]),
     ("heat_equation", [r.normal(size=7), 0.2]),
     ("heat_equation_inplace", [r.normal(size=7), 0.2]),
     ("bayes_opt_ei", [r.normal(size=2), r.normal(size=(4, 2)), r.normal(size=4)]),
     ("student_t_nll", [np.array([0.1, 0.2, 1.0]), r.normal(size=6)]),
     ("beta_nll", [np.array([0.3, 0.5]), r.random(6) * 0.8 + 0.1]),
     ("dirichlet_ll", [r.normal(size=3), np.array([0.2, 0.3, 0.5])]),
     ("logistic_expit", [r.normal(size=3), X, (r.random(6) > .5).astype(float)]),
     ("softmax_sps", [r.normal(size=(3, 2)), X, T]),
     ("logsumexp_sps", [r.normal(size=(3, 2)), X]),
     ("mixture_sps", [r.normal(size=3), X]),
     ("poisson_gammaln", [r.normal(size=3) * 0.3, X, r.integers(0, 5, 6).astype(float)]),
     ("digamma_use", [r.normal(size=3)]),
     ("erf_use", [r.normal(size=3)]),
    ]
    return CASES


def _cases_3():
    r = np.random.default_rng(1)
    x = r.normal(size=6); y = 2 * x + 1 + r.normal(size=6) * 0.1
    X = r.normal(size=(6, 3)); yb = (r.random(6) > 0.5).astype(float); ypm = 2 * yb - 1
    Y = np.eye(2)[r.integers(0, 2, 6)]
    W1, b1, W2, b2 = r.normal(size=(3, 4)) * 0.5, r.normal(size=4) * 0.1, r.normal(size=(4, 2)) * 0.5, r.normal(size=2) * 0.1
    xs = r.normal(size=(4, 2, 3)); Wx, Wh, bh = r.normal(size=(3, 4)) * 0.5, r.normal(size=(4, 4)) * 0.4, r.normal(size=4) * 0.1
    counts = r.integers(0, 5, 6).astype(float)
    A, B = r.normal(size=(5, 3)), r.normal(size=(5, 3))
    nb = 3 * 4 + 4 + 4 + 1
    CASES = []
    for n in "linreg_loop linreg_comp linreg_dot".split():
        CASES.append((n, [0.7, -0.2, x, y], dict(wrt=(0, 1))))
    for n in "logistic_rows logistic_einsum logistic_method".split():
        CASES.append((n, [r.normal(size=3), 0.1, X, yb], dict(wrt=(0, 1))))
    for n in "mlp_layers mlp_dict mlp_rowloop".split():
        CASES.append((n, [W1, b1, W2, b2, X, Y], dict(wrt=(0, 1, 2, 3))))
    for n in "rnn_list rnn_inplace rnn_step".split():
        CASES.append((n, [Wx, Wh, bh, xs], dict(wrt=(0, 1, 2))))
    for n in "elementwise_loop elementwise_inplace elementwise_vec".split():
        CASES.append((n, [r.normal(size=5)], dict(hessian=True)))
    for n in "softplus_where softplus_logaddexp softplus_comp".split():
        CASES.append((n, [r.normal(size=3), X, ypm], dict(wrt=(0,), hessian=True)))
    for n in "huber_branch_loop huber_clip huber_mask".split():
        CASES.append((n, [r.normal(size=3), X, r.normal(size=6) * 2], dict(wrt=(0,))))
    for n in "xent_logsumexp xent_softmax xent_labels".split():
        CASES.append((n, [W2, b2, r.normal(size=(6, 4)), Y], dict(wrt=(0, 1))))
    for n in "poisson_loop poisson_einsum poisson_log".split():
        CASES.append((n, [r.normal(size=3) * 0.3, X, counts], dict(wrt=(0,), hessian=True)))
    for n in "cosine_norm cosine_normalize cosine_rows".split():
        CASES.append((n, [A, B]))
    CASES.append(("thirty_inplace", [W1, b1, r.normal(size=(4, 4)) * 0.5, r.normal(size=4) * 0.1, X, np.eye(4)[r.integers(0, 4, 6)], 0.7], dict(wrt=(0, 1, 2, 3, 6))))
    for n in "bnn_flat bnn_split".split():
        CASES.append((n, [r.normal(size=nb) * 0.3, r.normal(size=nb) * 0.1 - 1, r.normal(size=nb), X, r.normal(size=6)], dict(wrt=(0, 1))))
    return CASES


def _cases_4():
    r = np.random.default_rng(3)
    W = r.normal(size=(4, 4)) * 0.5
    x = r.normal(size=4)
    CASES = [(n, [W.copy(), x.copy()]) for n in """loop_buffer_carry loop_inplace_carry loop_reuse_name loop_two_tapes nested_loop_matrix
    loop_batched_matmul loop_while_break loop_continue loop_data_dependent_break loop_setitem_matrix loop_setitem_then_read_all
    loop_augment_slice loop_dict_state loop_tuple_state loop_list_growth reuse_after_loop scan_cumulative loop_accumulate_matrix
    loop_over_columns loop_enumerate_rows""".split()]
    return CASES


def _cases_5():
    x = np.array([0.53, -0.31, 0.82, 1.27])
    CASES = [(n, [x.copy()]) for n in """einsum_diag einsum_ellipsis einsum_repeated_operand einsum_outer_trace trace_offset diagonal_3d
    take_along argsort_gather nonzero_gather unique_counts pinv_use lstsq_use matrix_power_use qr_use svd_use batched_solve batched_det_inv
    slogdet_batched stats_norm stats_frozen special_gammaln_broadcast special_xlogy special_softmax special_logit_expit norm_axis_keepdims
    cov_corr average_weights quantile_use nan_funcs logsumexp_np linspace_active arange_times meshgrid_use broadcast_to_use flip_rot
    moveaxis_use split_stack delete_insert append_concat sort_axis partition_like max_axis_ties std_ddof cumsum_axis_reverse
    matmul_vector_shapes tensordot_use vdot_real""".split()]
    return CASES


def _cases_6():
    x4 = np.array([0.5, -0.3, 0.8, 1.2])
    CASES = [(n, [x4.copy()]) for n in """loop_inplace_carry_x loop_setitem_matrix_x loop_augment_slice_x loop_dict_state_x loop_tuple_state_x
    loop_data_dependent_break_x while_converge cumulative_in_place_x heat_inplace list_append_stack nested_helpers comprehension_sum
    where_loop gather_scatter_loop outer_loop_matrix solve_loop""".split()]
    return CASES


CASES = [(f"{case[0]}-{k}", case) for k, case in enumerate(_cases_0() + _cases_1() + _cases_2() + _cases_3() + _cases_4() + _cases_5() + _cases_6())]


@pytest.fixture(scope="module")
def mods(tmp_path_factory):
    return numpy_and_autograd(PROGRAMS, tmp_path_factory.mktemp("attack5_programs"), "attack5_programs", header=HEADER)


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[i for i, _ in CASES])
def test_program(mods, case, request):
    ours, theirs = mods
    name, args = case[0], case[1]
    options = dict(case[2]) if len(case) > 2 else {}
    options.pop("ag", None)
    if name in KNOWN_BUGS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_BUGS[name], strict=True))
    autograd_f = None if name in NO_AUTOGRAD else getattr(theirs, name)
    options.setdefault("hessian", name in HESSIAN)
    outcome = judge(getattr(ours, name), args, autograd_f=autograd_f, **options)
    assert outcome.kind == "ok" or outcome.kind.startswith("refused"), str(outcome)
