"""A list display passed where a function reads an array (np.dot([1.0, 2.0], x)): every rule's
examples with each vector input written as a display instead, of its own elements
([x[0], x[1], x[2]]: active numbers) or of constants (then not an input). NumPy reads the
list as an array; so must the generated code (registry.array_operands): the gradient agrees
with finite differences or the call is refused with a SrcGradError, never a TypeError of
list arithmetic inside the generated code."""

import dataclasses
import re
import warnings

import numpy as np
from finite_diff import assert_grads_match
from rule_examples import cases, inputs, module_for

import srcgrad


def _library_rule(rule) -> bool:
    """A rule of a library function (not of a helper only generated code calls, nor of a
    container operation)."""
    module = (rule.template or getattr(rule, "function", None) or rule.tangent).__module__
    return module.startswith("srcgrad.rules.") and not module.startswith(
        ("srcgrad.rules.helper", "srcgrad.rules.items"))


def _variants(example):
    """(expression, inputs) with one vector input, passed as a call's argument, as a display."""
    for name, shape in example.shapes.items():
        argument = re.compile(r"(?<=[(,])(\s?)" + name + r"(?=\s?[,)])")
        if len(shape) != 1 or not 1 < shape[0] <= 5 or not argument.search(example.expr):
            continue
        own = "[" + ", ".join(f"{name}[{i}]" for i in range(shape[0])) + "]"
        yield dataclasses.replace(example, expr=argument.sub(lambda m: m[1] + own, example.expr))
        if len(example.shapes) > 1:
            values = inputs(example)[sorted(example.shapes).index(name)]
            constants = "[" + ", ".join(repr(round(float(v), 3)) for v in values) + "]"
            yield dataclasses.replace(
                example, expr=argument.sub(lambda m: m[1] + constants, example.expr),
                shapes={k: v for k, v in example.shapes.items() if k != name})


def test_list_displays_are_read_as_arrays(tmp_path):
    failed, tried = [], 0
    for case in cases():
        rule, example = case.values
        if example.setup or not _library_rule(rule):
            continue
        for variant in _variants(example):
            module, _ = module_for(variant, tmp_path)
            args = inputs(variant)
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    out = module.value(*args)
                except Exception:  # noqa: BLE001 (NumPy itself refuses this variant)
                    continue
                tried += 1
                w_out = np.random.default_rng(1).normal(size=np.shape(out))
                args.append(float(w_out) if np.ndim(out) == 0 else w_out)
                wrt = tuple(range(len(variant.shapes)))
                try:
                    grads = srcgrad.grad(module.f, wrt=wrt)(*args)
                    assert_grads_match(module.f, grads, args, wrt, rtol=1e-4, atol=1e-5)
                except srcgrad.SrcGradError:
                    continue
                except Exception as exc:  # noqa: BLE001 (collected, reported together)
                    failed.append((variant.expr, f"{type(exc).__name__}: {exc}"[:120]))
    assert failed == []
    assert tried > 300  # the sweep does walk the registry


def _power_of_a_list(x):
    a = [1.0, 2.0, 3.0]
    b = (0.5, x[0])
    return np.sum(np.power(a, x)) + np.dot(b, x[1:]) + np.sum(np.arctan2([1.0, 2.0, 3.0], x))


def _sorted_display(x):
    return np.sum(np.sort([x[0], x[1], 0.3]) ** 2) + np.sum(np.maximum(x, [[0.6], [x[2]]]))


def test_list_variables_and_displays_of_the_issue():
    x = np.array([0.5, 1.5, 2.0])
    for f in (_power_of_a_list, _sorted_display):
        assert_grads_match(f, (srcgrad.grad(f)(x),), (x,), (0,))
        v = np.array([0.3, -0.2, 0.7])
        _, pushed = srcgrad.jvp(f)(x, tangent=v)
        h = 1e-6
        assert abs(pushed - (f(x + h * v) - f(x - h * v)) / (2 * h)) < 1e-6


def test_a_sequence_parameter_stays_a_list():
    """np.stack's and np.concatenate's arrays are a sequence of arrays, not one array."""
    def f(x):
        return np.sum(np.concatenate([x, x[:2] * 2.0]) * np.arange(5.0)) + np.sum(
            np.stack([x, x * x]) ** 2)
    x = np.array([0.5, 1.5, 2.0])
    assert_grads_match(f, (srcgrad.grad(f)(x),), (x,), (0,))
    assert "as_array" not in srcgrad.grad(f).source
