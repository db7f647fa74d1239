"""Fixtures shared by the tests. The helpers they import are modules of this folder (on
sys.path: pyproject.toml): finite_diff (the oracle), programs (random programs),
pass_bodies (a pass's context for a body written by hand), models, rule_examples."""

import warnings

import numpy as np
import pytest

from srcgrad import pipeline


@pytest.fixture
def runtime_dtype_checks():
    """The fused passes as they act when no dtype is known statically (dtypes.py): buffer
    reuse writes into large arrays only, through runtime.spare. For the tests of the other
    passes, whose output it would otherwise rewrite."""
    with pipeline.skipping("float64", "float64_again"):
        yield


@pytest.fixture
def quiet():
    """NumPy's own warnings (divide by zero, invalid value, overflow) are expected here."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


@pytest.fixture
def keeping_dels():
    """Every `del` free_after_last_use wrote: del_pruning drops them all where every array
    is small, as the tests' arrays are."""
    with pipeline.skipping("del_pruning"):
        yield
