"""The portable specialization: code specialized on the shapes of a call whose arrays
are duck arrays (runtime/array_kind.py), emitted with what every such array library
implements. Shapes are known, so `unbroadcast` and the seed spread go away as they do
for NumPy; what is left out are the steps of the NumPy fast path that only NumPy
arrays can take: `out=` into buffers the code makes (NumPy arrays), `np.add.reduce`
(a ufunc method Dask does not implement), row buffers of loops and `+=` (whose target
may be a NumPy array and its operand a duck one)."""

from __future__ import annotations

from ..runtime.array_kind import NUMPY

# steps whose output only NumPy arrays can run; none is essential. `+=` (accumulate,
# contribution_order) too: into a NumPy parameter's adjoint, a Dask operand is refused
# (out= of another type) and a CuPy one would be converted
NUMPY_ONLY_STEPS = frozenset({"buffer_reuse", "positional_out", "loop_batching",
                              "loop_buffer_reuse", "reduce_sums", "accumulate",
                              "contribution_order"})

# runtime helpers that compute with NumPy arrays alone (they call np.asarray, np.add.at,
# NumPy's linear algebra): portable code that needs one is refused (passes/portable_code.py)
NUMPY_ONLY_HELPERS = frozenset({
    "norm_adjoint", "pad_adjoint", "pad_constant_adjoint",
    "unique_adjoint", "undelete", "unblock", "linspace_adjoints", "svd_adjoint",
    "lstsq_adjoints", "untake_along_axis"})


def is_portable(array_kind) -> bool:
    """The code for this kind of arrays (array_kind.kind_of) is the portable code."""
    return array_kind != NUMPY


def steps_left_out(array_kind) -> frozenset:
    """The manifest's steps the code for `array_kind` is made without."""
    return NUMPY_ONLY_STEPS if is_portable(array_kind) else frozenset()
