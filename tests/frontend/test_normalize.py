"""normalize.normalize: one operation per statement, conditionals as `if`, one result name.

Each test normalizes a small function defined in this module and compares the rendered
statements with the exact expected text.
"""

import re
import textwrap

import gast
import numpy as np
import pytest

import srcgrad
from srcgrad import SrcGradError
from srcgrad.backend import codegen
from srcgrad.frontend import fence, normalize, source
from srcgrad.ir.naming import Namer, names_in


def normalized(func):
    """(rendered text, result name) of `func` after normalize, as pipeline.transform runs it."""
    src = source.load(func)
    fence.check(src)
    params = [a.id for a in src.tree.args.args + src.tree.args.kwonlyargs]
    taken = names_in(gast.Module(body=src.tree.body, type_ignores=[])) | set(params)
    body, result = normalize.normalize(src, Namer(taken))
    text = codegen.render([codegen.function("f", codegen.arguments(params), body)])
    return text, result


def expect(text):
    return textwrap.dedent(text).lstrip("\n")


# -- nested expressions -------------------------------------------------------------------

def nested(w, x, b):
    return np.mean((w * x + b) ** 2)


def test_nested_expression_split_into_temporaries():
    text, result = normalized(nested)
    assert text == expect("""
        def f(w, x, b):
            t1 = w * x
            t2 = t1 + b
            t3 = t2 ** 2
            nested = np.mean(t3)
        """)
    # the returned expression is not a name: the result is named after the function
    assert result == "nested"


def calls_in_calls(x):
    y = np.sum(np.exp(np.sin(x)), axis=0)
    return y


def test_call_arguments_become_atoms_and_keywords_stay():
    text, result = normalized(calls_in_calls)
    assert text == expect("""
        def f(x):
            t1 = np.sin(x)
            t2 = np.exp(t1)
            y = np.sum(t2, axis=0)
        """)
    # `return y` of the single returned name is dropped: y is the result
    assert result == "y"


def subscripts_and_attributes(x, n):
    return x[1:n - 1, 0] * x.T


def test_slices_and_attributes():
    text, _ = normalized(subscripts_and_attributes)
    assert text == expect("""
        def f(x, n):
            t1 = n - 1
            t2 = x[1:t1, 0]
            t3 = x.T
            subscripts_and_attributes = t2 * t3
        """)


def negative_literals(x, k):
    y = -x * k + -3
    z = -(x * 2)
    return y + z


def test_negative_literal_folded_and_negation_of_expression_split():
    text, _ = normalized(negative_literals)
    assert text == expect("""
        def f(x, k):
            t1 = -x
            t2 = t1 * k
            y = t2 + -3
            t3 = x * 2
            z = -t3
            negative_literals = y + z
        """)


def user_temp_names(x):
    t1 = x * 2
    cond = t1 > 0
    if cond:
        t1 = t1 + 1
    y = (t1 + 1) * 3
    return y


def test_temporaries_skip_user_names():
    text, _ = normalized(user_temp_names)
    # the user's `t1` and `cond` are left alone; the first free temporary is t2
    assert text == expect("""
        def f(x):
            t1 = x * 2
            cond = t1 > 0
            if cond:
                t1 = t1 + 1
            t2 = t1 + 1
            y = t2 * 3
        """)


def opaque_expressions(x):
    ok = x > 0 and x < 1
    z = 0 < x < np.sum(x * 2)
    return np.sum(x)


def test_boolean_ops_kept_whole_and_chained_compare_operands_split():
    text, _ = normalized(opaque_expressions)
    assert text == expect("""
        def f(x):
            ok = x > 0 and x < 1
            t1 = x * 2
            t2 = np.sum(t1)
            z = 0 < x < t2
            opaque_expressions = np.sum(x)
        """)


# -- statements ---------------------------------------------------------------------------

def aug_assign(x, y):
    x += y
    x *= 2.0
    return x


def test_augmented_assignment_becomes_plain_assignment():
    text, result = normalized(aug_assign)
    assert text == expect("""
        def f(x, y):
            x = x + y
            x = x * 2.0
        """)
    assert result == "x"


def aug_assign_expression(x, y):
    x -= y * 3
    return x


def test_augmented_assignment_with_compound_value():
    text, _ = normalized(aug_assign_expression)
    assert text == expect("""
        def f(x, y):
            t1 = y * 3
            x = x - t1
        """)


def annotated(x):
    y: float = x * 2
    return y


def test_annotated_assignment_drops_annotation():
    text, _ = normalized(annotated)
    assert text == expect("""
        def f(x):
            y = x * 2
        """)


def with_docstring(x):
    """A docstring that must not reach the generated code."""
    y = x * 2
    "a bare string statement"
    return y


def test_docstring_and_bare_constants_dropped():
    text, _ = normalized(with_docstring)
    assert text == expect("""
        def f(x):
            y = x * 2
        """)


def swap(a, b):
    a, b = b, a
    return a - b


def test_tuple_assignment_evaluates_right_hand_sides_first():
    text, _ = normalized(swap)
    assert text == expect("""
        def f(a, b):
            t1 = b
            t2 = a
            a = t1
            b = t2
            swap = a - b
        """)


def swap_expressions(a, b):
    a, b = b * 2, a + b
    return a - b


def test_tuple_assignment_of_expressions():
    text, _ = normalized(swap_expressions)
    # `a + b` must read the old `a`: both values are computed before `a` is rebound
    assert text == expect("""
        def f(a, b):
            t1 = b * 2
            t2 = a + b
            a = t1
            b = t2
            swap_expressions = a - b
        """)


def unpack_shape(x):
    n, d = x.shape
    return n * d


def test_unpacking_a_value_becomes_subscripts():
    text, _ = normalized(unpack_shape)
    assert text == expect("""
        def f(x):
            t1 = x.shape
            n = t1[0]
            d = t1[1]
            unpack_shape = n * d
        """)


def unpack_call(x):
    a, b = np.split(x, 2)
    return a * b


def test_unpacking_a_call_result():
    text, _ = normalized(unpack_call)
    assert text == expect("""
        def f(x):
            t1 = np.split(x, 2)
            a = t1[0]
            b = t1[1]
            unpack_call = a * b
        """)


def with_pass_and_assert(x):
    pass
    assert x is not None
    return x * 2


def test_pass_dropped_and_assert_kept():
    text, _ = normalized(with_pass_and_assert)
    assert text == expect("""
        def f(x):
            assert x is not None
            with_pass_and_assert = x * 2
        """)


# -- conditional expressions and ifs --------------------------------------------------------

def conditional_expression(x, c):
    z = x if c > 0 else -x
    return z


def test_conditional_expression_becomes_if():
    text, result = normalized(conditional_expression)
    assert text == expect("""
        def f(x, c):
            cond = c > 0
            if cond:
                t1 = x
            else:
                t1 = -x
            z = t1
        """)
    assert result == "z"


def conditional_in_expression(x, c):
    y = (x * 2.0 if c else np.sin(x + 1)) * 3.0
    return y


def test_conditional_expression_inside_an_expression():
    text, _ = normalized(conditional_in_expression)
    # each branch computes its own operands; the test `c` is a name and used as is
    assert text == expect("""
        def f(x, c):
            if c:
                t1 = x * 2.0
            else:
                t2 = x + 1
                t1 = np.sin(t2)
            y = t1 * 3.0
        """)


def if_condition(x, cond):
    if np.sum(x) > 0:
        y = x * 2
    else:
        y = x
    return y


def test_if_condition_gets_fresh_cond_name():
    text, _ = normalized(if_condition)
    # `cond` is a parameter, so the condition is named cond_1
    assert text == expect("""
        def f(x, cond):
            t1 = np.sum(x)
            cond_1 = t1 > 0
            if cond_1:
                y = x * 2
            else:
                y = x
        """)


def early_return(x, c):
    if c:
        return x
    y = x * 2
    return y


def test_code_after_returning_if_moves_into_else():
    text, result = normalized(early_return)
    assert text == expect("""
        def f(x, c):
            if c:
                early_return = x
            else:
                y = x * 2
                early_return = y
        """)
    assert result == "early_return"


def early_return_in_else(x, c):
    if c:
        y = x * 3
    else:
        return x
    z = y + 1
    return z


def test_code_after_if_whose_else_returns_moves_into_body():
    text, _ = normalized(early_return_in_else)
    assert text == expect("""
        def f(x, c):
            if c:
                y = x * 3
                z = y + 1
                early_return_in_else = z
            else:
                early_return_in_else = x
        """)


def elif_chain(x, c):
    if c > 0:
        return x
    elif c < 0:
        return -x
    return 0.0


def test_elif_chain_of_returns():
    text, _ = normalized(elif_chain)
    assert text == expect("""
        def f(x, c):
            cond = c > 0
            if cond:
                elif_chain = x
            else:
                cond_1 = c < 0
                if cond_1:
                    elif_chain = -x
                else:
                    elif_chain = 0.0
        """)


def clash(x):
    clash = x * 2
    if np.sum(x) > 0:
        return clash
    return x


def test_result_name_does_not_collide_with_a_local_of_the_same_name():
    text, result = normalized(clash)
    assert result == "clash_1"
    assert text == expect("""
        def f(x):
            clash = x * 2
            t1 = np.sum(x)
            cond = t1 > 0
            if cond:
                clash_1 = clash
            else:
                clash_1 = x
        """)


def sum(x):  # noqa: A001 - deliberately shadows the builtin
    return x * 2


def test_result_name_avoids_builtins():
    text, result = normalized(sum)
    assert result == "sum_1"
    assert text == expect("""
        def f(x):
            sum_1 = x * 2
        """)


def guarded(x):
    if np.any(x < 0):
        raise ValueError("negative")
    y = np.sqrt(x)
    return np.sum(y)


def test_code_after_if_that_raises_moves_into_else():
    text, _ = normalized(guarded)
    assert text == expect("""
        def f(x):
            t1 = x < 0
            cond = np.any(t1)
            if cond:
                raise ValueError('negative')
            else:
                y = np.sqrt(x)
                guarded = np.sum(y)
        """)


def nested_conditional_expressions(x, c, d):
    return np.sum(x * (2.0 if c else (3.0 if d else 4.0)))


def test_nested_conditional_expressions():
    text, _ = normalized(nested_conditional_expressions)
    assert text == expect("""
        def f(x, c, d):
            if c:
                t1 = 2.0
            else:
                if d:
                    t2 = 3.0
                else:
                    t2 = 4.0
                t1 = t2
            t3 = x * t1
            nested_conditional_expressions = np.sum(t3)
        """)


def falls_off_the_end(x, c):
    y = x * 2.0
    if c:
        return np.sum(y)


def test_falling_off_the_end_is_not_an_unbound_local():
    assert falls_off_the_end(np.ones(2), False) is None
    with pytest.raises(SrcGradError):
        srcgrad.grad(falls_off_the_end)(np.ones(2), False)


def returns_parameter(x, y):
    return x


def test_returning_a_parameter_leaves_an_empty_body():
    src = source.load(returns_parameter)
    params = ["x", "y"]
    taken = names_in(gast.Module(body=src.tree.body, type_ignores=[])) | set(params)
    body, result = normalize.normalize(src, Namer(taken))
    assert body == [] and result == "x"


# -- refusals -------------------------------------------------------------------------------

def unreachable(x):
    return x
    y = x * 2  # noqa


def both_branches_return(x, c):
    if c:
        return x
    else:
        return -x
    y = x  # noqa


def no_return(x):
    y = x * 2  # noqa


@pytest.mark.parametrize("func, message", [
    (unreachable, "unreachable code after `return`"),
    (both_branches_return, "unreachable code after `return`"),
    (no_return, "has no `return`"),
])
def test_normalize_refuses(func, message):
    src = source.load(func)
    with pytest.raises(SrcGradError, match=re.escape(message)):
        normalize.normalize(src, Namer(set()))


def test_normalized_source_executes_like_the_original():
    """The normalized body computes the same value as the original function."""
    for func, args in [(nested, (np.array([1.0, 2.0]), 3.0, 0.5)),
                       (swap_expressions, (2.0, 5.0)),
                       (elif_chain, (4.0, -1.0)),
                       (conditional_in_expression, (np.array([0.1, 0.2]), False))]:
        text, result = normalized(func)
        namespace = {"np": np}
        exec(text.replace("def f(", "def g(", 1) + f"    return {result}\n", namespace)
        np.testing.assert_allclose(namespace["g"](*args), func(*args))
