"""selected_numbers: a choice between two numbers, scaled by a number where it is read
once, becomes the choice of the scaled numbers; read twice, it stays one array.
Gradients checked against finite differences."""

import numpy as np

import srcgrad
from finite_diff import checked_source, fused, uncommented
from models import huber, huber_data


def test_a_scaled_choice_of_numbers_is_folded():
    with srcgrad.pipeline.skipping("complementary_choices"):  # it joins the two choices
        code = uncommented(fused(checked_source(huber, huber_data(np.random.default_rng(0)), (0,))))
    assert "np.where(t2, 0.125, 0.0) * r" in code
    assert "* 0.5" not in code and "* 2" not in code


def twice(w, X, y):
    r = X @ w - y
    s = np.where(r > 0.0, 2.0 * r, -r)
    return np.mean(s) + np.mean(s * s)


def test_a_choice_read_twice_stays_one_array():
    checked_source(twice, huber_data(np.random.default_rng(1)), (0,))


def negated(x):
    return -np.sum(np.where(x > 0.0, x, 0.0)) / 4.0


def test_a_negative_scale_keeps_each_number_s_sign():
    code = uncommented(fused(checked_source(negated, (np.linspace(-1.0, 1.0, 6),), (0,))))
    assert "np.where(" in code
