"""np.einsum in every calling form: subscripts (explicit, implicit, ellipsis) and sublists
(np.einsum(a, [0, 1], [1, 0]), which gave zeros), any number of operands (more than three
were refused), `optimize=` accepted. Checked against finite differences, autograd,
forward mode and second order."""

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from finite_diff import assert_grads_match

import srcgrad
from srcgrad import SrcGradError, grad

RNG = np.random.default_rng(0)
A, B, C, V = (RNG.normal(size=s) for s in [(2, 3), (3, 4), (4, 2), (2,)])
W = np.arange(6.0).reshape(3, 2)


def transposed_by_sublists(a):
    return np.sum(np.einsum(a, [0, 1], [1, 0]) * W)


def transposed_by_sublists_autograd(a):
    return anp.sum(anp.einsum(a, [0, 1], [1, 0]) * W)


def test_one_operand_in_the_sublist_form():
    g = grad(transposed_by_sublists)(A)
    np.testing.assert_array_equal(g, W.T)
    np.testing.assert_array_equal(g, autograd.grad(transposed_by_sublists_autograd)(A))


def chain(a, b, c, v):
    return np.sum(np.einsum("ij,jk,kl,i->l", a, b, c, v) ** 2)


def chain_autograd(a, b, c, v):
    return anp.sum(anp.einsum("ij,jk,kl,i->l", a, b, c, v) ** 2)


def chain_by_sublists(a, b, c, v):
    return np.sum(np.einsum(a, [0, 1], b, [1, 2], c, [2, 3], v, [0], [3]) ** 2)


def chain_optimized(a, b, c, v):
    return np.sum(np.einsum("ij,jk,kl,i->l", a, b, c, v, optimize="greedy") ** 2)


@pytest.mark.parametrize("f", [chain, chain_by_sublists, chain_optimized])
def test_four_operands_in_every_form(f):
    args = (A, B, C, V)
    grads = grad(f, wrt=(0, 1, 2, 3))(*args)
    assert_grads_match(f, grads, args, (0, 1, 2, 3))
    for got, expected in zip(grads, autograd.grad(chain_autograd, (0, 1, 2, 3))(*args)):
        np.testing.assert_allclose(got, expected)


def one_operand_twice(v, b):
    return np.einsum("i,ij,i,ij", v, A, v, np.ones((2, 3))) * np.sum(b)


def test_an_operand_given_twice_gets_both_adjoints():
    grads = grad(one_operand_twice, wrt=(0, 1))(V, B)
    assert_grads_match(one_operand_twice, grads, (V, B), (0, 1))


def sublists_with_an_ellipsis(a, v):
    return np.sum(np.einsum(a, [Ellipsis, 1], v, [1]) * np.array([1.0, -2.0]))


def test_sublists_with_an_ellipsis_and_an_implicit_output():
    v = RNG.normal(size=3)
    grads = grad(sublists_with_an_ellipsis, wrt=(0, 1))(A, v)
    assert_grads_match(sublists_with_an_ellipsis, grads, (A, v), (0, 1))

    def implicit(a, b):  # sublist axes 30 and 2: the output has them in increasing order
        return np.sum(np.einsum(a, [30, 5], b, [5, 2]) * np.arange(8.0).reshape(4, 2))
    grads = grad(implicit, wrt=(0, 1))(A, B)
    assert_grads_match(implicit, grads, (A, B), (0, 1))


def test_only_the_operands_with_gradients_are_computed():
    g = grad(chain, wrt=1)
    g(A, B, C, V)
    assert g.source.count("einsum_adjoints(") == 1  # one call; its items computed on demand


def test_forward_mode_and_second_order():
    args = (A, B, C, V)
    vs = tuple(RNG.normal(size=x.shape) for x in args)
    for f in (chain, chain_by_sublists):
        _, slope = srcgrad.jvp(f, wrt=(0, 1, 2, 3))(*args, tangent=vs)
        grads = grad(f, wrt=(0, 1, 2, 3))(*args)
        assert slope == pytest.approx(sum(np.sum(g * v) for g, v in zip(grads, vs)))
        product = srcgrad.hvp(f, wrt=(0, 1, 2, 3))(*args, tangent=vs)
        h = 1e-6
        plus = grad(f, wrt=(0, 1, 2, 3))(*[x + h * v for x, v in zip(args, vs)])
        minus = grad(f, wrt=(0, 1, 2, 3))(*[x - h * v for x, v in zip(args, vs)])
        for got, p, m in zip(product, plus, minus):
            np.testing.assert_allclose(got, (p - m) / (2 * h), rtol=1e-5, atol=1e-6)


def einsum_with_a_dtype(a):
    return np.sum(np.einsum("ij->i", a, dtype=np.float32))


def test_other_keywords_are_refused_at_the_call():
    with pytest.raises(SrcGradError, match="einsum_with_a_dtype"):
        grad(einsum_with_a_dtype)(A)
