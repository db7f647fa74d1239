"""The hostile aliasing programs of tests/alias_attack_programs.py (issue 18, second round),
each judged by tests/alias_oracles.py: NumPy's value, central finite differences, three
calls, vjp's general code, jvp, the inputs (an object argument's array too) unchanged.

Before this round (main at bdd5495), of these 113 programs 2 gave a silent wrong value
(rows of `reversed(m)` and parts of `np.split(h, 2)` updated through their list), 3 left
an object argument's array unchanged where NumPy changes it (`b = cfg.buf; b += x`), 7
crashed inside srcgrad (`[h] * 2` three ways, builtin max/min of an array twice,
np.clip(x, None, None), sorted(d.keys())), and 8 were refused that are now exact (dict
views read at once: sum(d.values()), tuple(d.items()); `h.astype(np.float64)` and
`np.r_[...]` taken for module data). Now each is exact or refused with a SrcGradError at
the user's line."""

import inspect

import alias_attack_programs as programs
import numpy as np
import pytest
from alias_oracles import judge

X = np.array([0.7, -1.2, 1.5, 0.3])

EXACT = [
    'add_at_repeated', 'astype_same_dtype_copy', 'atleast_1d_pair_updated', 'attribute_read_only',
    'boolean_mask_write', 'broadcast_arrays_read_after_write', 'broadcast_update_through_list',
    'builtin_max_of_list_then_update', 'builtin_max_of_vector', 'c_columns', 'clip_no_bounds',
    'closure_over_list_appended_later', 'closure_reads_updated', 'closure_writes_captured',
    'conditional_alias', 'copy_then_write_original', 'default_array_copied_then_written',
    'default_array_read', 'dict_comprehension_then_sum_of_values', 'dict_copy_shares_arrays',
    'dict_get_then_update', 'dict_holds_updated_by_setitem', 'dict_items_updated_in_loop',
    'dict_values_loop_updates', 'empty_array_updated', 'enumerate_then_update_item',
    'float32_update_through_list', 'generator_consumed_after_update', 'generator_of_rows',
    'generator_over_list_of_same', 'generator_over_updated', 'helper_bumps_in_loop',
    'helper_fills_argument', 'helper_pushes_to_list', 'helper_sets_dict_key',
    'helper_writes_and_returns_argument', 'helper_writes_item_of_list',
    'int_times_list_updated', 'lambda_in_loop_captures_updated',
    'list_concatenation_then_update', 'list_of_lists_appended_after_update',
    'list_of_rows_not_written', 'list_repeated_item_updated', 'list_repeated_then_updated',
    'list_slice_copy_then_update', 'loop_rebinding_versus_update',
    'module_array_copied_then_written', 'module_dict_item_copied_written',
    'module_dict_item_read', 'namedtuple_holds_updated', 'nested_def_reads_updated',
    'np_array_copy_false', 'r_of_views_then_write', 'r_with_range', 'r_written',
    'repeated_2d_index', 'repeated_index_array_index', 'repeated_index_minus_equals',
    'repeated_index_times_equals', 'repeated_negative_index', 'rows_then_max',
    'same_array_twice_updated', 'sorted_dict_keys_then_max_of_values', 'sorted_of_list_of_set',
    'split_parts_not_written', 'stack_after_update_of_held', 'sum_of_dict_values',
    'sum_of_listed_dict_values', 'swap_names', 'tuple_holds_updated', 'tuple_of_dict_items',
    'values_item_updated_in_place', 'values_listed_then_dict_updated', 'view_made_after_write',
    'while_loop_update_through_list', 'zero_d_update_through_list', 'zip_of_updated',
]

# refused with a SrcGradError at the user's line: the kind of refusal (alias_oracles)
REFUSED = {
    'array_split_part_written': 'refused:view',
    'attribute_augmented_through_alias': 'refused:caller-at-run-time',
    'attribute_of_argument_written': 'refused:caller',
    'dataclass_holds_updated': 'refused:other',
    'diagonal_view_read': 'refused:view',
    'dict_of_rows_updated': 'refused:caller',
    'dict_update_then_write': 'refused:other',
    'dict_values_list_then_update': 'refused:caller',
    'enumerate_rows_updated': 'refused:view',
    'expand_dims_written': 'refused:view',
    'helper_writes_argument_x': 'refused:caller',
    'helper_writes_view_argument': 'refused:view',
    'holder_made_here_field_updated': 'refused:other',
    'inplace_ufunc_out': 'refused:other',
    'list_extend_then_update': 'refused:other',
    'list_item_setitem_through_index': 'refused:other',
    'loop_over_rows_setitem': 'refused:view',
    'loop_over_rows_updates': 'refused:view',
    'module_view_written': 'refused:caller',
    'mutable_default_array': 'refused:caller-at-run-time',
    'mutable_default_list': 'refused:caller',
    'nested_list_item_augmented': 'refused:other',
    'object_attribute_item_in_list': 'refused:caller-at-run-time',
    'object_attribute_plus_equals': 'refused:caller-at-run-time',
    'ravel_then_write': 'refused:view',
    'reversed_rows_updated': 'refused:view',
    'rows_then_base_written': 'refused:view',
    'split_parts_updated': 'refused:view',
    'squeeze_then_write': 'refused:view',
    'swapaxes_written': 'refused:view',
    'transpose_of_reshape_written': 'refused:view',
    'unpacked_rows_updated': 'refused:view',
    'view_of_view_read_after_write': 'refused:view',
    'view_then_augment_base': 'refused:view',
    'write_through_view_of_view': 'refused:view',
    'zip_rows_updated': 'refused:view',
}


P = {"a": np.array([0.3, 0.5]), "b": np.array([1.2, -0.3])}


def _arguments(f) -> list:
    params = list(inspect.signature(f).parameters)
    if params[0] == "p":  # a dict of arrays
        return [{k: v.copy() for k, v in P.items()}]
    return [X.copy(), programs.Cfg()][:len(params) - (f.__defaults__ is not None)]


def _judge(name):
    f = getattr(programs, name)
    args = _arguments(f)
    if len(args) == 2:  # an object holding an array
        return judge(f, args, wrt=[0], forward=False)
    return judge(f, args)


def test_every_program_is_listed():
    names = {n for n, f in vars(programs).items()
             if inspect.isfunction(f) and f.__module__ == programs.__name__
             and not n.startswith("_")}
    assert names == set(EXACT) | set(REFUSED)


@pytest.mark.parametrize("name", EXACT)
def test_exact(name):
    outcome = _judge(name)
    assert outcome.kind == "ok", str(outcome)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_at_the_users_line(name):
    outcome = _judge(name)
    assert outcome.kind == REFUSED[name], str(outcome)
    import srcgrad
    f = getattr(programs, name)
    args = _arguments(f)
    with pytest.raises(srcgrad.SrcGradError) as caught:
        srcgrad.grad(f, wrt=0)(*args)
    assert "alias_attack_programs.py" in str(caught.value), str(caught.value)  # its line


def test_an_object_argument_s_array_is_left_as_numpy_would_or_refused():
    import srcgrad
    cfg = programs.Cfg()
    with pytest.raises(srcgrad.SrcGradError, match="caller's data"):
        srcgrad.grad(programs.object_attribute_plus_equals, wrt=0)(X.copy(), cfg)
    assert np.array_equal(cfg.buf, np.zeros(4))


def test_a_default_array_is_never_changed():
    import srcgrad
    before = programs.mutable_default_array.__defaults__[0].copy()
    with pytest.raises(srcgrad.SrcGradError):
        srcgrad.grad(programs.mutable_default_array)(X.copy())
    assert np.array_equal(programs.mutable_default_array.__defaults__[0], before)
