"""srcgrad: reverse-mode automatic differentiation by transforming Python source."""

from .api import grad, value_and_grad
from .custom import custom_adjoint, d, stop_gradient
from .errors import SrcGradError

__all__ = ["grad", "value_and_grad", "SrcGradError", "stop_gradient", "custom_adjoint", "d"]
__version__ = "0.1.0"
