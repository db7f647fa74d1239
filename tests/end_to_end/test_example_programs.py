"""Eight example-sized programs in the style of the published autograd examples, written
with plain NumPy and nothing but `import numpy as np` (no edit for srcgrad): each one's
gradient matches central finite differences, and a short training run reduces its loss."""

from collections import namedtuple
from functools import partial

import numpy as np
import pytest

import srcgrad
from srcgrad.optim import Adam
from srcgrad.tree import tree_flatten, tree_unflatten
from finite_diff import numerical_grad

rng = np.random.default_rng(0)


def sigmoid(x):
    return 0.5 * (np.tanh(x / 2.0) + 1.0)


def logsumexp(x, axis=None):
    top = np.max(x, axis=axis, keepdims=True)
    return np.log(np.sum(np.exp(x - top), axis=axis, keepdims=True)) + top


# --- 1. an RNN whose step is a nested function -------------------------------------------


def rnn_init(n_in, n_hidden, n_out):
    return {"W_in": rng.normal(0, 0.3, (n_in + n_hidden, n_hidden)), "b": np.zeros(n_hidden),
            "W_out": rng.normal(0, 0.3, (n_hidden, n_out))}


def rnn_loss(params, inputs, targets):
    def update_rnn(input, hiddens):
        joined = np.concatenate((input, hiddens), axis=1)
        return np.tanh(joined @ params["W_in"] + params["b"])

    def hiddens_to_output(hiddens):
        return hiddens @ params["W_out"]

    hiddens = np.zeros((inputs.shape[1], params["b"].shape[0]))
    total = 0.0
    for t, input in enumerate(inputs):
        hiddens = update_rnn(input, hiddens)
        total = total + np.mean((hiddens_to_output(hiddens) - targets[t]) ** 2)
    return total / len(inputs)


def rnn_data():
    inputs = rng.normal(size=(6, 4, 2))
    targets = np.cumsum(inputs[:, :, :1], axis=0) * 0.3
    return (rnn_init(2, 5, 1), inputs, targets)


# --- 2. an LSTM whose step is a nested function -----------------------------------------


def lstm_init(n_in, n_hidden):
    size = n_in + n_hidden
    return {gate: rng.normal(0, 0.3, (size, n_hidden)) for gate in ("f", "i", "o", "c")} | {
        "out": rng.normal(0, 0.3, (n_hidden, 1))}


def lstm_loss(params, inputs, targets):
    def step(x, hidden, cell):
        joined = np.concatenate((x, hidden), axis=1)
        forget = sigmoid(joined @ params["f"])
        ingate = sigmoid(joined @ params["i"])
        outgate = sigmoid(joined @ params["o"])
        change = np.tanh(joined @ params["c"])
        cell = cell * forget + ingate * change
        return outgate * np.tanh(cell), cell

    n = inputs.shape[1]
    hidden = np.zeros((n, params["out"].shape[0]))
    cell = np.zeros_like(hidden)
    for x in inputs:
        hidden, cell = step(x, hidden, cell)
    return np.mean((hidden @ params["out"] - targets) ** 2)


def lstm_data():
    inputs = rng.normal(size=(5, 3, 2))
    return (lstm_init(2, 4), inputs, np.sum(inputs[:, :, 0], axis=0, keepdims=True).T * 0.2)


# --- 3. a Gaussian mixture with comprehensions -------------------------------------------


def mixture_loss(params, data):
    weights = np.exp(params["logits"]) / np.sum(np.exp(params["logits"]))
    log_likes = [np.log(w) - 0.5 * np.sum((data - mu) ** 2 / np.exp(2.0 * s), axis=1)
                 - np.sum(s) - data.shape[1] * 0.5 * np.log(2.0 * np.pi)
                 for w, mu, s in zip(weights, params["means"], params["log_stds"])]
    return -np.mean(logsumexp(np.stack(log_likes, axis=1), axis=1))


def mixture_data():
    data = np.concatenate([rng.normal(-2, 0.5, (20, 2)), rng.normal(2, 0.5, (20, 2))])
    params = {"logits": np.zeros(2), "means": rng.normal(size=(2, 2)),
              "log_stds": np.zeros((2, 2))}
    return (params, data)


# --- 4. a Bayesian neural net, layers unpacked from one flat vector by a helper ----------


SHAPES = [(1, 6), (6, 1)]


def unpack_layers(weights):
    start = 0
    layers = []
    for m, n in SHAPES:
        W = weights[start:start + m * n].reshape((m, n))
        b = weights[start + m * n:start + m * n + n]
        layers.append((W, b))
        start += m * n + n
    return layers


def predictions(weights, inputs):
    for W, b in unpack_layers(weights):
        outputs = inputs @ W + b
        inputs = np.tanh(outputs)
    return outputs


def bnn_loss(params, inputs, targets, noise):
    mean, log_std = params["mean"], params["log_std"]
    samples = mean + np.exp(log_std) * noise
    log_prior = -0.5 * np.sum(samples ** 2, axis=1)
    errors = [np.sum((predictions(s, inputs) - targets) ** 2) for s in samples]
    log_like = -np.array(errors) / 0.1
    entropy = np.sum(log_std)
    return -(np.mean(log_prior + log_like) + entropy)


def bnn_data():
    n = sum(m * k + k for m, k in SHAPES)
    inputs = np.linspace(-2, 2, 8).reshape(8, 1)
    params = {"mean": rng.normal(0, 0.3, n), "log_std": np.full(n, -3.0)}
    return (params, inputs, np.sin(inputs), rng.normal(size=(3, n)))


# --- 5. an HMM's log-likelihood with sum(map(partial(...))) ------------------------------


def hmm_log_likelihood(params, sequence):
    log_pi = params["start"] - logsumexp(params["start"])
    log_a = params["trans"] - logsumexp(params["trans"], axis=1)
    log_b = params["emit"] - logsumexp(params["emit"], axis=1)
    alpha = log_pi + log_b[:, sequence[0]]
    for symbol in sequence[1:]:
        alpha = logsumexp(alpha[:, None] + log_a, axis=0)[0] + log_b[:, symbol]
    return logsumexp(alpha)[0]


def hmm_loss(params, sequences):
    return -sum(map(partial(hmm_log_likelihood, params), sequences)) / len(sequences)


def hmm_data():
    params = {"start": rng.normal(size=2), "trans": rng.normal(size=(2, 2)),
              "emit": rng.normal(size=(2, 3))}
    sequences = [rng.integers(0, 3, 6) for _ in range(4)]
    return (params, sequences)


# --- 6. a VAE with a reparameterised sample ----------------------------------------------


def vae_loss(params, data, noise):
    hidden = np.tanh(data @ params["enc"])
    mean = hidden @ params["mean"]
    log_std = hidden @ params["log_std"]
    z = mean + np.exp(log_std) * noise
    logits = np.tanh(z @ params["dec"]) @ params["out"]
    log_like = np.sum(data * logits - np.logaddexp(0.0, logits), axis=1)
    kl = 0.5 * np.sum(np.exp(2.0 * log_std) + mean ** 2 - 1.0 - 2.0 * log_std, axis=1)
    return -np.mean(log_like - kl)


def vae_data():
    data = (rng.random((10, 6)) > 0.5).astype(float)
    params = {"enc": rng.normal(0, 0.3, (6, 4)), "mean": rng.normal(0, 0.3, (4, 2)),
              "log_std": rng.normal(0, 0.3, (4, 2)), "dec": rng.normal(0, 0.3, (2, 4)),
              "out": rng.normal(0, 0.3, (4, 6))}
    return (params, data, rng.normal(size=(10, 2)))


# --- 7. a GAN objective, params as lists of (W, b) tuples --------------------------------


def net(params, inputs):
    for W, b in params[:-1]:
        inputs = np.tanh(inputs @ W + b)
    W, b = params[-1]
    return inputs @ W + b


def gan_loss(gen_params, dsc_params, real, noise):
    fake = net(gen_params, noise)
    logit_real = net(dsc_params, real)
    logit_fake = net(dsc_params, fake)
    return np.mean(np.logaddexp(0.0, -logit_real)) + np.mean(np.logaddexp(0.0, logit_fake))


def layers(sizes):
    return [(rng.normal(0, 0.3, (m, n)), np.zeros(n)) for m, n in zip(sizes[:-1], sizes[1:])]


def gan_data():
    return (layers([2, 4, 2]), layers([2, 4, 1]), rng.normal(1.0, 0.3, (8, 2)),
            rng.normal(size=(8, 2)))


# --- 8. a model whose params are a namedtuple --------------------------------------------


Linear = namedtuple("Linear", ["W", "b"])


def linear_loss(p, X, y):
    return np.mean((X @ p.W + p.b - y) ** 2)


def linear_data():
    X = rng.normal(size=(12, 3))
    return (Linear(np.zeros(3), 0.0), X, X @ np.array([1.0, -2.0, 0.5]) + 0.3)


PROGRAMS = {"rnn": (rnn_loss, rnn_data), "lstm": (lstm_loss, lstm_data),
            "mixture": (mixture_loss, mixture_data), "bnn": (bnn_loss, bnn_data),
            "hmm": (hmm_loss, hmm_data), "vae": (vae_loss, vae_data),
            "gan": (gan_loss, gan_data), "namedtuple": (linear_loss, linear_data)}


def flat_check(loss, args):
    """srcgrad's gradient of `loss` w.r.t. its first argument (a pytree) against finite
    differences of the flattened parameters."""
    leaves, spec = tree_flatten(args[0])
    sizes = [np.size(leaf) for leaf in leaves]

    def unflat(vector):
        parts, start = [], 0
        for leaf, size in zip(leaves, sizes):
            part = vector[start:start + size].reshape(np.shape(leaf))
            parts.append(float(part) if isinstance(leaf, float) else part)
            start += size
        return tree_unflatten(spec, parts)

    vector = np.concatenate([np.ravel(leaf) for leaf in leaves])
    expected = numerical_grad(lambda v: loss(unflat(v), *args[1:]), (vector,), 0)
    grads = srcgrad.grad(loss)(*args)
    got_leaves, got_spec = tree_flatten(grads)
    assert type(grads) is type(args[0])
    np.testing.assert_allclose(np.concatenate([np.ravel(g) for g in got_leaves]), expected,
                               rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_gradients_match_finite_differences(name):
    loss, data = PROGRAMS[name]
    flat_check(loss, data())


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_a_short_training_run_reduces_the_loss(name):
    loss, data = PROGRAMS[name]
    args = data()
    params = args[0]
    step = srcgrad.value_and_grad(loss)
    opt = Adam(lr=0.05)
    first, _ = step(*args)
    for _ in range(30):
        value, grads = step(params, *args[1:])
        params = opt.step(params, grads)
    assert loss(params, *args[1:]) < first
