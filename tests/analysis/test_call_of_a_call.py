"""A call of what another call returned (`srcgrad.grad(f)(x)` inside a differentiated
function) is refused at the user's line (the error named a temporary, `t1`, and no line)."""

import numpy as np
import pytest

import srcgrad


def inner(x):
    return np.sum(np.sin(x) ** 2)


def outer(x):
    return np.sum(srcgrad.grad(inner)(x))


def test_refused_at_the_users_line():
    with pytest.raises(srcgrad.SrcGradError, match="it is what another call returned") as info:
        srcgrad.grad(outer)(np.array([0.3, -0.7]))
    assert "test_call_of_a_call.py" in str(info.value) and "t1" not in str(info.value)
