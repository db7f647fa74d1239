"""A library function without a rule is refused at the user's line by its public name,
however the code spells it, with the closest functions that have one (issue 20)."""

import numpy as np
import pytest
import scipy.special
import scipy.stats
from scipy.special import hyp2f1

import srcgrad


def eigenvalues(a):
    return np.sum(np.linalg.eig(a)[0].real)


def hypergeometric(x):
    return np.sum(scipy.special.hyp2f1(1.0, 2.0, 3.0, x))


def hypergeometric_imported(x):
    return np.sum(hyp2f1(1.0, 2.0, 3.0, x))


def skewed(x):
    return np.sum(scipy.stats.skewnorm.logpdf(x, 2.0))


@pytest.mark.parametrize("f, name, spelled, close", [
    (eigenvalues, "numpy.linalg.eig", "np.linalg.eig", "numpy.linalg.eigh"),
    (hypergeometric, "scipy.special.hyp2f1", "scipy.special.hyp2f1", "scipy.special.hyp1f1"),
    (hypergeometric_imported, "scipy.special.hyp2f1", "hyp2f1", "scipy.special.hyp1f1"),
    (skewed, "scipy.stats.skewnorm.logpdf", "scipy.stats.skewnorm.logpdf",
     "scipy.stats.norm.logpdf")])
def test_a_function_without_a_rule_is_refused_by_its_public_name(f, name, spelled, close):
    with pytest.raises(srcgrad.SrcGradError) as refused:
        srcgrad.grad(f)(np.eye(2) * 0.5 + 0.1)
    message = str(refused.value)
    assert f"no adjoint rule for {name} (called as `{spelled}`)" in message
    assert __file__ in message and close in message
