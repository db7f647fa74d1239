"""Helpers of the rules for special functions (SciPy is never imported here)."""

from __future__ import annotations

from ..errors import SrcGradError


def not_differentiable(g, function: str, argument: str, why: str = ""):
    """The adjoint of an argument a function has no derivative in (the order of a Bessel
    function, the shape of an incomplete gamma function): reached only when that argument
    carries a gradient, so the gradient asked for does not exist in closed form."""
    raise SrcGradError(
        f"srcgrad cannot differentiate {function} in its argument `{argument}`"
        + (f" ({why})" if why else "")
        + f"\nPass `{argument}` as a constant: a value computed without the arguments "
        "being differentiated (it may still be an array).")
