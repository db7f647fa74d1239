"""ssa.to_ssa: every assignment gets its own name; branches merge into one version."""

import textwrap

import gast
import numpy as np

from srcgrad.backend import codegen
from srcgrad.frontend import fence, normalize, source, ssa
from srcgrad.ir.naming import Namer, names_in


def in_ssa(func):
    """(rendered text, final result name) of `func` after normalize and to_ssa."""
    src = source.load(func)
    fence.check(src)
    params = [a.id for a in src.tree.args.args + src.tree.args.kwonlyargs]
    taken = names_in(gast.Module(body=src.tree.body, type_ignores=[])) | set(params)
    namer = Namer(taken)
    body, result = normalize.normalize(src, namer)
    body, result = ssa.to_ssa(body, params, namer, result)[:2]  # (body, result[, loops])
    text = codegen.render([codegen.function("f", codegen.arguments(params), body)])
    return text, result


def expect(text):
    return textwrap.dedent(text).lstrip("\n")


def assigned_names(text):
    tree = gast.parse(text)
    return [n.id for n in gast.walk(tree) if isinstance(n, gast.Name)
            and isinstance(n.ctx, gast.Store)]


def reassigned(x):
    err = x * 2
    err = err + 1
    err = err * 3
    return err


def test_reassigned_names_get_numbered_versions():
    text, result = in_ssa(reassigned)
    assert text == expect("""
        def f(x):
            err = x * 2
            err_1 = err + 1
            err_2 = err_1 * 3
        """)
    assert result == "err_2"


def reassigned_parameter(x, y):
    x += y
    x = x * x
    return x


def test_reassigned_parameter_is_versioned_from_the_start():
    text, result = in_ssa(reassigned_parameter)
    # a parameter is already defined: its first assignment is a new version
    assert text == expect("""
        def f(x, y):
            x_1 = x + y
            x_2 = x_1 * x_1
        """)
    assert result == "x_2"


def one_branch(x, c):
    y = x
    if c:
        y = x * 2
    return y


def test_branch_that_does_not_assign_gets_a_copy():
    text, result = in_ssa(one_branch)
    assert text == expect("""
        def f(x, c):
            y = x
            if c:
                y_1 = x * 2
            else:
                y_1 = y
        """)
    assert result == "y_1"


def only_else_assigns(x, c):
    y = x
    if c:
        z = 1.0
    else:
        y = x * 3
    return y * z


def test_copy_is_appended_to_the_branch_that_did_not_assign():
    text, result = in_ssa(only_else_assigns)
    assert text == expect("""
        def f(x, c):
            y = x
            if c:
                z = 1.0
                y_1 = y
            else:
                y_1 = x * 3
            only_else_assigns = y_1 * z
        """)
    assert result == "only_else_assigns"


def both_branches(x, c):
    if c:
        y = x * 2
    else:
        y = x * 3
    return y


def test_both_branches_assigning_a_new_name_merge_to_one_name():
    text, result = in_ssa(both_branches)
    assert text == expect("""
        def f(x, c):
            if c:
                y = x * 2
            else:
                y = x * 3
        """)
    assert result == "y"


def both_branches_redefine(x, c):
    y = x
    if c:
        y = y * 2
    else:
        y = y * 3
    return y + 1


def test_both_branches_reassigning_merge_to_one_version():
    text, result = in_ssa(both_branches_redefine)
    assert text == expect("""
        def f(x, c):
            y = x
            if c:
                y_1 = y * 2
            else:
                y_1 = y * 3
            both_branches_redefine = y_1 + 1
        """)


def several_in_a_branch(x, c):
    y = x
    if c:
        y = y * 2
        y = y + 1
    else:
        y = y * 3
    return y


def test_last_version_of_each_branch_becomes_the_merged_name():
    text, result = in_ssa(several_in_a_branch)
    assert text == expect("""
        def f(x, c):
            y = x
            if c:
                y_1 = y * 2
                y_2 = y_1 + 1
            else:
                y_2 = y * 3
        """)
    assert result == "y_2"


def nested_ifs(x, c, d):
    y = x
    if c:
        if d:
            y = x * 2
    return y


def test_nested_ifs_copy_on_every_path():
    text, result = in_ssa(nested_ifs)
    assert text == expect("""
        def f(x, c, d):
            y = x
            if c:
                if d:
                    y_1 = x * 2
                else:
                    y_1 = y
            else:
                y_1 = y
        """)
    assert result == "y_1"


def condition_reads_version(x):
    s = np.sum(x)
    s = s - 1
    if s > 0:
        x = x * s
    return np.sum(x)


def test_uses_and_conditions_read_the_current_version():
    text, _ = in_ssa(condition_reads_version)
    assert text == expect("""
        def f(x):
            s = np.sum(x)
            s_1 = s - 1
            cond = s_1 > 0
            if cond:
                x_1 = x * s_1
            else:
                x_1 = x
            condition_reads_version = np.sum(x_1)
        """)


def user_versions(x):
    err = x + 1
    err_1 = x * 2
    err = err * err_1
    return err


def test_existing_user_names_like_err_1_do_not_collide():
    text, result = in_ssa(user_versions)
    # the user's err_1 keeps its name; the second `err` skips to err_2
    assert text == expect("""
        def f(x):
            err = x + 1
            err_1 = x * 2
            err_2 = err * err_1
        """)
    assert result == "err_2"


def user_versions_in_branch(x, c):
    y_1 = x * 5
    y = x
    if c:
        y = y * 2
    return y + y_1


def test_merge_version_skips_user_names():
    text, _ = in_ssa(user_versions_in_branch)
    assert text == expect("""
        def f(x, c):
            y_1 = x * 5
            y = x
            if c:
                y_2 = y * 2
            else:
                y_2 = y
            user_versions_in_branch = y_2 + y_1
        """)


def defined_in_one_branch(x, c):
    if c:
        z = x * 2
    z = x * 4
    return z


def test_name_defined_in_one_branch_then_reassigned():
    text, result = in_ssa(defined_in_one_branch)
    assert text == expect("""
        def f(x, c):
            if c:
                z = x * 2
            z_1 = x * 4
        """)
    assert result == "z_1"


def test_every_name_is_assigned_once_on_each_path():
    for func in [reassigned, reassigned_parameter, one_branch, only_else_assigns,
                 both_branches_redefine, several_in_a_branch, nested_ifs,
                 condition_reads_version, user_versions, user_versions_in_branch]:
        text, _ = in_ssa(func)
        tree = gast.parse(text).body[0]
        params = {a.id for a in tree.args.args}

        def check(stmts, defined):
            for stmt in stmts:
                if isinstance(stmt, gast.If):
                    body_defined, else_defined = set(defined), set(defined)
                    check(stmt.body, body_defined)
                    check(stmt.orelse, else_defined)
                    defined |= body_defined | else_defined
                else:
                    name = stmt.targets[0].id
                    assert name not in defined, (func.__name__, name)
                    defined.add(name)

        check(tree.body, set(params))


def test_ssa_form_computes_the_same_values():
    cases = [(one_branch, (3.0, True)), (one_branch, (3.0, False)),
             (only_else_assigns, (2.0, True)),
             (several_in_a_branch, (1.5, True)), (several_in_a_branch, (1.5, False)),
             (nested_ifs, (2.0, True, False)), (nested_ifs, (2.0, True, True)),
             (condition_reads_version, (np.array([1.0, 2.0]),)),
             (condition_reads_version, (np.array([0.1, 0.2]),)),
             (user_versions, (3.0,)), (user_versions_in_branch, (1.0, True))]
    for func, args in cases:
        text, result = in_ssa(func)
        namespace = {"np": np}
        exec(text + f"    return {result}\n", namespace)
        np.testing.assert_allclose(namespace["f"](*args), func(*args))
