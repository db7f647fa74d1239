"""Type names of the public API's signatures (the package ships `py.typed`)."""

from __future__ import annotations

from typing import Any, Callable, ParamSpec, Sequence, Union

P = ParamSpec("P")  # the parameters of the function differentiated
Wrt = Union[int, str, Sequence[Union[int, str]]]  # an index, a name, or a tuple of them
Function = Callable[..., Any]
