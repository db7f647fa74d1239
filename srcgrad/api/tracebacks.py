"""Errors as the user should see them: a SrcGradError raised inside srcgrad shows the
user's frames and the message (which already names their file and line), not the frames
of the transformation that found the problem. SRCGRAD_TRACEBACK=full shows every frame.
"""

from __future__ import annotations

import functools
import os
import pathlib
import types

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
            if os.environ.get("SRCGRAD_TRACEBACK", "").lower() == "full":
                raise
            shown = _without_srcgrad(exc.__traceback__)
            raise exc.with_traceback(shown) from exc.__cause__  # SRCGRAD_TRACEBACK=full: all frames
    return entry


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
