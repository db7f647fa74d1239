"""aliasing.py: an update in place is followed through every other name, item and record
that holds the value (or refused, or stopped at run time where it cannot be), in reverse
mode, forward mode and second order; each checked against NumPy's own value and central
finite differences. Each program here gave a silently wrong gradient before the model."""

import numpy as np
import pytest
from finite_diff import numerical_grad

import srcgrad
from srcgrad import SrcGradError

X = np.array([1.0, 2.0, 3.0])
W = np.array([1.0, 2.0, 3.0])


def check(f, *args, wrt=0, hessian=True):
    """srcgrad's value, gradient, tangent and Hessian of `f` against NumPy running `f`
    and finite differences; the arguments are left as they were."""
    before = [np.copy(a) for a in args]
    value, grad = srcgrad.value_and_grad(f, wrt=wrt)(*args)
    np.testing.assert_allclose(value, f(*[np.copy(a) for a in args]), rtol=1e-12)
    expected = numerical_grad(lambda *a: f(*[np.copy(b) for b in a]), args, wrt)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-8)
    direction = np.linspace(0.5, 1.5, np.size(args[wrt])).reshape(np.shape(args[wrt]))
    _, slope = srcgrad.jvp(f, wrt=wrt)(*args, tangent=direction)
    np.testing.assert_allclose(slope, np.sum(expected * direction), rtol=1e-6, atol=1e-8)
    if hessian:
        got = srcgrad.hessian(f, wrt=wrt)(*args)
        gradient = srcgrad.grad(f, wrt=wrt)
        columns = [numerical_grad(lambda *a: gradient(*a)[i], args, wrt)
                   for i in range(np.size(args[wrt]))]
        np.testing.assert_allclose(got, np.reshape(columns, np.shape(got)), rtol=1e-5,
                                   atol=1e-7)
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)
    return grad


# --- an array held in a list (or tuple, or dict), then updated in place -----------------


def appended_then_updated(x):
    h = np.zeros(3)
    hs = []
    for i in range(3):
        h += x * (i + 1)
        hs.append(h)  # every entry is the same array: all show the last update
    return np.sum(hs[0] * x)


def held_in_a_list(x):
    h = np.zeros(3)
    hs = [h]
    h[1] = x[0] * 4.0
    return np.sum(hs[0] * x)


def held_in_a_tuple(x):
    h = x * 1.0
    pair = (h, x)
    h *= 3.0
    return np.sum(pair[0] * pair[1])


def held_in_a_dict(x):
    h = np.zeros(3)
    d = {"h": h}
    h[1] = x[0] * 4.0
    return np.sum(d["h"] * x)


def held_twice(x):
    h = np.zeros(3)
    hs = [h, h]
    h[2] = x[1] ** 2
    return np.sum(hs[0] * hs[1] * x)


def held_in_a_nested_list(x):
    h = np.zeros(3)
    hs = [[h], [x]]
    h[0] = x[2] * x[0]
    return np.sum(hs[0][0] + hs[1][0] * x)


def rows_of_a_vector_are_copies(x):
    h = np.zeros(3)
    parts = [h[0], h[1]]  # numbers, not views: they keep the old values
    h[1] = x[0] * 4.0
    return parts[0] + parts[1] + np.sum(h * x)


def scaled_before_stacking(x):
    h = x * 1.0
    hs = [h, x * 2.0]
    h *= 2.0
    return np.sum(np.stack(hs) ** 2)


def two_names(x):
    h = x * 2.0
    a = h
    h[0] = x[1] * 3.0
    return np.sum(a * x)


def list_of_a_list(x):
    inner = [x * 1.0]
    outer = [inner]
    inner.append(x * x)
    return np.sum(outer[0][1] * x)


def via_a_helper_returning_an_item(x):
    h = np.zeros(3)
    hs = [h]
    g = first(hs)
    h[0] = x[0] * 5.0
    return np.sum(g * x)


def first(items):
    return items[0]


@pytest.mark.parametrize("f", [appended_then_updated, held_in_a_list, held_in_a_tuple,
                               held_in_a_dict, held_twice, held_in_a_nested_list,
                               rows_of_a_vector_are_copies, scaled_before_stacking, two_names,
                               list_of_a_list, via_a_helper_returning_an_item])
def test_an_update_in_place_is_seen_through_every_holder(f):
    check(f, X.copy())


def test_the_list_example_of_the_issue():
    value, grad = srcgrad.value_and_grad(appended_then_updated)(X)
    assert value == 84.0
    np.testing.assert_array_equal(grad, [12.0, 24.0, 36.0])


def test_the_generated_code_says_where_the_new_value_goes():
    source = srcgrad.grad(held_in_a_list).source
    assert "hs_1 = refresh(hs, h, h_1)" in source
    assert "refresh_adjoint_new(d_hs_1, hs, h, h_1)" in source


def test_no_refresh_where_nothing_else_holds_the_value():
    def plain(x):
        h = x * 2.0
        h += x
        out = np.zeros(3)
        for i in range(3):
            out[i] = h[i] * x[i]
        return np.sum(out)

    assert "refresh" not in srcgrad.grad(plain).source
    check(plain, X.copy())


# --- dict iteration -----------------------------------------------------------------


def penalty_by_values(p):
    s = 0.0
    for v in p.values():
        s = s + np.sum(v ** 2)
    return s


def penalty_by_items(p):
    s = 0.0
    for k, v in p.items():
        s = s + np.sum(v ** 2) * (2.0 if k == "a" else 1.0)
    return s


def test_a_params_dict_iterated_by_values_or_items():
    p = {"a": np.array([1.0, 2.0]), "b": np.array([3.0])}
    got = srcgrad.grad(penalty_by_values)(p)
    np.testing.assert_array_equal(got["a"], [2.0, 4.0])
    np.testing.assert_array_equal(got["b"], [6.0])
    got = srcgrad.grad(penalty_by_items)(p)
    np.testing.assert_array_equal(got["a"], [4.0, 8.0])
    np.testing.assert_array_equal(got["b"], [6.0])


# --- helpers that change their arguments ------------------------------------------------


def put(a, v):
    a[:] = v


def put_first(a, v):
    a[0] = v


def bump(a, v):
    a += v
    return 0.0


def push(items, v):
    items.append(v)
    return 0.0


def writes_through_a_helper(x):
    h = np.zeros(3)
    put(h, x * x)
    return np.sum(h)


def writes_in_a_loop(x):
    h = np.zeros(3)
    for i in range(3):
        put_first(h, h[0] + x[i] * x[i])
    return np.sum(h * x)


def bumped(x):
    h = x * 2.0
    bump(h, x)
    return np.sum(h * x)


def pushed(x):
    items = []
    push(items, x * 3.0)
    return np.sum(items[0] * x)


def bump_twice(a, v):
    bump(a, v)
    bump(a, v)


def nested_helpers(x):
    h = x * 1.0
    bump_twice(h, x)
    return np.sum(h * h)


@pytest.mark.parametrize("f, expected", [
    (writes_through_a_helper, [2.0, 4.0, 6.0]), (bumped, [6.0, 12.0, 18.0]),
    (pushed, [6.0, 12.0, 18.0]), (writes_in_a_loop, None), (nested_helpers, None)])
def test_a_helper_that_changes_its_argument(f, expected):
    grad = check(f, X.copy())
    if expected is not None:
        np.testing.assert_allclose(grad, expected)


def test_a_helper_that_changes_its_argument_in_the_specialized_code_too():
    g = srcgrad.grad(bumped)
    for _ in range(3):  # the general code, then the specialized variant and its entry
        np.testing.assert_allclose(g(X.copy()), [6.0, 12.0, 18.0])


# --- numbers are immutable ---------------------------------------------------------------


def running_total(x):
    total = 0.0
    prev = 0.0
    for i in range(3):
        prev = total
        total += x[i] * x[i]
    return total * prev


def float_argument(x, w):
    x += w  # a float argument is rebound, not changed
    return x * x


def test_a_float_updated_with_plus_equals_is_a_new_value():
    check(running_total, X.copy())
    np.testing.assert_allclose(srcgrad.grad(float_argument, wrt=(0, 1))(1.0, 2.0), (6.0, 6.0))
    assert srcgrad.jvp(float_argument)(1.0, 2.0, tangent=1.0) == (pytest.approx(9.0),
                                                                  pytest.approx(6.0))
    assert srcgrad.hessian(float_argument, wrt=(0, 1))(1.0, 2.0) == ((2.0, 2.0), (2.0, 2.0))


# --- refused, or stopped at run time, at the user's line -----------------------------------


def writes_an_argument(x):
    x[0] = 0.0
    return np.sum(x)


def writes_an_item_of_an_argument(p):
    w = p["w"]
    w[0] = 1.0
    return np.sum(w)


def appends_to_an_argument(items):
    items.append(1.0)
    return np.sum(items[0])


@pytest.mark.parametrize("f, arg, what", [
    (writes_an_argument, X, "`x` is the argument `x`"),
    (writes_an_item_of_an_argument, {"w": X}, "part of the argument `p`"),
    (appends_to_an_argument, [X], "appending to `items`")])
def test_changing_the_caller_s_data_is_refused(f, arg, what):
    with pytest.raises(SrcGradError, match="would change the caller's data") as info:
        srcgrad.grad(f)(arg)
    assert what in str(info.value)
    assert "test_aliasing.py" in str(info.value) and "Work on a copy" in str(info.value)


def plus_equals_an_argument(x, w):
    x += w
    return np.sum(x * x)


def view_then_write(x):
    h = np.zeros((2, 3))
    v = h[0]
    h[0, 1] = x[0]
    return np.sum(v * x)


def test_what_a_check_at_run_time_stops_names_the_line():
    with pytest.raises(SrcGradError, match="change the caller's data") as info:
        srcgrad.grad(plus_equals_an_argument)(X.copy(), W.copy())
    assert "line" in str(info.value) and "x += w" in str(info.value)
    with pytest.raises(SrcGradError, match="view") as info:
        srcgrad.grad(view_then_write)(X.copy())
    assert "h[0, 1] = x[0]" in str(info.value) and ".copy()" in str(info.value)


def view_elsewhere(x):
    h = np.zeros((2, 3))
    v = h[1]  # a view of the row that is not written: after the write it would view a copy
    h[0, 1] = x[0]
    return np.sum(v * x) + np.sum(h * x)


def test_a_view_read_after_any_write_into_its_array_is_stopped():
    """srcgrad does not follow views: once the array is written (even elsewhere), a view
    taken before would see a copy that later writes no longer change."""
    with pytest.raises(SrcGradError, match="view"):
        srcgrad.grad(view_elsewhere)(X.copy())
