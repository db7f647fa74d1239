"""item_adjoints: the adjoint of a dict, list or tuple of known items is kept item by
item and built once where it is read. Each test checks the gradients against finite
differences, item by item, and what the generated code does (or must not do)."""

import numpy as np
from finite_diff import fused, numerical_grad

import srcgrad


def leaf_grads(f, args, index, path):
    """Finite differences of f wrt the array at args[index][path...]."""
    def at(leaf):
        tree = _replaced(args[index], path, leaf)
        return f(*args[:index], tree, *args[index + 1:])
    return numerical_grad(at, (_get(args[index], path),), 0)


def _get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def _replaced(tree, path, leaf):
    if not path:
        return leaf
    key, rest = path[0], path[1:]
    if isinstance(tree, dict):
        return {**tree, key: _replaced(tree[key], rest, leaf)}
    items = list(tree)
    items[key] = _replaced(items[key], rest, leaf)
    return type(tree)(items)


def check_tree(f, args, index, paths):
    g = srcgrad.grad(f, wrt=index)
    got = g(*args)
    for path in paths:
        np.testing.assert_allclose(_get(got, path), leaf_grads(f, args, index, path),
                                   rtol=1e-5, atol=1e-6, err_msg=f"item {path}")
    code = g.source_for(*args)
    return got, fused(code) if "_grad(" in code else code


def mlp(params, X):
    W1, b1 = params[0]
    W2, b2 = params[1]
    h = np.tanh(X @ W1 + b1)
    return np.sum((h @ W2 + b2) ** 2)


def layers(rng):
    return [(rng.standard_normal((3, 4)), rng.standard_normal(4)),
            (rng.standard_normal((4, 2)), rng.standard_normal(2))]


def test_a_list_of_pairs_gets_its_adjoint_built_once():
    rng = np.random.default_rng(0)
    args = (layers(rng), rng.standard_normal((5, 3)))
    got, code = check_tree(mlp, args, 0, [(0, 0), (0, 1), (1, 0), (1, 1)])
    assert "scatter_add" not in code and "zeros_like" not in code
    assert "d_params = [[d_W1, d_b1], [d_W2, d_b2]]" in code
    assert type(got) is list and type(got[0]) is tuple  # made like the argument


def reads_twice(params, x):
    return np.sum(params["w"] * x) + np.sum(np.sin(params["w"]))


def test_an_item_read_twice_holds_the_sum():
    rng = np.random.default_rng(1)
    args = ({"w": rng.standard_normal(4), "unused": rng.standard_normal(2)},
            rng.standard_normal(4))
    got, code = check_tree(reads_twice, args, 0, [("w",), ("unused",)])
    assert "scatter_add" not in code and "Fields" not in code
    assert np.all(got["unused"] == 0.0)


def first_only(params, x):
    W, b = params[0]
    return np.sum(np.tanh(x @ W + b))


def test_an_item_never_read_is_no_array_in_the_code():
    rng = np.random.default_rng(2)
    args = (layers(rng), rng.standard_normal((5, 3)))
    got, code = check_tree(first_only, args, 0, [(0, 0), (0, 1), (1, 0), (1, 1)])
    assert "zeros" not in code and "[[d_W, d_b], 0.0]" in code
    assert got[1][0].shape == (4, 2) and not got[1][0].any()


def same_adjoint(p):
    return np.sum(p[0] + p[1])


def test_two_items_with_one_adjoint_come_back_as_two_arrays():
    rng = np.random.default_rng(3)
    args = ([rng.standard_normal(3), rng.standard_normal(3)],)
    got, _ = check_tree(same_adjoint, args, 0, [(0,), (1,)])
    assert got[0] is not got[1]
    got[0][0] = 7.0
    assert got[1][0] == 1.0


def pack(a, b):
    return a * 2.0, b + 1.0


def unpacked(x, y):
    u, v = pack(x, y)
    return np.sum(u * v)


def test_a_tuple_a_helper_returns_is_unpacked_item_by_item():
    rng = np.random.default_rng(4)
    args = (rng.standard_normal(3), rng.standard_normal(3))
    g = srcgrad.grad(unpacked, wrt=(0, 1))
    gx, gy = g(*args)
    np.testing.assert_allclose(gx, numerical_grad(unpacked, args, 0), rtol=1e-6)
    np.testing.assert_allclose(gy, numerical_grad(unpacked, args, 1), rtol=1e-6)
    code = fused(g.source_for(*args))
    assert "Parts" not in code and "scatter_add" not in code


# --- where it must not apply ---------------------------------------------------------


def by_position(params, X, k):
    W, b = params[k]
    return np.sum(np.tanh(X @ W + b))


def test_an_index_the_code_does_not_know_keeps_the_general_adjoint():
    rng = np.random.default_rng(5)
    params = [(rng.standard_normal((3, 3)), rng.standard_normal(3)) for _ in range(2)]
    args = (params, rng.standard_normal((4, 3)), 1)
    got, code = check_tree(by_position, args, 0, [(0, 0), (1, 0), (1, 1)])
    assert "scatter_add" in code
    assert not got[0][0].any()


def in_a_loop(params, x):
    total = 0.0
    for w in params:
        total = total + np.sum(np.sin(w * x))
    return total


def test_a_container_read_in_a_loop_stays_general():
    rng = np.random.default_rng(6)
    args = ([rng.standard_normal(3) for _ in range(3)], rng.standard_normal(3))
    check_tree(in_a_loop, args, 0, [(0,), (1,), (2,)])


def with_a_branch(params, x, flag):
    a = params[0]
    if flag > 0:
        s = np.sum(a * x)
    else:
        s = np.sum(params[1] * x)
    return s + np.sum(params[1] ** 2)


def test_a_branch_that_reads_an_item_sees_the_container_as_the_helpers_make_it():
    rng = np.random.default_rng(7)
    for flag in (1.0, -1.0):
        args = ([rng.standard_normal(3), rng.standard_normal(3)], rng.standard_normal(3), flag)
        check_tree(with_a_branch, args, 0, [(0,), (1,)])
