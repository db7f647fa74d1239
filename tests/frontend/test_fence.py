"""fence.check: every unsupported construct is refused with file, line, source text and caret.

Each refused function lives in this module; `k` is the line of the construct counted from
the function's `def` line (0), so the expected file line is getsourcelines(f)[1] + k.
`for` and `while` are not listed: loops are being supported (normalize/ssa), not refused.
"""

import inspect

import numpy as np
import pytest

import srcgrad
from finite_diff import numerical_grad
from srcgrad import SrcGradError
from srcgrad.frontend import fence, source

G = 1.0


class Box:
    scale = 2.0


def uses_try(x):
    try:
        y = x * 2
    except ValueError:
        y = x
    return y


def uses_with(x):
    with np.errstate(all="ignore"):
        y = np.log(x)
    return y


def uses_global(x):
    global G
    return x * G


def uses_lambda(x):
    sq = lambda v: v * v  # noqa: E731
    return sq(x)


def uses_listcomp(x):
    parts = [v * 2 for v in x]
    return np.sum(parts)


def uses_genexp(x):
    return sum(v * 2 for v in x)


def uses_nested_def(x):
    y = x * 2

    def helper(v):
        return v * 3
    return helper(y)


def uses_walrus(x):
    z = (y := x * 2) + 1
    return z * y


def uses_starred_call(x):
    return np.add(*x)


def uses_starred_target(x):
    a, *rest = x
    return a


def uses_varargs(x, *rest):
    return x * 2


def uses_kwargs(x, **options):
    return x * 2


def assigns_subscript(x):
    y = x * 1
    y[0] = 1.0
    return y


def assigns_slice(x):
    y = x * 1
    y[1:] = 0.0
    return y


def aug_assigns_subscript(x):
    y = x * 1
    y[0] += 1.0
    return y


def assigns_attribute(x, box):
    box.scale = x * 2
    return x


def assigns_chained(x):
    a = b = x * 2
    return a + b


def uses_del(x):
    y = x * 2
    del y
    return x


def uses_import(x):
    import math
    return x * math.pi


# (function, line offset k from the `def` line, text the caret underlines, caret width,
#  words of the message)
CASES = [
    (uses_with, 1, "with", 1, "a `with` statement"),
    (uses_global, 1, "global G", None, "a `global` statement"),
    (uses_starred_target, 1, "*rest", None, "a starred assignment target"),
    (assigns_attribute, 1, "box.scale", None, "assignment into an attribute or a nested element"),
    (assigns_chained, 1, "a = b = x * 2", None, "chained assignment (a = b = ...)"),
    (uses_del, 2, "del y", None, "a `del` statement"),
    (uses_import, 1, "import math", None, "an `import` inside the function"),
]


@pytest.mark.parametrize("func", [uses_lambda, uses_listcomp, uses_genexp, uses_nested_def,
                                  uses_kwargs, uses_try, uses_walrus])
def test_once_refused_now_differentiated(func):
    """Lambdas, comprehensions, generator expressions and nested functions are written out
    (iteration.py, inline.py), `try` runs its body (desugar.py) and `:=` is an assignment,
    no longer refused."""
    x = np.array([0.5, -1.0, 2.0])
    value, pullback = srcgrad.vjp(func, x)
    np.testing.assert_allclose(value, func(x))
    np.testing.assert_allclose(pullback(np.ones_like(value)),
                               numerical_grad(lambda v: np.sum(func(v)), (x,), 0), rtol=1e-6)


def check_points_at(message, func, k, snippet, width):
    """`message` names this file, the right line, shows the line and a caret under `snippet`."""
    raw_lines, first = inspect.getsourcelines(func)
    text = raw_lines[k].rstrip("\n")
    assert f'File "{__file__}", line {first + k}, in {func.__name__}' in message
    lines = message.splitlines()
    shown = lines.index("    " + text.strip())  # the source line, as a traceback shows it
    caret = lines[shown + 1]
    assert caret.strip() and set(caret.strip()) == {"^"}
    margin = len(text) - len(text.lstrip())
    assert caret.index("^") == 4 + text.index(snippet) - margin
    assert caret.count("^") == (len(snippet) if width is None else width)


@pytest.mark.parametrize("func, k, snippet, width, what", CASES,
                         ids=[c[0].__name__ for c in CASES])
def test_fence_refuses_with_location(func, k, snippet, width, what):
    src = source.load(func)
    with pytest.raises(SrcGradError) as info:
        fence.check(src)
    message = str(info.value)
    assert what in message
    check_points_at(message, func, k, snippet, width)


@pytest.mark.parametrize("func, k, snippet, width, what", CASES,
                         ids=[c[0].__name__ for c in CASES])
def test_grad_reports_refusal_lazily(func, k, snippet, width, what):
    g = srcgrad.grad(func, wrt="x")  # building the gradient function does not transform
    with pytest.raises(SrcGradError) as at_source:
        g.source
    with pytest.raises(SrcGradError) as at_call:
        g(np.array([1.0, 2.0]), Box()) if "box" in inspect.signature(func).parameters \
            else g(np.array([1.0, 2.0]))
    assert str(at_source.value) == str(at_call.value)
    assert what in str(at_call.value)
    check_points_at(str(at_call.value), func, k, snippet, width)


def test_messages_say_what_to_do_instead():
    hints = {
        uses_with: "Instead: move the `with` block outside the differentiated function",
        uses_global: "Instead: pass the value in as an argument",
        assigns_attribute: "Instead: assign to a variable",
        assigns_chained: "Instead: assign each name in a statement of its own",
    }
    for func, hint in hints.items():
        with pytest.raises(SrcGradError) as info:
            fence.check(source.load(func))
        assert str(info.value).splitlines()[-1].startswith(hint), func.__name__


def test_full_message_layout():
    with pytest.raises(SrcGradError) as info:
        fence.check(source.load(uses_del))
    line = inspect.getsourcelines(uses_del)[1] + 2
    assert str(info.value) == (
        "srcgrad cannot differentiate a `del` statement\n"
        f'  File "{__file__}", line {line}, in uses_del\n'
        "    del y\n"
        "    ^^^^^\n"
        "Instead: drop the `del`; names are freed when the function returns.")


def test_error_is_a_type_error():
    assert issubclass(SrcGradError, TypeError)


def test_accepted_function_passes():
    def fine(x, c, *, k=2.0):
        y = x * k
        if c > 0:
            y = y + 1
        a, b = y, x
        return np.sum(a * b) if c else 0.0
    assert fence.check(source.load(fine)) is None


def test_indented_function_points_at_its_line():
    class Model:
        @staticmethod
        def loss(x):
            total = 0.0
            with np.errstate(all="ignore"):
                total = total + np.sum(np.log(x))
            return total

    with pytest.raises(SrcGradError) as info:
        srcgrad.grad(Model.loss).source
    check_points_at(str(info.value), Model.loss, 3, "with", 1)


def test_decorated_function_points_at_its_line():
    @srcgrad.grad
    def decorated(x):
        y = x * 2
        x[0] = 0.0
        return np.sum(y)

    with pytest.raises(SrcGradError) as info:
        decorated(np.ones(3))
    # getsourcelines of the wrapped function starts at the decorator line
    check_points_at(str(info.value), decorated.__wrapped__, 3, "x[0]", None)
    first = inspect.getsourcelines(decorated.__wrapped__)[1]
    assert f"line {first + 3}, in decorated" in str(info.value)


@pytest.mark.parametrize("func, expected", [
    (assigns_subscript, [0.0, 2.0, 2.0]), (assigns_slice, [2.0, 0.0, 0.0]),
    (aug_assigns_subscript, [2.0, 2.0, 2.0]),
])
def test_element_assignment_into_a_local_array_is_differentiated(func, expected):
    np.testing.assert_array_equal(srcgrad.grad(lambda_free(func))(np.ones(3)), expected)


def lambda_free(func):
    """sum(2 * func(x)) as a def in this file (srcgrad reads source)."""
    return {assigns_subscript: _sum_assigns_subscript, assigns_slice: _sum_assigns_slice,
            aug_assigns_subscript: _sum_aug_assigns_subscript}[func]


def _sum_assigns_subscript(x):
    return np.sum(assigns_subscript(x) * 2.0)


def _sum_assigns_slice(x):
    return np.sum(assigns_slice(x) * 2.0)


def _sum_aug_assigns_subscript(x):
    return np.sum(aug_assigns_subscript(x) * 2.0)


def assigns_into_argument(x):
    x[0] = 1.0
    return np.sum(x)


def assigns_into_positional_only(x, /):
    x[0] = 1.0
    return np.sum(x)


@pytest.mark.parametrize("f", [assigns_into_argument, assigns_into_positional_only])
def test_assignment_into_an_argument_is_refused(f):
    with pytest.raises(SrcGradError, match="would change the caller's data") as info:
        srcgrad.grad(f)(np.ones(2))
    assert "x[0] = 1.0" in str(info.value) and "x = x.copy()" in str(info.value)


def sorts_a_list(x):
    y = [np.sum(x), 1.0]
    y.sort()
    return y[0] * 2.0


def sorts_an_array(x):
    y = x * 1.0
    y.sort()
    return np.sum(y * x)


def fills(x):
    y = x * 1.0
    y.fill(2.0)
    return np.sum(y * x)


def pops(x):
    y = [np.sum(x), 1.0]
    first = y.pop(0)
    return y[0] * first


def copies_into(x):
    y = x * 1.0
    np.copyto(y, x * x)
    return np.sum(y)


def multiplies_at(x):  # (np.add.at and np.subtract.at are followed: test_add_at.py)
    y = np.ones(3)
    np.multiply.at(y, [0, 0], x[:2])
    return np.sum(y * x)


def writes_out(x):
    y = x * 1.0
    np.multiply(x, x, out=y)
    return np.sum(y)


def updates(x):
    d = {"a": np.sum(x)}
    d.update({"a": 3.0})
    return d["a"] * 2.0


def keeps_a_global_log(x):
    HISTORY.extend([1.0])  # a module's list: the function's values are not changed
    return np.sum(x * x)


HISTORY = []


@pytest.mark.parametrize("f, what", [
    (sorts_a_list, ".sort(...)"), (sorts_an_array, ".sort(...)"), (fills, ".fill(...)"),
    (pops, ".pop(...)"), (copies_into, ".copyto(...)"), (multiplies_at, ".at(...)"),
    (updates, ".update(...)"), (writes_out, "`out=`")])
def test_a_value_changed_in_place_by_a_call_is_refused(f, what):
    # each once gave a silent wrong gradient: srcgrad did not see the change
    with pytest.raises(SrcGradError, match="in place|`out=`") as info:
        srcgrad.grad(f)(np.array([0.5, -1.0, 2.0]))
    assert what in str(info.value) and f.__name__ in str(info.value)


def test_a_call_that_changes_a_module_s_value_is_allowed():
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(srcgrad.grad(keeps_a_global_log)(x), 2 * x)


def test_spread_of_unknown_length_refused_at_the_call():
    """`np.add(*x)` of an argument whose length the code does not know: refused where it
    is written, saying how to write it."""
    with pytest.raises(SrcGradError) as info:
        srcgrad.grad(uses_starred_call).source
    message = str(info.value)
    assert "`*t` of a value whose length srcgrad does not know" in message
    check_points_at(message, uses_starred_call, 1, "*x", None)
