"""Activity analysis, and the errors for a function without a rule: they name it, the
user's line and close matches."""

import numpy as np
import pytest

from srcgrad import SrcGradError, grad


# --- errors name the function, the line and close matches ------------------------------------


def float_power(x):
    return np.sum(np.float_power(x, 3.0))


def typo(x):
    return np.sum(np.logg(x))


def test_function_without_a_rule_names_it_the_line_and_close_matches():
    with pytest.raises(SrcGradError) as info:
        grad(float_power)(np.ones(3))
    message = str(info.value)
    assert "no adjoint rule for numpy.float_power" in message
    assert "np.float_power(x, 3.0)" in message and "test_activity.py" in message
    assert "close matches" in message and "numpy.power" in message


def test_misspelled_numpy_function_lists_close_matches():
    with pytest.raises(SrcGradError) as info:
        grad(typo)(np.ones(3))
    assert "np.logg" in str(info.value) and "numpy.log" in str(info.value)


def test_misspelled_numpy_function_names_it_and_the_line():
    with pytest.raises(SrcGradError) as info:
        grad(typo)(np.ones(3))
    assert "np.logg" in str(info.value) and "test_activity.py" in str(info.value)
