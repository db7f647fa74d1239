"""Attack 4: programs written as users port them (autograd's examples, PyTorch's
tutorials), and what they found. Each program is judged by alias_oracles.judge: plain
NumPy's value, central finite differences, three calls, vjp (the general code), jvp, and
autograd where it applies."""

import numpy as np
import pytest
from alias_oracles import judge
from programs import load, numpy_and_autograd

import srcgrad

PROGRAMS = '''
def two_layer_clip(w1, w2, x, y):  # PyTorch's "warm-up: numpy" net, as written there
    h = x.dot(w1)
    h_relu = h.clip(min=0)
    y_pred = h_relu.dot(w2)
    return np.square(y_pred - y).sum()


def method_dot_of_vectors(w, x):
    return w.dot(x) ** 2 + x.dot(w)


def star_args(*args):
    return np.sum(args[0] * args[1] ** 2)


def log_partition(natural_params, data):  # autograd's hmm_em.py recursion
    if isinstance(data, list):
        return sum(map(partial(log_partition, natural_params), data))
    return np.sum(natural_params * data)
'''


@pytest.fixture(scope="module")
def mods(tmp_path_factory):
    return numpy_and_autograd(PROGRAMS, tmp_path_factory.mktemp("attack4_ports"), "ports",
                              header="from functools import partial\n")


def test_method_dot_has_the_rule_of_np_dot(mods):
    ours, theirs = mods
    rng = np.random.default_rng(0)
    args = [rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=(5, 3)),
            rng.normal(size=(5, 2))]
    outcome = judge(ours.two_layer_clip, args, wrt=(0, 1), autograd_f=theirs.two_layer_clip)
    assert outcome.kind == "ok", str(outcome)
    outcome = judge(ours.method_dot_of_vectors, [rng.normal(size=3), rng.normal(size=3)],
                    autograd_f=theirs.method_dot_of_vectors, hessian=True)
    assert outcome.kind == "ok", str(outcome)


def test_vjp_takes_an_index_into_star_args_as_grad_does(mods):
    ours, _ = mods
    x, y = np.arange(3.0), np.arange(3.0) + 1
    for wrt in (0, 1, (1, 0)):
        _, pullback = srcgrad.vjp(ours.star_args, x, y, wrt=wrt)
        got, want = pullback(1.0), srcgrad.grad(ours.star_args, wrt=wrt)(x, y)
        for a, b in zip(np.atleast_1d(got) if wrt in (0, 1) else got,
                        np.atleast_1d(want) if wrt in (0, 1) else want):
            np.testing.assert_array_equal(a, b)
        assert np.shape(got) == np.shape(want)


def test_recursion_through_map_partial_is_refused_at_the_users_line(mods):
    ours, _ = mods
    with pytest.raises(srcgrad.SrcGradError, match=r"line \d+, in log_partition"):
        srcgrad.grad(ours.log_partition)(np.ones(3), [np.ones(3), np.ones(3)])


def test_math_pow_has_the_rule_of_power(tmp_path):
    module = load("import math\n\n\ndef f(a, b):\n    return math.pow(a, 3) + math.pow(b, a)\n",
                  tmp_path, "mathpow")
    outcome = judge(module.f, [0.7, 1.3])
    assert outcome.kind == "ok", str(outcome)
