"""Errors as the user should see them: a SrcGradError raised inside srcgrad shows the
user's frames and the message (which already names their file and line), not the frames
of the transformation that found the problem. SRCGRAD_TRACEBACK=full shows every frame.
"""

from __future__ import annotations

import functools
import os
import pathlib
import re
import types

from ..backend import loading
from ..errors import SrcGradError

PACKAGE = str(pathlib.Path(__file__).resolve().parents[1])


def user_facing(method):
    """`method` (an entry point of the public API), raising SrcGradErrors with srcgrad's
    own frames left out of their traceback."""
    @functools.wraps(method)
    def entry(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except SrcGradError as exc:
            exc = again_refused(exc)
            if os.environ.get("SRCGRAD_TRACEBACK", "").lower() == "full":
                raise exc
            shown = _without_srcgrad(exc.__traceback__)
            raise exc.with_traceback(shown) from exc.__cause__  # SRCGRAD_TRACEBACK=full: all frames
    return entry


_GENERATED_AT = re.compile(r'File "(<srcgrad [^"]*>)", line (\d+)')


def again_refused(exc: SrcGradError) -> SrcGradError:
    """A refusal of generated gradient code (differentiated again: a derivative of higher
    order), said at the user's line that code computes, with what to write instead."""
    summary, *rest = str(exc).split("\n")
    found = _GENERATED_AT.search(str(exc))
    where = found and loading.first_user_line(found.group(1), int(found.group(2)))
    if where is None or getattr(exc, "_srcgrad_again", False):
        return exc
    filename, line, text = where
    again = SrcGradError("\n".join([
        f"a derivative of higher order differentiates the gradient code again, and there: "
        f"{summary}", f'  File "{filename}", line {line}', f"    {text}",
        "  (in the gradient code of that line:",
        *[f"  {part}" for part in rest if part.strip() and not part.startswith(
            ("Rewrite", "Differentiate"))], "  )",
        "Write that line with other functions (an exp of a sum of logs for a product of "
        "positive numbers, ...), or take fewer derivatives: srcgrad.hessian(f), "
        "srcgrad.hvp(f) and grad(grad(f)) (forward over reverse) need fewer rules."]))
    again._srcgrad_again = True
    return again.with_traceback(exc.__traceback__)


def _without_srcgrad(tb):
    """The traceback `tb` without the frames of srcgrad's own modules."""
    frames = []
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(PACKAGE):
            frames.append(tb)
        tb = tb.tb_next
    filtered = None
    for frame in reversed(frames):
        filtered = types.TracebackType(filtered, frame.tb_frame, frame.tb_lasti, frame.tb_lineno)
    return filtered
