"""srcgrad: automatic differentiation by transforming Python source."""

from .api import grad, hessian, hvp, jacobian, jvp, value_and_grad, vjp
from .api.explain import explain
from .api.ode import odeint
from .check import check_grad
from .custom import custom_adjoint, d, stop_gradient
from .errors import SrcGradError
from .graph import graph
from .runtime.blocks import adjoint_of, checkpoint

__all__ = ["grad", "value_and_grad", "vjp", "SrcGradError", "stop_gradient", "custom_adjoint", "d",
           "check_grad", "graph", "jvp", "jacobian", "hessian", "hvp", "odeint",
           "explain", "checkpoint", "adjoint_of"]
__version__ = "0.1.0"
