"""The one exception the transformer raises for everything it refuses."""


class SrcGradError(TypeError):
    """A function, construct or argument that srcgrad cannot differentiate.

    The message names the user's file and line, shows the source line with a
    caret under the construct, and says what to do instead.
    """
