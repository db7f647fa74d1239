"""`**kwargs` (issue 19): of the user's helpers, written out in place with `kw` bound to the
call's other keywords (frontend/inline.py, keyword_dicts.py), and of the differentiated
function itself, a dict parameter whose keys a call tells. Reverse mode, forward mode and
second order against central finite differences; what cannot be followed is refused at the
user's line."""

import pickle
import re

import numpy as np
import pytest

import srcgrad
from srcgrad import SrcGradError
from all_modes import check
from finite_diff import fused, numerical_grad, right_or_refused, uncommented

RNG = np.random.default_rng(19)
X = RNG.normal(size=(2, 3))
W = RNG.normal(size=(3, 3))


def act(z, slope=1.0, shift=0.0):
    return np.tanh(slope * z + shift)


def layer(x, W, **kw):
    return act(x @ W, **kw)


def outer(x, W, **kw):
    return layer(x, W, **kw) * 2.0


def reads(z, **kw):
    s = kw["slope"] * z
    if "shift" in kw:
        s = s + kw["shift"]
    if "bias" not in kw:
        s = s * kw.get("scale", 2.0)
    return np.sin(s) + kw.get("slope", 9.0)


def named_default(x, W, slope=0.5, **kw):
    return act(x @ W, slope=slope, **kw)


def kw_to_numpy(x, **kw):
    return np.mean(x ** 2, **kw)


def writes_through(x, **kw):
    y = kw["buf"]
    y[0] = x[0] * 3.0
    return np.sum(y * x)


def changed_by_name(z, **kw):
    kw["slope"] = kw["slope"] * 2.0
    return act(z, slope=kw["slope"])


# --- the differentiated programs: each (x, W) -> a number --------------------------------


def through_a_helper(x, W):
    return np.sum(layer(x, W, slope=0.5) ** 2)


def read_by_key_get_and_in(x, W):
    return np.sum(reads(x @ W, slope=0.3, shift=0.1)) + np.sum(reads(x, slope=1.5, bias=1.0))


def passed_on_twice(x, W):
    return np.sum(outer(x, W, slope=0.7, shift=-0.2))


def active_keywords(x, W):
    return np.sum(layer(x, W, slope=x[0, 0], shift=np.sum(W)) ** 2)


def different_keyword_sets(x, W):
    a = layer(x, W)
    b = layer(x, W, slope=2.0)
    c = layer(x, W, shift=0.3, slope=0.1)
    return np.sum(a * b + c)


def defaults_overridden(x, W):
    return np.sum(named_default(x, W, slope=2.0, shift=0.1) + named_default(x, W))


def in_a_loop(x, W):
    total = 0.0
    for k in range(3):
        total = total + np.sum(layer(x, W, slope=0.5 * k, shift=x[0, k]))
    return total


def in_a_comprehension(x, W):
    return sum(np.sum(layer(x, W, slope=s, shift=x[1, 0])) for s in (0.2, 0.4))


def nested_and_lambda(x, W):
    def inner(z, **kw):
        return act(z, **kw) * kw.get("slope", 5.0)
    twice = lambda z, **kw: inner(z, **kw) * 2.0  # noqa: E731
    return np.sum(inner(x @ W, slope=0.3, shift=x[1, 1])) + np.sum(twice(x @ W, shift=W[0, 0]))


def a_dict_made_here(x, W):
    opts = dict(slope=0.4, shift=x[0, 1])
    first = layer(x, W, **opts)
    return np.sum(first * layer(x, W, **opts) * opts["slope"])


def to_numpy(x, W):
    return np.sum(kw_to_numpy(x @ W, axis=0, keepdims=True) * W)


def writes_the_callers_array(x, W):
    buf = x[1] * 1.0
    r = writes_through(x[0], buf=buf)
    return r + np.sum(buf ** 2 * W[0])


def changed_and_read_by_name(x, W):
    return np.sum(changed_by_name(x @ W, slope=x[0, 2]))


PROGRAMS = [through_a_helper, read_by_key_get_and_in, passed_on_twice, active_keywords,
            different_keyword_sets, defaults_overridden, in_a_loop, in_a_comprehension,
            nested_and_lambda, a_dict_made_here, to_numpy, writes_the_callers_array,
            changed_and_read_by_name]


@pytest.mark.parametrize("f", PROGRAMS)
def test_helpers_taking_keywords_match_finite_differences(f):
    check(f, X, W, wrt=1)
    np.testing.assert_allclose(srcgrad.grad(f)(X, W), numerical_grad(f, (X, W), 0),
                               rtol=1e-6, atol=1e-8)


def test_the_general_code_writes_the_helper_out_with_its_keywords():
    for source in (srcgrad.grad(through_a_helper).source,
                   srcgrad.grad(through_a_helper).source_for(X, W)):
        assert "in layer: return act(x @ W, **kw)" in source
        assert not re.search(r"\bkw\b|\*\*[A-Za-z_]", uncommented(source))
    assert "np.tanh" in fused(srcgrad.grad(through_a_helper).source_for(X, W))


# --- the differentiated function's own **kw ----------------------------------------------


def scaled(x, **kw):
    return np.sum(np.tanh(x) * kw["scale"])


def passes_its_keywords_on(x, W, **kw):
    return np.sum(layer(x, W, **kw) ** 2) * kw.get("gain", 1.0) + ("slope" in kw)


def test_the_function_s_own_keywords():
    check(scaled, X, wrt=0, scale=2.0)
    check(passes_its_keywords_on, X, W, wrt=1, slope=0.4, shift=X[0, 0])
    check(passes_its_keywords_on, X, W, wrt=0)  # none: `kw` is {}
    assert "def scaled_forward(x, **kw)" in srcgrad.grad(scaled).source
    _, pullback = srcgrad.vjp(passes_its_keywords_on, X, W, wrt=1, slope=0.4)
    expected = numerical_grad(lambda x, W: passes_its_keywords_on(x, W, slope=0.4), (X, W), 1)
    np.testing.assert_allclose(pullback(1.0), expected, rtol=1e-6)
    # the pullback pickles with the keywords its code was made for
    np.testing.assert_allclose(pickle.loads(pickle.dumps(pullback))(1.0), expected, rtol=1e-6)
    code = srcgrad.grad(passes_its_keywords_on).source_for(X, W, slope=0.4)
    assert "kw['gain']" not in code and "slope=kw['slope']" not in code.split("def")[1]


def test_with_respect_to_the_keywords():
    got = srcgrad.grad(passes_its_keywords_on, wrt="kw")(X, W, slope=0.4, shift=0.2)
    assert set(got) == {"slope", "shift"}
    for name in got:
        def of(v, name=name):
            return passes_its_keywords_on(X, W, **{"slope": 0.4, "shift": 0.2, name: v})
        expected = numerical_grad(of, ({"slope": 0.4, "shift": 0.2}[name],), 0)
        np.testing.assert_allclose(got[name], expected, rtol=1e-6)
    with pytest.raises(SrcGradError, match=r"reaches it through \*\*kw.*wrt='kw'"):
        srcgrad.grad(scaled, wrt="scale")


def odd_key(x, **kw):
    return np.sum(np.tanh(x) * kw["a-b"])


def test_a_key_no_keyword_can_spell_is_read_but_not_passed_on():
    np.testing.assert_allclose(srcgrad.grad(odd_key)(X, **{"a-b": 2.0}),
                               2.0 / np.cosh(X) ** 2)
    with pytest.raises(SrcGradError, match="whose keys srcgrad cannot know"):
        srcgrad.grad(passes_its_keywords_on)(X, W, **{"a-b": 2.0})


def test_the_code_for_no_call_in_particular_cannot_spell_out_the_function_s_keywords():
    with pytest.raises(SrcGradError, match=r"(?s)`\*\*kw` of passes_its_keywords_on.*"
                       r"source_for.*line \d+, in passes_its_keywords_on"):
        srcgrad.grad(passes_its_keywords_on).source


# --- refused, at the user's line ---------------------------------------------------------


def changed(x, W, **kw):
    kw["slope"] = 0.2
    return act(x @ W, **kw)


def aliased(x, W, **kw):
    opts = kw
    return act(x @ W, **opts)


def given_twice(x, W, **kw):
    return act(x @ W, slope=1.0, **kw)


def escapes(x, W, **kw):
    return act(x @ W, **kw) * len(kw)


def recursive(z, depth, **kw):
    if depth == 0:
        return act(z, **kw)
    return recursive(z * 0.5, depth - 1, **kw)


def _closure():
    k = 3.0

    def closure_helper(z, **kw):
        return act(z, **kw) * k
    return closure_helper


closure_helper = _closure()


def from_a_parameter(x, W, opts):
    return np.sum(layer(x, W, **opts))


REFUSED = [
    (lambda x, W: np.sum(changed(x, W, shift=0.1)), r"line \d+ reads `kw` otherwise"),
    (lambda x, W: np.sum(aliased(x, W, shift=0.1)), "whose keys srcgrad does not know"),
    (lambda x, W: np.sum(given_twice(x, W, slope=0.5)), "keyword 'slope' twice"),
    (lambda x, W: np.sum(escapes(x, W, shift=0.1)), r"line \d+ reads `kw` otherwise"),
    (lambda x, W: np.sum(recursive(x @ W, 2, slope=0.3)), r"`recursive` takes \*\*kw"),
    (lambda x, W: np.sum(closure_helper(x @ W, slope=0.3)), r"`closure_helper` takes \*\*kw"),
    (lambda x, W: np.sum(layer(x, W, gain=2.0)), "unexpected keyword argument 'gain'"),
]


@pytest.mark.parametrize("f, message", REFUSED)
def test_what_cannot_be_followed_is_refused_at_the_users_line(f, message):
    with pytest.raises(SrcGradError, match=message) as info:
        srcgrad.grad(f)(X, W)
    assert __file__.replace(".pyc", ".py") in str(info.value)
    right_or_refused(f, (X, W))


def test_a_parameter_dict_passed_on_is_refused():
    with pytest.raises(SrcGradError, match="whose keys srcgrad does not know"):
        srcgrad.grad(from_a_parameter)(X, W, {"slope": 0.5})
