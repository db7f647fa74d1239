"""Errors as a user meets them: the user's frames, the user's function named, hints for
the common slips (names other tools use, a global as wrt, `wrt="w,b"`, `.item()`)."""

import functools
import re
import subprocess
import sys
import traceback

import numpy as np
import pytest

import srcgrad
from srcgrad import SrcGradError

X = np.array([1.0, 2.0])
W = 0.5


def two(a, b):
    return np.sum(a * b)


def uses_with(x):
    with open("log.txt"):
        pass
    return np.sum(x)


def test_a_refusal_shows_the_users_frames_not_srcgrads():
    try:
        srcgrad.grad(uses_with)(X)
    except SrcGradError as exc:
        frames = traceback.extract_tb(exc.__traceback__)
    internal = [f for f in frames if "srcgrad" in f.filename.replace("\\", "/").split("/")
                and "tracebacks.py" not in f.filename]
    assert frames[0].name == "test_a_refusal_shows_the_users_frames_not_srcgrads"
    assert internal == [], [f.filename for f in internal]


def test_the_environment_variable_shows_every_frame():
    code = ("import numpy as np, srcgrad, sys\nsys.path.insert(0, %r)\n"
            "from test_errors_shown import uses_with\nsrcgrad.grad(uses_with)(np.ones(2))\n"
            % __file__.rsplit("/", 1)[0])
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    full = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**__import__("os").environ, "SRCGRAD_TRACEBACK": "full"})
    assert "Instead:" in quiet.stderr and "Instead:" in full.stderr
    assert quiet.stderr.count('File "') + 5 < full.stderr.count('File "')


@pytest.mark.parametrize("call, message", [
    (lambda: srcgrad.grad(two)(X), "two() missing a required argument: 'b'"),
    (lambda: srcgrad.grad(two)(X, X, X), "two() too many positional arguments"),
    (lambda: srcgrad.value_and_grad(two)(X, c=1.0), "two() "),
    (lambda: srcgrad.vjp(two, X), "two() missing a required argument: 'b'"),
])
def test_a_call_that_does_not_match_names_the_users_function(call, message):
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value).startswith(message)
    assert "_forward" not in str(info.value) and "_grad" not in str(info.value)


@pytest.mark.parametrize("make, hint", [
    (lambda: srcgrad.grad(two, argnums=1), "grad takes wrt=, not argnums="),
    (lambda: srcgrad.value_and_grad(two, argnums=0), "value_and_grad takes wrt="),
    (lambda: srcgrad.grad(two, wrt="a,b")(X, X), "did you mean wrt=('a', 'b')"),
    (lambda: srcgrad.grad(two, wrt="W")(X, X), "`W` is a global of two, not a parameter"),
    (lambda: srcgrad.grad(two, wrt="bb")(X, X), "did you mean wrt='b'"),
])
def test_common_slips_get_a_hint(make, hint):
    with pytest.raises(SrcGradError, match=re.escape(hint)):
        make()


def test_an_unknown_keyword_is_a_plain_type_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'bogus'"):
        srcgrad.grad(two, bogus=1)


def test_grad_of_a_partial_fixes_those_arguments():
    g = srcgrad.grad(functools.partial(two, X * 3.0))
    np.testing.assert_allclose(g(X), X * 3.0)
    g = srcgrad.grad(functools.partial(two, b=X * 3.0))
    np.testing.assert_allclose(g(X), X * 3.0)
    value, (ga, gb) = srcgrad.value_and_grad(functools.partial(two), wrt=(0, 1))(X, X * 2)
    assert value == pytest.approx(10.0)
    np.testing.assert_allclose(gb, X)


def test_jvp_and_vjp_in_jaxs_call_shapes():
    value, tangent = srcgrad.jvp(two, (X, X * 2.0), (np.ones(2), np.zeros(2)))
    assert value == pytest.approx(10.0) and tangent == pytest.approx(6.0)
    value, tangent = srcgrad.jvp(lambda_free_square, (X,), (np.ones(2),))
    assert value == pytest.approx(5.0) and tangent == pytest.approx(6.0)
    out, pullback = srcgrad.vjp(lambda_free_square, X)
    np.testing.assert_allclose(pullback(1.0), 2 * X)
    with pytest.raises(SrcGradError, match="two tuples of the same length"):
        srcgrad.jvp(two, (X, X), (np.ones(2),))


def lambda_free_square(x):
    return np.sum(x ** 2)
