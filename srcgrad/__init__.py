"""srcgrad: reverse-mode automatic differentiation by transforming Python source."""

from .api import grad, value_and_grad
from .errors import SrcGradError

__all__ = ["grad", "value_and_grad", "SrcGradError"]
__version__ = "0.1.0"
