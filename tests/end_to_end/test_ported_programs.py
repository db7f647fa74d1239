"""Issue 19 from a user's side: five more programs in the idioms of autograd's examples
(beyond test_example_programs.py), written with comprehensions, closures, nested helpers,
records and containers of parameters. Each module's text is loaded twice: with NumPy (what
srcgrad differentiates, unedited) and with autograd.numpy (HIPS autograd's gradient);
srcgrad's gradient must match autograd's and central finite differences, over several
calls (the cache and the fused gradient's buffers)."""

import numpy as np
import pytest
from alias_oracles import directional_mismatch, flat, grad_leaves, judge
from programs import load

import srcgrad

autograd = pytest.importorskip("autograd")

HEADER = "import functools\nfrom collections import namedtuple\n\nimport {numpy} as np\n"

MLP = '''
def logsumexp(a, axis):
    top = np.max(a, axis=axis, keepdims=True)
    return np.log(np.sum(np.exp(a - top), axis=axis, keepdims=True)) + top


def predict(params, inputs):
    for W, b in params[:-1]:
        inputs = np.tanh(np.dot(inputs, W) + b)
    W, b = params[-1]
    outputs = np.dot(inputs, W) + b
    return outputs - logsumexp(outputs, axis=1)


def loss(params, inputs, targets, l2=1e-3):
    penalty = sum(np.sum(W ** 2) for W, _ in params)
    return -np.sum(predict(params, inputs) * targets) / len(inputs) + l2 * penalty
'''

GP = '''
def unpack(theta):
    return theta[0], np.exp(theta[1]), np.exp(theta[2])


def make_kernel(length, scale):
    def rbf(a, b):
        diffs = (a[:, None, :] - b[None, :, :]) / length
        return scale * np.exp(-0.5 * np.sum(diffs ** 2, axis=2))
    return rbf


def loss(theta, X, y):
    mean, length, noise = unpack(theta)
    kernel = KERNEL
    noisy = lambda a: kernel(a, a) + noise * np.eye(len(a))
    K = noisy(X)
    r = y - mean
    sign, logdet = np.linalg.slogdet(K)
    alpha = np.linalg.solve(K, r)
    return 0.5 * np.dot(r, alpha) + 0.5 * logdet
'''

GP_FACTORY = GP.replace("KERNEL", "make_kernel(length, 1.5)")
GP = GP.replace("""    kernel = KERNEL
    noisy = lambda a: kernel(a, a)""", """    def rbf(a, b):
        diffs = (a[:, None, :] - b[None, :, :]) / length
        return 1.5 * np.exp(-0.5 * np.sum(diffs ** 2, axis=2))

    noisy = lambda a: rbf(a, a)""")

MDN = '''
def logsumexp(a, axis):
    top = np.max(a, axis=axis, keepdims=True)
    return np.log(np.sum(np.exp(a - top), axis=axis, keepdims=True)) + top


def heads(params, x):
    hidden = np.tanh(x @ params["W1"] + params["b1"])
    return {name: hidden @ params["W_" + name] for name in ("logit", "mean", "logstd")}


def loss(params, x, t):
    out = heads(params, x)
    log_w = out["logit"] - logsumexp(out["logit"], axis=1)
    comps = [-0.5 * ((t[:, 0] - out["mean"][:, k]) / np.exp(out["logstd"][:, k])) ** 2
             - out["logstd"][:, k] for k in range(out["mean"].shape[1])]
    log_p = np.stack(comps, axis=1) + log_w
    return -np.mean(logsumexp(log_p, axis=1))
'''

CONVNET = '''
def loss(params, images, labels):
    def conv(img, w):
        size = w.shape[0]
        rows, cols = img.shape[1] - size + 1, img.shape[2] - size + 1
        return sum(w[i, j] * img[:, i:i + rows, j:j + cols]
                   for i in range(size) for j in range(size))

    def pool(a):
        n, r, c = a.shape
        return np.max(a.reshape(n, r // 2, 2, c // 2, 2), axis=(2, 4))

    relu = lambda a: np.maximum(a, 0.0)
    maps = [pool(relu(conv(images, w) + b)) for w, b in zip(params["filters"], params["biases"])]
    features = np.concatenate([m.reshape(len(images), -1) for m in maps], axis=1)
    logits = features @ params["W"]
    top = np.max(logits, axis=1, keepdims=True)
    log_p = logits - top - np.log(np.sum(np.exp(logits - top), axis=1, keepdims=True))
    return -np.mean(np.sum(log_p * labels, axis=1))
'''

WORD2VEC = '''
Pair = namedtuple("Pair", "center context")


def loss(params, pairs, negatives, reg=1e-3):
    sigmoid = lambda a: 0.5 * (np.tanh(0.5 * a) + 1.0)
    total = 0.0
    for pair, neg in zip(pairs, negatives):
        v = params["in"][pair.center]
        u = params["out"][pair.context]
        total = total - np.log(sigmoid(np.dot(u, v)))
        total = total - np.sum(np.log(sigmoid(-(params["out"][neg] @ v))))
    norms = {name: np.sum(table ** 2) for name, table in params.items()}
    return total / len(pairs) + reg * sum(norms[name] for name in norms)
'''
WORD2VEC_VALUES = WORD2VEC.replace("sum(norms[name] for name in norms)", "sum(norms.values())")


def _mlp():
    rng = np.random.default_rng(1)
    sizes = [6, 8, 5, 3]
    params = [(rng.normal(0, 0.5, (m, n)), rng.normal(0, 0.1, n))
              for m, n in zip(sizes[:-1], sizes[1:])]
    x = rng.normal(size=(10, 6))
    t = np.eye(3)[rng.integers(0, 3, 10)]
    return params, (x, t)


def _gp():
    rng = np.random.default_rng(2)
    X = rng.uniform(-2, 2, (12, 2))
    y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=12)
    return np.array([0.1, -0.2, -1.0]), (X, y)


def _mdn():
    rng = np.random.default_rng(3)
    params = {"W1": rng.normal(0, 0.5, (1, 6)), "b1": np.zeros(6),
              "W_logit": rng.normal(0, 0.5, (6, 3)), "W_mean": rng.normal(0, 0.5, (6, 3)),
              "W_logstd": rng.normal(0, 0.1, (6, 3))}
    x = rng.uniform(-1, 1, (15, 1))
    return params, (x, np.sin(3 * x) + 0.1 * rng.normal(size=(15, 1)))


def _convnet():
    rng = np.random.default_rng(4)
    params = {"filters": [rng.normal(0, 0.5, (3, 3)) for _ in range(2)],
              "biases": [0.1, -0.1], "W": rng.normal(0, 0.3, (2 * 3 * 3, 4))}
    images = rng.normal(size=(5, 8, 8))
    return params, (images, np.eye(4)[rng.integers(0, 4, 5)])


def _word2vec(module):
    rng = np.random.default_rng(5)
    params = {"in": rng.normal(0, 0.3, (7, 4)), "out": rng.normal(0, 0.3, (7, 4))}
    pairs = [module.Pair(int(a), int(b)) for a, b in rng.integers(0, 7, (4, 2))]
    negatives = [rng.integers(0, 7, 3) for _ in pairs]
    return params, (pairs, negatives)


PROGRAMS = {"mlp_list_of_tuples": (MLP, _mlp), "gp_closure_kernels": (GP, _gp),
            "mixture_density_net": (MDN, _mdn), "convnet_nested_helpers": (CONVNET, _convnet),
            "word2vec_dict_params": (WORD2VEC, _word2vec),
            "word2vec_sum_of_values": (WORD2VEC_VALUES, _word2vec)}  # sum(d.values())
FOUND = {  # the same programs written another way, which srcgrad gets wrong today
    "gp_kernel_factory": (GP_FACTORY, _gp, "a kernel factory (a helper returning its "
                          "nested function, make_kernel) is refused, not supported "
                          "(test_factory_closure_*)"),
}


def _modules(name, tmp_path):
    text = {**PROGRAMS, **FOUND}[name][0]
    ours = load(HEADER.format(numpy="numpy") + text, tmp_path, name)
    theirs = load(HEADER.format(numpy="autograd.numpy") + text, tmp_path, name + "_ag")
    return ours, theirs


def _data(name, module):
    make = {**PROGRAMS, **FOUND}[name][1]
    return make(module) if make is _word2vec else make()


@pytest.mark.parametrize("name", sorted(PROGRAMS) + [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=found[2]))
    for name, found in sorted(FOUND.items())])
def test_ported_program_matches_autograd_and_finite_differences(name, tmp_path):
    ours, theirs = _modules(name, tmp_path)
    params, rest = _data(name, ours)
    want = float(ours.loss(params, *rest))
    gradient = srcgrad.value_and_grad(ours.loss, wrt=0)
    expected = flat(autograd.grad(theirs.loss)(params, *rest))
    for _ in range(3):
        value, got = gradient(params, *rest)
        assert np.isclose(value, want, rtol=1e-12), (value, want)
        got = grad_leaves(got[0] if isinstance(got, tuple) and len(got) == 1 else got, params)
        np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-10)
    assert directional_mismatch(lambda p: ours.loss(p, *rest), [params], 0, got,
                                max(1.0, abs(want))) is None


# --- what the ports found ----------------------------------------------------------------

# Once a silent wrong value (a module function of the inner name called) and a NameError:
# now refused at the user's line (supporting factories is left to do: gp_kernel_factory)
def test_factory_closure_reads_a_global_of_the_inner_name():
    import attack_helpers
    outcome = judge(attack_helpers.factory_closure_on_constant_data, [np.array([0.3, 1.0])],
                    forward=False)
    assert outcome.kind == "ok" or outcome.kind == "refused:other", str(outcome)


def test_factory_closure_no_crash():
    import attack_helpers
    outcome = judge(attack_helpers.factory_closure_on_constant_data_no_global,
                    [np.array([0.3, 1.0])], forward=False)
    assert outcome.kind == "ok" or outcome.kind == "refused:other", str(outcome)
