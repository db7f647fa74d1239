"""complementary_choices: two contributions to one adjoint, each a number choice on the
same mask times an array, zero where the other is not, become one choice. Gradients
checked against finite differences."""

import numpy as np

import srcgrad
from finite_diff import assert_grads_match, checked_source, fused, uncommented
from models import huber, huber_data


def test_the_two_contributions_of_a_choice_become_one_choice():
    code = uncommented(fused(checked_source(huber, huber_data(np.random.default_rng(0)), (0,))))
    assert "d_r = np.where(t2, r, np.sign(r)) * 0.125" in code
    assert code.count("np.where") == 1 and "+=" not in code


def scaled_apart(x):
    return np.sum(np.where(x > 0.0, x ** 3, 2.0 * np.sin(x)))


def test_each_branch_keeps_its_own_number():
    x = np.linspace(-2.0, 2.0, 6)
    code = uncommented(fused(checked_source(scaled_apart, (x,), (0,))))
    assert code.count("np.where") == 1 and "+=" not in code


def same_side(x):
    m = x > 0.0
    return np.sum(np.where(m, x ** 2, 0.0)) + np.sum(np.where(m, np.sin(x), 0.0))


def test_choices_of_the_same_side_stay_a_sum():
    code = uncommented(fused(checked_source(same_side, (np.linspace(-2.0, 2.0, 6),), (0,))))
    assert code.count("np.where") == 2


def test_float32_arguments_keep_the_sum():
    # a float32 array times a float64 choice is float64, times a number float32
    x = np.linspace(-2.0, 2.0, 6).astype(np.float32)
    g = srcgrad.grad(scaled_apart)
    expected = srcgrad.grad(scaled_apart)(x.astype(np.float64))
    got = g(x)
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert uncommented(fused(g.source_for(x))).count("np.where") == 2


def unselected_infinite(x):
    # exp(1000.0) is inf where the mask takes the other branch
    return np.sum(np.where(x > 10.0, np.sin(x), np.exp(x)))


def test_an_infinite_unselected_factor_gives_the_selected_derivative():
    x = np.array([0.5, 2.0, 1000.0])
    with np.errstate(over="ignore"):
        g = srcgrad.grad(unselected_infinite)(x)
    np.testing.assert_allclose(g, [np.exp(0.5), np.exp(2.0), np.cos(1000.0)])
