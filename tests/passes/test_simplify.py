"""simplify.simplify: constant folding, multiplications by one, dead code removal."""

import textwrap

import gast
import pytest

from srcgrad.backend import codegen
from srcgrad.ir import build
from srcgrad.passes import simplify


def parse(code):
    return gast.parse(textwrap.dedent(code)).body


def simplified(code_or_body, live):
    body = parse(code_or_body) if isinstance(code_or_body, str) else code_or_body
    out = simplify.simplify(body, set(live))
    return codegen.render([codegen.function("f", codegen.arguments([]), out)])


def expect(text):
    return textwrap.dedent(text).lstrip("\n")


# -- folding ------------------------------------------------------------------------------

@pytest.mark.parametrize("code, result", [
    ("y = x ** 1", "y = x"),
    ("y = x ** (2 - 1)", "y = x"),
    ("y = x * 1", "y = x"),
    ("y = 1 * x", "y = x"),
    ("y = x * 1.0", "y = x"),
    ("y = x + 0", "y = x"),
    ("y = x - 0", "y = x"),
    ("y = x * (3 - 2)", "y = x"),
    ("y = (2 - 1)", "y = 1"),
    ("y = 2 * 3 * x", "y = 6 * x"),
    ("y = 2 ** 3 + x", "y = 8 + x"),
    ("y = 1.5 * 2 * x", "y = 3.0 * x"),
    ("y = (1 - 1) * x", "y = 0 * x"),
    ("y = x ** 2", "y = x ** 2"),
    ("y = x * 2", "y = x * 2"),
    ("y = x / 1", "y = x / 1"),  # division is not folded
    ("y = 0 - x", "y = 0 - x"),  # only a right-hand zero is dropped
    ("y = True * x", "y = True * x"),  # booleans are not numbers here
])
def test_folding(code, result):
    assert simplified(code, {"y"}) == f"def f():\n    {result}\n"


def test_docstring_example():
    text = simplified("""
        d_t2 = d_loss * 2 * err ** (2 - 1)
        t9 = np.cos(x)
        """, {"d_t2"})
    assert text == expect("""
        def f():
            d_t2 = d_loss * 2 * err
        """)


def test_folding_inside_calls_and_nested_expressions():
    text = simplified("y = np.sum(x * 1, axis=2 - 1) * (a ** (3 - 2))", {"y"})
    assert text == expect("""
        def f():
            y = np.sum(x, axis=1) * a
        """)


def test_folding_inside_if_branches():
    text = simplified("""
        if c:
            y = x * 1
        else:
            y = x ** (1 + 1)
        """, {"y"})
    assert text == expect("""
        def f():
            if c:
                y = x
            else:
                y = x ** 2
        """)


# -- dead code ----------------------------------------------------------------------------

def test_dead_assignments_removed_and_live_names_kept():
    text = simplified("""
        a = x * 2
        b = a + 1
        c = x * 3
        d = c + b
        """, {"b"})
    # c and d are never read and not live; a feeds the live b
    assert text == expect("""
        def f():
            a = x * 2
            b = a + 1
        """)


def test_live_names_kept_even_if_unread():
    text = simplified("""
        a = x * 2
        b = x * 3
        """, {"a", "b"})
    assert text == expect("""
        def f():
            a = x * 2
            b = x * 3
        """)


def test_chain_of_dead_assignments_removed_in_one_call():
    text = simplified("""
        a = x * 2
        b = a + 1
        c = b * b
        y = x
        """, {"y"})
    assert text == expect("""
        def f():
            y = x
        """)


def test_statements_that_are_not_assignments_are_kept():
    text = simplified("""
        y = x + 0
        print(y)
        z = y
        """, set())
    assert text == expect("""
        def f():
            y = x
            print(y)
        """)


def test_nothing_live_removes_everything():
    assert simplified("a = 1\nb = a * 2", set()) == "def f():\n    pass\n"


def test_if_whose_branches_become_empty_is_removed_with_its_condition():
    text = simplified("""
        cond = x > 0
        if cond:
            a = x * 2
        else:
            a = x * 3
        b = 2
        """, {"b"})
    assert text == expect("""
        def f():
            b = 2
        """)


def test_if_with_only_a_dead_body_is_removed():
    text = simplified("""
        if c:
            a = x * 2
        b = 2
        """, {"b"})
    assert text == expect("""
        def f():
            b = 2
        """)


def test_if_whose_result_is_live_keeps_both_branches():
    text = simplified("""
        if c:
            t = x * 2
            a = t * 1
            junk = t + 5
        else:
            a = x * 3
        b = a
        """, {"b"})
    assert text == expect("""
        def f():
            if c:
                t = x * 2
                a = t
            else:
                a = x * 3
            b = a
        """)


def test_dead_body_of_live_if_becomes_pass():
    text = simplified("""
        if c:
            q = x * 2
        else:
            a = x * 3
        b = a
        """, {"b"})
    assert text == expect("""
        def f():
            if c:
                pass
            else:
                a = x * 3
            b = a
        """)


def test_names_read_inside_a_live_branch_keep_their_definitions():
    text = simplified("""
        s = x * 4
        u = x * 5
        if c:
            a = s + 1
        else:
            a = x
        """, {"a"})
    assert text == expect("""
        def f():
            s = x * 4
            if c:
                a = s + 1
            else:
                a = x
        """)


def test_live_out_set_is_not_modified():
    live = {"b"}
    simplify.simplify(parse("a = 1\nb = a"), live)
    assert live == {"b"}


# -- comment markers ----------------------------------------------------------------------

def test_comments_of_removed_code_are_dropped():
    body = [build.comment("line 3: y = x * 2"), *parse("y = x * 2"),
            build.comment("line 4: z = y + 1"), *parse("z = y + 1")]
    assert simplified(body, {"y"}) == expect("""
        def f():
            # line 3: y = x * 2
            y = x * 2
        """)


def test_comment_before_surviving_code_is_kept():
    body = [build.comment("line 3: dead"), *parse("junk = x * 2"),
            build.comment("line 4: live"), *parse("y = x + 1")]
    assert simplified(body, {"y"}) == expect("""
        def f():
            # line 4: live
            y = x + 1
        """)


def test_comments_inside_a_live_branch_are_kept():
    body = parse("if c:\n    a = x * 2\nelse:\n    a = x\nb = a")
    body[0].body.insert(0, build.comment("line 7: a = x * 2"))
    assert simplified(body, {"b"}) == expect("""
        def f():
            if c:
                # line 7: a = x * 2
                a = x * 2
            else:
                a = x
            b = a
        """)


def test_if_whose_branch_is_only_a_comment_is_removed():
    body = parse("if cond:\n    a = x * 2\nb = 2")
    body[0].body.insert(0, build.comment("line 7: a = x * 2"))
    text = simplified(body, {"b"})
    compile(text, "<simplified>", "exec")  # currently a SyntaxError: `if cond:` has no body
    assert text == expect("""
        def f():
            b = 2
        """)
