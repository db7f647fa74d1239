"""The check generated code makes before calling another method of `self` as the
defining class's function (frontend/methods.py)."""

from __future__ import annotations

from ..errors import SrcGradError


def same_method(obj, owner, name):
    """Raise unless `obj`'s class finds the function `owner` has for `name`."""
    found = getattr(type(obj), name, None)
    if found is not getattr(owner, name):
        raise SrcGradError(
            f"{type(obj).__name__} overrides `{name}`, which srcgrad read as "
            f"{owner.__name__}.{name} when it transformed a method of {owner.__name__}: "
            f"define the method that calls self.{name} in {type(obj).__name__} too (or "
            f"differentiate {type(obj).__name__}'s own method)")
