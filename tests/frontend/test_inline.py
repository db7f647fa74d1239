"""inline: the code a call runs writes the user's helpers out in place (`.source` keeps
them as forward/backward pairs). Generated code AND gradients vs finite differences and
the general code; what must stay a call, stays one."""

import re

import numpy as np
import pytest
from data.helpers_module import two_layers
from finite_diff import assert_grads_match, checked_source, fused
from source_files import load

import srcgrad
from srcgrad import d
from srcgrad.pipeline import compiled
from srcgrad.rules.registry import NONDIFFERENTIABLE, nondifferentiable

rng = np.random.default_rng(0)


def dense(x, W, b, act=True):
    z = x @ W + b
    if act:
        return np.tanh(z)
    return z


def net(W1, b1, W2, X):
    h = dense(X, W1, b1)
    out = dense(h, W2, 0.0, act=False)
    return np.sum(out * out)


def net_args():
    return (rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)),
            rng.normal(size=(5, 3)))


def general(f, args, wrt):
    """The gradient by the general code, whose helpers are called as pairs."""
    generated = compiled(f, tuple(f.__code__.co_varnames[i] for i in wrt))
    return generated.backward(1.0, *generated.forward(*args)[1])


def lines(code):
    return [line.strip() for line in code.splitlines()]


def test_a_helper_is_written_out_where_it_is_called():
    args = net_args()
    code = checked_source(net, args, (0, 1, 2))
    grad_call = fused(code)
    assert "dense_forward" not in code and "dense_backward" not in code
    assert "t2 = X @ W1" in lines(grad_call)  # x = X, W = W1: copies, gone (copy_propagation.py)
    assert "dense_1 = np.tanh(z, z)" in lines(grad_call)  # act=True: decided here
    assert "if " not in grad_call
    assert not re.search(r"\bact\b", grad_call.replace("act=False", ""))
    own_line = dense.__code__.co_firstlineno + 1  # the helper's own line, not the call's
    assert f"# line {own_line}, in dense: z = x @ W + b" in lines(grad_call)
    assert "d_b1 = np.add.reduce(d_z, axis=0)" in lines(grad_call)  # shapes reach through
    pairs = srcgrad.grad(net, wrt=(0, 1, 2)).source
    assert "h, h_saved = dense_forward_W_b(X, W1, b1)" in pairs
    fast = srcgrad.grad(net, wrt=(0, 1, 2))(*args)
    for a, b in zip(fast, general(net, args, (0, 1, 2))):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def twice(x, y):
    a, b = pair(x, y)
    c, d = pair(b, a)
    return np.sum(a * c + b * d)


def pair(u, v):
    s = u * v
    for k in range(2):
        if k == 1:
            break
        s = s + np.sin(u)
    return s, s - v


def nested(x):
    return np.sum(outer_helper(x) ** 2)


def outer_helper(x):
    return dense(x, x.T, 1.0) * 2.0


@pytest.mark.parametrize("f, args", [
    (twice, (rng.normal(size=4), rng.normal(size=4))),
    (nested, (rng.normal(size=(3, 3)),))])
def test_calls_in_turn_and_within_helpers(f, args):
    wrt = tuple(range(len(args)))
    code = checked_source(f, args, wrt)
    if f is nested:  # (tuples of arrays are not specialized: `twice` runs the general code)
        assert "_forward" not in fused(code) and "_backward" not in fused(code)
    fast = srcgrad.grad(f, wrt=wrt)(*args)
    fast = fast if isinstance(fast, tuple) else (fast,)
    slow = general(f, args, wrt)
    for a, b in zip(fast, slow if isinstance(slow, tuple) else (slow,)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def scaled_by(scale):
    def scaled(v):
        return v * scale
    return scaled


tripled = scaled_by(3.0)


def closure_user(x):
    return np.sum(tripled(x) ** 2)


def star_helper(*xs):
    return xs[0] * xs[1]


def uses_star(x, y):
    return np.sum(star_helper(x, y))


def array_default(x, w=np.ones(3)):
    return x * w


def uses_array_default(x):
    return np.sum(array_default(x))


def modular_shift(x, n):
    return x * np.nextafter(n, 3.0)  # no rule for nextafter: not differentiable for n


def uses_nextafter(x, n):
    return np.sum(modular_shift(x, n))


def scaled_by_global(x):
    return x * SCALE


SCALE = 2.0


def shadows_the_global(x):
    SCALE = 5.0  # noqa: N806 (the helper's SCALE is the module's, not this one)
    return np.sum(scaled_by_global(x)) * SCALE


def other_module(W1, W2, x):
    return np.sum(two_layers(W1, W2, x))


@pytest.mark.parametrize("f, args, called", [
    (closure_user, (rng.normal(size=3),), "scaled_forward"),  # a closure's variables
    (uses_star, (rng.normal(size=3), rng.normal(size=3)), "star_helper_forward"),
    (uses_array_default, (rng.normal(size=3),), "array_default_forward"),
    (uses_nextafter, (rng.normal(size=3), 7.0), "modular_shift_forward"),  # works as a call
    (shadows_the_global, (rng.normal(size=3),), "scaled_by_global_forward"),
    (other_module, (rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=(5, 3))),
     "two_layers_forward")])
def test_what_is_not_certainly_the_same_written_out_stays_a_call(f, args, called):
    code = checked_source(f, args, (0,))
    if called:
        assert f"= {called}" in code
    np.testing.assert_allclose(srcgrad.grad(f)(*args), general(f, args, (0,)), rtol=1e-12)


def hard_round(x):
    return np.round(x)


@srcgrad.custom_adjoint(hard_round)
def hard_round_adjoint(z, x):
    d[x] = d[z]  # straight through


def norm_of(x):
    return np.sqrt(np.sum(x * x))


def rounded(w):
    return np.sum(hard_round(w) * w)


def scaled_by_norm(w):
    return np.sum(w * norm_of(w))


def test_a_function_with_a_rule_of_its_own_keeps_it():
    w = np.array([0.2, 1.7, -2.4])
    np.testing.assert_allclose(srcgrad.grad(rounded)(w), np.round(w) + w)  # not round's 0
    nondifferentiable(norm_of)
    try:
        np.testing.assert_allclose(srcgrad.grad(scaled_by_norm)(np.array([3.0, 4.0])),
                                   [5.0, 5.0])
    finally:
        NONDIFFERENTIABLE.discard(norm_of)  # (docs/supported.md lists the registry)


def test_shadowing_keeps_the_module_s_value():
    x = rng.normal(size=3)
    np.testing.assert_allclose(srcgrad.grad(shadows_the_global)(x), SCALE * 5.0 * np.ones(3))


def test_rebinding_a_written_out_helper_rebuilds_the_code():
    global scaled_by_global
    x = rng.normal(size=3)
    g = srcgrad.grad(lambda_free_caller)
    np.testing.assert_allclose(g(x), 2 * x * SCALE ** 2)
    old = scaled_by_global
    try:
        scaled_by_global = cubed_helper
        np.testing.assert_allclose(g(x), 6 * x ** 5)
    finally:
        scaled_by_global = old
    np.testing.assert_allclose(g(x), 2 * x * SCALE ** 2)


def cubed_helper(x):
    return x ** 3


def lambda_free_caller(x):
    return np.sum(scaled_by_global(x) ** 2)


def logged(x):
    return np.log(x)


def calls_logged(x):
    y = logged(x)
    return np.sum(y * y)


def test_a_runtime_error_in_a_written_out_helper_names_the_helpers_line():
    g = srcgrad.grad(calls_logged)
    x = np.array([1.0, 2.0])
    g(x)
    with np.errstate(all="raise"), pytest.raises(FloatingPointError) as info:
        g(np.array([0.0, 2.0]))
    line = logged.__code__.co_firstlineno + 1
    assert any(f"which computes line {line} of {__file__}: return np.log(x)" in note
               for note in getattr(info.value, "__notes__", []))


def test_second_derivatives_through_a_written_out_helper():
    x = rng.normal(size=(3, 3))
    v = rng.normal(size=(3, 3))
    g = srcgrad.grad(nested)
    g(x)  # the specialized gradient code, whose helper is written out, is what hvp reads
    hv = srcgrad.hvp(nested)(x, tangent=v)
    np.testing.assert_allclose(hv, (g(x + 1e-6 * v) - g(x - 1e-6 * v)) / 2e-6, rtol=1e-5,
                               atol=1e-6)
    assert_grads_match(nested, (g(x),), (x,), (0,))


def test_a_helper_from_another_file_of_the_same_globals_keeps_the_calls_line(tmp_path):
    """As a notebook's cells are: one namespace, a file each. Lines of another file are
    no lines of the caller's: the helper's statements point at the call."""
    module = load(tmp_path, "import numpy as np\n\n\ndef helper(x):\n    return np.sin(x)\n")
    cell = tmp_path / "cell_2.py"
    cell.write_text("def uses(x):\n    y = helper(x)\n    return np.sum(y * y)\n")
    exec(compile(cell.read_text(), str(cell), "exec"), vars(module))
    x = np.array([0.5, 1.0])
    code = srcgrad.grad(module.uses).source_for(x)
    assert "helper_forward" not in code  # written out
    assert "# line 2: y = helper(x)" in lines(code) and ", in helper" not in code
    np.testing.assert_allclose(srcgrad.grad(module.uses)(x), 2 * np.sin(x) * np.cos(x))
