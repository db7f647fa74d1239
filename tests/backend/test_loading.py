"""The generated functions run over the user's own globals and closure."""

import sys

import numpy as np

import srcgrad
from srcgrad import grad


# --- the generated functions run over the user's globals -----------------------------------------

SHIFT = 0.5


def uses_a_global(x):
    return np.sum((x - SHIFT) ** 2)


def two_args(x, y):
    return np.sum(x * x * y)


def make_closure(c):
    def f(x):
        return np.sum(c * x * x)
    return f


def test_generated_functions_share_the_users_globals():
    generated = srcgrad.pipeline.compiled(uses_a_global, ("x",))
    assert generated.forward.__globals__ is uses_a_global.__globals__
    assert generated.backward.__globals__ is uses_a_global.__globals__


def test_transforming_adds_nothing_to_the_users_module():
    names = set(vars(sys.modules[__name__]))
    srcgrad.pipeline.compiled(two_args, ("x", "y"))
    assert set(vars(sys.modules[__name__])) == names


def test_free_variables_are_the_closure_and_srcgrads_helpers():
    import srcgrad.runtime
    f = make_closure(3.0)
    generated = srcgrad.pipeline.compiled(f, ("x",))
    helpers = {id(v) for v in vars(srcgrad.runtime).values()}
    helpers.add(id(np))
    closure = dict(zip(f.__code__.co_freevars, (c.cell_contents for c in f.__closure__)))
    for fn in (generated.forward, generated.backward):
        for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or ()):
            if name in closure:
                assert cell.cell_contents is closure[name]
            else:
                assert id(cell.cell_contents) in helpers, name


def test_globals_are_read_fresh_on_every_call():
    global SHIFT
    x = np.array([1.0, 2.0])
    g = grad(uses_a_global)
    np.testing.assert_allclose(g(x), 2 * (x - 0.5))
    SHIFT = 1.0
    try:
        np.testing.assert_allclose(g(x), 2 * (x - 1.0))
    finally:
        SHIFT = 0.5
