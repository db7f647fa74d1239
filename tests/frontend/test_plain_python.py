"""Plain Python as people write it: comprehensions, generator expressions, nested functions,
lambdas, and the builtins that iterate (sum, max, min, map, zip, enumerate, reversed,
sorted, functools.partial, functools.reduce), in reverse mode, forward mode and second
order, each against NumPy's value and central finite differences."""

import functools
from functools import partial, reduce

import numpy as np
import pytest

import srcgrad
from srcgrad import SrcGradError
from all_modes import check
from finite_diff import numerical_grad

X = np.array([0.3, -1.2, 0.7])


# --- comprehensions -----------------------------------------------------------------------


def stacked(x):
    return np.sum(np.stack([np.tanh(x * k) for k in range(3)]) ** 2)


def filtered(x):
    return sum([v * v for v in x if v > 0]) + sum(v for v in x if v < 0)


def nested_loops(x):
    pairs = [a * b for a in x for b in x if a != b]
    return np.sum(np.array(pairs))


def nested_comprehension(x):
    rows = [[a * b for b in x] for a in x]
    return np.sum(np.array(rows) ** 2)


def dict_comprehension(x):
    scaled = {k: x * k for k in (1.0, 2.0)}
    return np.sum(scaled[1.0] * scaled[2.0])


def comprehension_variable_does_not_leak(x):
    v = x * 2.0
    total = sum(np.sum(v * w) for v in (x, x + 1.0) for w in (x,))
    return total + np.sum(v)


def generator_into_sum_with_start(x):
    return sum((np.sin(v) for v in x), 1.0)


def set_comprehension_is_a_constant(x):
    signs = {int(np.sign(v)) for v in x}
    return np.sum(x) * len(signs)


@pytest.mark.parametrize("f", [stacked, filtered, nested_loops, nested_comprehension,
                               dict_comprehension, comprehension_variable_does_not_leak,
                               generator_into_sum_with_start, set_comprehension_is_a_constant])
def test_comprehensions(f):
    check(f, X.copy())


def penalty(p):
    return sum(np.sum(w ** 2) for w in p.values())


def scaled_params(p):
    q = {k: v * 2.0 for k, v in p.items()}
    return np.sum(q["a"] * q["b"])


def test_params_dicts_through_comprehensions():
    p = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, -1.0])}
    t = {"a": np.array([0.5, -1.0]), "b": np.array([2.0, 1.0])}
    _, slope = srcgrad.jvp(scaled_params)(p, tangent=t)  # 4 * (a.b' + a'.b)
    assert slope == pytest.approx(4 * (p["a"] @ t["b"] + t["a"] @ p["b"]))
    hv = srcgrad.hvp(scaled_params)(p, tangent=t)
    np.testing.assert_allclose(hv["a"], 4 * t["b"])
    np.testing.assert_allclose(hv["b"], 4 * t["a"])
    g = srcgrad.grad(penalty)(p)
    np.testing.assert_allclose(g["a"], 2 * p["a"])
    np.testing.assert_allclose(g["b"], 2 * p["b"])
    g = srcgrad.grad(scaled_params)(p)
    np.testing.assert_allclose(g["a"], 4 * p["b"])
    np.testing.assert_allclose(g["b"], 4 * p["a"])


# --- builtins that iterate --------------------------------------------------------------


def enumerate_zip(x):
    s = 0.0
    for i, (a, b) in enumerate(zip(x, x[::-1])):
        s = s + a * b * (i + 1)
    return s


def enumerate_from(x):
    return sum(v * i for i, v in enumerate(x, start=2))


def reversed_loop(x):
    s = 0.0
    for v in reversed(x):
        s = s * 0.5 + v
    return s


def map_with_a_lambda(x):
    return np.sum(np.array(list(map(lambda v: np.sin(v) * x[0], x))))


def map_two_sequences(x):
    return sum(map(lambda a, b: a * b, x, x[1:]))


def loglike(mu, v):
    return -(v - mu) ** 2


def map_partial(x):
    return sum(map(partial(loglike, x[0]), x))


def partial_bound_to_a_name(x):
    f = functools.partial(loglike, x[1])
    return f(x[0]) + f(v=x[2])


def product_by_reduce(x):
    return reduce(lambda a, b: a * b, x)


def reduce_with_start(x):
    return reduce(lambda acc, v: acc + v * v, x, 0.5)


def max_and_min(x):
    return max([x[0], x[1] * 2, x[2]]) + min(x[0], x[1], x[2]) + max(x[0], x[2])


def sorted_numbers(x):
    s = sorted([x[0], x[1], x[2]], reverse=True)
    return s[0] * 3 + s[1] * 2 + s[2]


def enumerate_zip_in_a_comprehension(x):
    return sum(a * b * (i + 1) for i, (a, b) in enumerate(zip(x, x[::-1])))


def square(v):
    return v * v


def map_with_a_function(x):
    return sum(map(square, x)) + sum(map(np.sin, x))


def zip_as_a_value(x):
    pairs = list(zip(x, x * 2.0))
    return sum(a * b for a, b in pairs)


def any_all_in_conditions(x):
    if any(v > 1.0 for v in x) or all(v < 0 for v in x):
        return np.sum(x ** 3)
    return np.sum(x ** 2)


@pytest.mark.parametrize("f", [enumerate_zip, enumerate_from, reversed_loop, map_with_a_lambda,
                               map_two_sequences, map_partial, partial_bound_to_a_name,
                               product_by_reduce, reduce_with_start, max_and_min,
                               sorted_numbers, zip_as_a_value, any_all_in_conditions,
                               enumerate_zip_in_a_comprehension, map_with_a_function])
def test_builtins_that_iterate(f):
    check(f, X.copy())


# --- functions defined inside the function ---------------------------------------------------


def nested_step(W, xs):
    def step(h, x):
        return np.tanh(W @ h + x)
    h = np.zeros(2)
    for x in xs:
        h = step(h, x)
    return np.sum(h ** 2)


def closure_reads_late(x):
    scale = 1.0

    def scaled(v):
        return v * scale
    a = scaled(x)
    scale = 3.0  # a closure reads the variable when it is called
    return np.sum(a + scaled(x))


def default_taken_at_def(x):
    k = 2.0

    def times(v, k=k):
        return v * k
    k = 10.0
    return np.sum(times(x)) + k


def nested_calls_nested(x):
    def inner(v):
        return np.sin(v)

    def outer(v):
        return inner(v) * inner(2.0 * v)
    return np.sum(outer(x))


def lambda_in_a_loop(x):
    total = 0.0
    for k in range(3):
        f = lambda v: v ** (k + 1)  # noqa: E731
        total = total + np.sum(f(x))
    return total


def nested_writes_an_enclosing_list(x):
    out = []

    def emit(v):
        out.append(v * 2.0)
    emit(x)
    emit(x * x)
    return np.sum(out[0] * out[1])


def test_nested_functions():
    W = np.array([[0.5, -0.3], [0.2, 0.8]])
    xs = np.array([[0.1, 0.2], [0.3, -0.1], [0.0, 0.5]])
    check(nested_step, W, xs)
    for f in (closure_reads_late, default_taken_at_def, nested_calls_nested, lambda_in_a_loop,
              nested_writes_an_enclosing_list):
        check(f, X.copy())


def recursive(x):
    def down(v, n):
        if n == 0:
            return v
        return down(v * 0.5, n - 1)
    return np.sum(down(x, 3))


def used_as_a_value(x):
    def f(v):
        return v * 2.0
    fs = [f]
    return np.sum(fs[0](x))


def test_what_stays_refused_names_the_line():
    with pytest.raises(SrcGradError, match="calls itself") as info:
        srcgrad.grad(recursive)(X)
    assert "down(v * 0.5, n - 1)" in str(info.value) and "loop" in str(info.value)
    with pytest.raises(SrcGradError, match="used as a value") as info:
        srcgrad.grad(used_as_a_value)(X)
    assert "fs = [f]" in str(info.value)


def test_generated_code_shows_the_loop_a_comprehension_is():
    source = srcgrad.grad(stacked).source
    assert "items = []" in source and "appended(items" in source
    assert "for k_1 in range(" in source  # the comprehension's own variable


def inner_loss(w, x):
    return np.sum((w * x) ** 2)


inner_gradient = srcgrad.grad(inner_loss)


def gradient_penalty(w, x):
    return np.sum(inner_gradient(w, x) ** 2)


def ping(x, n):
    if n == 0:
        return x
    return pong(x * 2.0, n - 1)


def pong(x, n):
    return ping(x + 1.0, n)


def mutual(x):
    return np.sum(ping(x, 2))


def test_refusals_name_the_call_and_the_cycle():
    with pytest.raises(SrcGradError, match="`inner_gradient` is srcgrad's GradientFunction of "
                                           "`inner_loss`"):
        srcgrad.grad(gradient_penalty)(X, X)
    with pytest.raises(SrcGradError, match=r"ping -> pong -> ping"):
        srcgrad.grad(mutual)(X)


def fortran_order(x):
    return np.sum(x.reshape((3, 2), order="F") * np.arange(6.0).reshape(3, 2)) + np.sum(
        np.reshape(x, (2, 3), order="F")[0] ** 2)


def test_reshape_in_fortran_order():
    check(fortran_order, np.linspace(-1.0, 1.0, 6))


# --- recursion whose depth the data decide: refused naming the cycle, never a hang --------


def apply_layers(layers, h):
    if len(layers) == 0:
        return h
    return apply_layers(layers[1:], np.tanh(layers[0] @ h))


def tree_of_layers(h, layers):
    return np.sum(apply_layers(layers, h) ** 2)


def layers_in_a_loop(h, layers):  # what the refusal says to write instead
    for layer in layers:
        h = np.tanh(layer @ h)
    return np.sum(h ** 2)


def test_recursion_decided_by_the_data_is_refused_naming_the_cycle():
    layers = [np.eye(3) * 0.5 + 0.1 * k for k in range(4)]
    for derivative in (srcgrad.grad, srcgrad.jvp):
        with pytest.raises(SrcGradError, match=r"(?s)apply_layers -> apply_layers.*"
                                                r"for layer in layers"):
            derivative(tree_of_layers)(X, layers, **({"tangent": X} if derivative is
                                                     srcgrad.jvp else {}))
    check(layers_in_a_loop, X.copy(), layers)
