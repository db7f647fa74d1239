"""The public API is typed (PEP 561: srcgrad/py.typed ships as package data). No type
checker is installed here, so this checks what one would read: every public function's
annotations resolve (typing.get_type_hints), every parameter and return is annotated, and
grad's overloads say that grad(f) is a GradientFunction over f's parameters."""

import inspect
import pathlib
import sys
import typing

import pytest

import srcgrad
from srcgrad import optim
from srcgrad.api import GradientFunction, Hessian, Hvp, Jacobian, JvpFunction, SecondGradient
from srcgrad.api.explain import Explanation

ROOT = pathlib.Path(srcgrad.__file__).resolve().parent

PUBLIC = [srcgrad.grad, srcgrad.value_and_grad, srcgrad.vjp, srcgrad.jvp, srcgrad.jacobian,
          srcgrad.hessian, srcgrad.hvp, srcgrad.custom_adjoint, srcgrad.stop_gradient,
          srcgrad.check_grad, srcgrad.graph, srcgrad.explain, srcgrad.odeint,
          GradientFunction.__call__, JvpFunction.__call__, SecondGradient.__call__,
          Jacobian.__call__, Hessian.__call__, Hvp.__call__, optim.SGD.__init__,
          optim.Adam.__init__, optim.AdamW.__init__, optim.RMSprop.__init__,
          optim.Optimizer.step, optim.fit]


def test_py_typed_ships_as_package_data():
    assert (ROOT / "py.typed").is_file()
    assert 'srcgrad = ["py.typed"]' in (ROOT.parent / "pyproject.toml").read_text()


@pytest.mark.parametrize("func", PUBLIC, ids=lambda f: f.__qualname__)
def test_every_parameter_and_the_result_are_annotated(func):
    func = inspect.unwrap(func)
    hints = typing.get_type_hints(func)
    params = [name for name in inspect.signature(func).parameters if name != "self"]
    assert [name for name in params if name not in hints] == []
    assert "return" in hints or func.__name__ == "__init__"  # (checkers take it as None)


def test_grad_returns_a_gradient_function_over_the_parameters_of_f():
    assert typing.Generic in GradientFunction.__mro__
    hints = typing.get_type_hints(GradientFunction.__call__)
    assert hints["return"] is typing.Any
    if sys.version_info < (3, 11):  # typing.get_overloads is new in 3.11
        return
    for func in (srcgrad.grad, srcgrad.value_and_grad):
        results = [typing.get_type_hints(o)["return"] for o in typing.get_overloads(func)]
        assert results[0] is SecondGradient  # grad(grad(f))
        assert typing.get_origin(results[1]) is GradientFunction
        assert typing.get_origin(results[2]) is not None  # @grad(wrt=...): a decorator
    assert typing.get_type_hints(srcgrad.explain)["return"] is Explanation
