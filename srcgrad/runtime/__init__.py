"""The helpers generated code calls, one namespace: what a name in generated code
resolves to (frontend/unit.py reads `vars(srcgrad.runtime)`). Plain NumPy, no gast;
nothing here imports the transformer."""

import numpy as np

from . import (adjoints, array_kind, blocks, buffers, checkpoints,  # noqa: F401
               containers, factorizations, indexing, layout, linalg, methods, special,
               tangents, transposes)
from .adjoints import (abs_slope, abs_slope_jvp, abs_slope_vjp, broadcast_like, cast_back,
                       centered, conjugated, cumprod_adjoint, norm_adjoint,
                       positive_log, prod_of_others, repeat_to, reverse_cumsum, safe_div,
                       sinc_slope, split_among_ties, split_ties_kept, stored, unbroadcast,
                       winner)
from .array_kind import concrete
from .blocks import adjoint_hook, hook_adjoint, hook_result, hook_zero
from .buffers import row_out, rows_of, spare
from .checkpoints import Checkpoints
from .containers import (AliasingError, appended, caller_unchanged, changes_in_place,
                         concatenated, default_adjoint, dict_of, field_adjoint, Fields, fields_of,
                         first_items, got_adjoint, got_tangent, in_order, in_order_adjoint,
                         in_order_tangent, item_adjoint, kept_as, largest, last_items, merged,
                         Parts,
                         picked_adjoint, picked_tangent, record_of_tangents, refresh,
                         refresh_adjoint_new,
                         refresh_adjoint_refs, refresh_tangent, set_at, smallest, sort_order,
                         spread_to_items, swap_item, take, values_of, without, zero_tangent,
                         zeros_like)
from .factorizations import (lower_half, lstsq_adjoints, lstsq_tangents, qr_adjoint, qr_jvp,
                             svd_adjoint, svd_jvp)
from .indexing import (concatenator_adjoints, concatenator_pushed, hstack_axis,
                       inverse_permutation, scatter_add, split_like, undiff, unrepeat, unsort,
                       unstack, untake, untake_along_axis, untile)
from .layout import (filled, full_adjoint, imag_adjoint, linspace_adjoints, meshgrid_adjoint,
                     boundary_widths, pad_adjoint, pad_constant_adjoint, piecewise_start,
                     placed_in_full,
                     reshaped, rollaxis_permutation, select_adjoint, unblock, unbroadcast_each,
                     undelete, unique_adjoint, unique_tangent, unpartition)
from .linalg import (dot_adjoint_x, dot_adjoint_y, dot_subscripts, einsum_adjoint,
                     einsum_adjoint_by_operands, einsum_adjoints, einsum_adjoints_by_operands,
                     einsum_form, einsum_pushed, inner_subscripts, lu_permutation, lu_tangent,
                     matmul_adjoint_x,
                     matmul_adjoint_y, mT, OnDemand, place_diagonal, rhs_outer, solve_lower,
                     solve_transposed,
                     tensordot_subscripts, triangle, undiag)
from .methods import same_method
from .special import not_differentiable
from .tangents import cumprod_jvp, mean_over_ties, norm_jvp, solve_product, within_bounds
from .transposes import (broadcast_back, fields_at, gathered, items_summed, repeat_back,
                         take_back)

# what a list or tuple display passed as an array operand is made (frontend/normalize.py)
as_array = np.array

__all__ = ['AliasingError', 'abs_slope', 'abs_slope_jvp', 'abs_slope_vjp', 'appended',
           'as_array',
           'boundary_widths', 'broadcast_back', 'broadcast_like', 'caller_unchanged',
           'cast_back', 'centered', 'changes_in_place', 'concrete', 'concatenated', 'conjugated',
           'concatenator_adjoints',
           'concatenator_pushed', 'cumprod_adjoint', 'cumprod_jvp', 'default_adjoint', 'dict_of',
           'dot_adjoint_x', 'dot_adjoint_y', 'dot_subscripts', 'einsum_adjoint',
           'einsum_adjoint_by_operands', 'einsum_adjoints', 'einsum_adjoints_by_operands',
           'einsum_form', 'einsum_pushed', 'field_adjoint', 'Fields', 'fields_of', 'filled',
           'fields_at', 'first_items', 'full_adjoint', 'gathered', 'got_adjoint', 'got_tangent',
           'hstack_axis', 'imag_adjoint', 'in_order', 'items_summed', 'in_order_adjoint',
           'in_order_tangent',
           'inner_subscripts', 'inverse_permutation', 'item_adjoint', 'kept_as', 'largest',
           'last_items', 'linspace_adjoints', 'lower_half', 'lu_permutation', 'lu_tangent',
           'lstsq_adjoints', 'lstsq_tangents',
           'matmul_adjoint_x', 'matmul_adjoint_y', 'mean_over_ties', 'merged', 'meshgrid_adjoint',
           'mT', 'norm_adjoint', 'norm_jvp', 'not_differentiable', 'OnDemand', 'pad_adjoint',
           'pad_constant_adjoint', 'Parts', 'piecewise_start', 'picked_adjoint', 'picked_tangent',
           'place_diagonal', 'placed_in_full', 'positive_log', 'prod_of_others', 'qr_adjoint',
           'qr_jvp', 'record_of_tangents', 'refresh',
           'refresh_adjoint_new', 'refresh_adjoint_refs', 'refresh_tangent', 'repeat_back',
           'repeat_to', 'reshaped', 'reverse_cumsum', 'rhs_outer', 'rollaxis_permutation',
           'row_out', 'rows_of', 'safe_div', 'same_method', 'scatter_add', 'select_adjoint',
           'set_at', 'sinc_slope', 'smallest', 'solve_lower', 'solve_product', 'solve_transposed',
           'sort_order',
           'spare', 'split_among_ties', 'split_like', 'split_ties_kept', 'spread_to_items',
           'stored',
           'svd_adjoint', 'svd_jvp', 'swap_item', 'take', 'take_back', 'tensordot_subscripts',
           'triangle', 'unblock', 'unbroadcast', 'unbroadcast_each', 'undelete', 'undiag', 'undiff',
           'unique_adjoint', 'unique_tangent', 'unpartition', 'unrepeat', 'unsort', 'unstack',
           'untake', 'untake_along_axis', 'untile', 'values_of', 'winner', 'within_bounds',
           'without', 'zero_tangent', 'zeros_like']
__all__ += ['adjoint_hook', 'Checkpoints', 'hook_adjoint', 'hook_result',
            'hook_zero']  # srcgrad's blocks (blocks.py)
