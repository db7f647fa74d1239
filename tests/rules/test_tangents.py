"""Every tangent (forward-mode) rule, checked on its rule's own examples.

For each example, generated from the registry:
- the jvp agrees with central finite differences along a random direction v;
- forward and reverse mode agree: <u, J v> == <J^T u, v> for random u and v
  (the jvp of the tangent rule against the vjp of the adjoint rule).
A rule without a tangent must be listed in NO_FORWARD_MODE, where forward mode
raises a SrcGradError naming it.
"""

import importlib.util
import itertools

import numpy as np
import pytest
from rule_examples import inputs as _inputs, module_for as _module_for

import srcgrad
from srcgrad.rules import RULES
from srcgrad.rules.registry import display_name

_counter = itertools.count()

# Rules whose forward mode is not supported (yet): forward mode refuses them by name.
NO_FORWARD_MODE = set()


def _rules():
    return list({id(r): r for r in RULES.values()
                 if (r.template or r.tangent).__module__.startswith("srcgrad.rules.")}.values())


def _cases():
    for rule in _rules():
        if rule.tangent is None:
            continue
        for i, example in enumerate(rule.examples):
            yield pytest.param(rule, example, id=f"{rule.name}-{i}-{example.expr}")


def _direction(x, rng):
    v = rng.normal(size=np.shape(x))
    return float(v) if np.ndim(x) == 0 else v


def _flat(value) -> np.ndarray:
    """Outputs as one float vector (tuples and lists of arrays concatenated)."""
    if isinstance(value, (list, tuple)):
        return np.concatenate([_flat(v) for v in value]) if value else np.zeros(0)
    return np.ravel(np.asarray(value, dtype=float))


def _pushed(example, tmp_path, rng):
    """(module, inputs, number of differentiated inputs, directions, value, tangent)."""
    module, _ = _module_for(example, tmp_path)
    args = _inputs(example)
    n = len(example.shapes)
    vs = [_direction(x, rng) for x in args[:n]]
    value, tangent = srcgrad.jvp(module.value, wrt=tuple(range(n)))(*args, tangent=tuple(vs))
    return module, args, n, vs, value, tangent


@pytest.mark.parametrize("rule, example", list(_cases()))
def test_tangent_matches_finite_differences(rule, example, tmp_path):
    module, args, n, vs, value, tangent = _pushed(example, tmp_path, np.random.default_rng(2))
    np.testing.assert_allclose(_flat(value), _flat(module.value(*args)), rtol=1e-12, atol=1e-12)
    h = 1e-6
    plus = module.value(*[x + h * v for x, v in zip(args[:n], vs)], *args[n:])
    minus = module.value(*[x - h * v for x, v in zip(args[:n], vs)], *args[n:])
    numeric = (_flat(plus) - _flat(minus)) / (2 * h)
    np.testing.assert_allclose(_flat(tangent), numeric, rtol=1e-5, atol=1e-6,
                               err_msg=f"{rule.name}: {example.expr}")


@pytest.mark.parametrize("rule, example", [c for c in _cases() if c.values[0].template])
def test_forward_and_reverse_mode_agree(rule, example, tmp_path):
    """<u, J v> == <J^T u, v>: the tangent rule is the transpose of the adjoint rule."""
    rng = np.random.default_rng(3)
    module, args, n, vs, value, tangent = _pushed(example, tmp_path, rng)
    if isinstance(value, (list, tuple)):
        pytest.skip("a container result: the finite-difference test covers it")
    u = _direction(value, rng)
    _, pullback = srcgrad.vjp(module.value, *args, wrt=tuple(range(n)))
    grads = pullback(u)
    forward = float(np.sum(np.asarray(u) * np.asarray(tangent)))
    reverse = sum(float(np.sum(np.asarray(g) * np.asarray(v))) for g, v in zip(grads, vs))
    assert forward == pytest.approx(reverse, rel=1e-9, abs=1e-9), rule.name


# Container updates: one term reads several tangents, since a sum of lists concatenates.
JOINT_TERMS = {"set_at_rule", "appended_rule", "refresh_rule", "swap_item_rule", "merged_rule",
               "concatenated_rule", "get",
               "logsumexp",  # (with return_sign=True: a list of the value and its sign)
               "append", "select", "lstsq"}  # (of all tangents at once: zeros for the absent ones)


def test_every_rule_has_a_tangent_or_is_listed():
    missing = sorted(r.name for r in _rules()
                     if r.tangent is None and r.name not in NO_FORWARD_MODE)
    assert missing == []


def test_tangent_templates_are_sums_of_terms_linear_in_one_tangent():
    """Each term of `t[z] = ...` reads exactly one parameter's tangent, and rules with an
    adjoint take the same parameters in both templates."""
    import gast

    from srcgrad.rules.registry import is_tangent_ref
    import inspect
    for rule in _rules():
        if rule.tangent is None:
            continue
        if rule.template is not None:
            assert inspect.signature(rule.tangent) == inspect.signature(rule.template), rule.name
            read = {r.slice.id for r in gast.walk(gast.Module(body=rule.tangent_body,
                                                               type_ignores=[]))
                    if is_tangent_ref(r) and isinstance(r.ctx, gast.Load)}
            # a parameter with an adjoint but no tangent term would silently get zero
            assert read == rule.differentiable, (rule.name, read, rule.differentiable)
        for node in gast.walk(gast.Module(body=rule.tangent_body, type_ignores=[])):
            if isinstance(node, gast.Assign) and is_tangent_ref(node.targets[0]):
                terms = []

                def split(n):
                    if isinstance(n, gast.BinOp) and isinstance(n.op, (gast.Add, gast.Sub)):
                        split(n.left)
                        split(n.right)
                    else:
                        terms.append(n)
                split(node.value)
                for term in terms:
                    refs = {r.slice.id for r in gast.walk(term) if is_tangent_ref(r)}
                    assert len(refs) == 1 or (refs and rule.name in JOINT_TERMS), \
                        f"{rule.name}: a term reads tangents {refs or 'none'}"


@pytest.mark.parametrize("name", sorted(NO_FORWARD_MODE))
def test_rules_without_forward_mode_are_refused_by_name(name, tmp_path):
    rule = next(r for r in _rules() if r.name == name)
    example = rule.examples[0]
    module, _ = _module_for(example, tmp_path)
    args = _inputs(example)
    n = len(example.shapes)
    key = next(k for k, r in RULES.items() if r is rule)
    with pytest.raises(srcgrad.SrcGradError, match="no forward-mode"):
        srcgrad.jvp(module.value, wrt=tuple(range(n)))(*args, tangent=tuple(args[:n]))
    assert display_name(key)


# Programs the rules' one-line examples cannot express: containers built up in variables,
# element assignment, bounds that are variables, ties, zeros in a running product.
_PROGRAMS = {
    "tuple in a variable": ("p = (x, y * 2.0)\n    return np.stack(p)", {"x": (3,), "y": (3,)}),
    "list.append": ("l = []\n    l.append(x)\n    l.append(y * 2.0)\n    l.append(x * y)\n"
                    "    return np.stack(l)", {"x": (3,), "y": (3,)}),
    "item assignment": ("h = np.zeros((3, 2))\n    h[0] = x\n    h[1:, 1] = y\n"
                        "    h[2] = h[2] + x * y\n    return h", {"x": (2,), "y": (2,)}),
    "clip, variable bounds": ("a, b = -0.2 - lo * lo, 0.2 + hi * hi\n"
                              "    return np.clip(x, a, b) + x.clip(min=a) + np.clip(x, None, b)",
                              {"x": (3, 4), "lo": (4,), "hi": (3, 1)}),
    "max and min with ties": ("a = np.stack([x, x, -x])\n"
                              "    return np.max(a, axis=0) + np.min(np.concatenate([x, x]))",
                              {"x": (3,)}),
    "cumprod with zeros": ("y = x * np.array([1.0, 0.0, 1.0, 0.0])\n"
                           "    return np.cumprod(y) + np.cumprod(y.reshape(2, 2), axis=1).ravel()",
                           {"x": (4,)}),
    "slogdet unpacked": ("s, l = np.linalg.slogdet(a + 2 * np.eye(3))\n    return l * s",
                         {"a": (3, 3)}),
    "std of a constant": ("return np.std(x * 0.0 + 1.0, axis=0) + np.std(x, axis=1)",
                          {"x": (3, 3)}),
    "einsum with a constant": ("return np.einsum('ij,jk->ik', x, np.ones((3, 2)))", {"x": (2, 3)}),
    "solve, batched a, vector b": ("return np.linalg.solve(a + 3 * np.eye(3), b)",
                                   {"a": (2, 3, 3), "b": (3,)}),
}


@pytest.mark.parametrize("name", sorted(_PROGRAMS))
def test_tangents_of_programs(name, tmp_path):
    body, shapes = _PROGRAMS[name]
    names = sorted(shapes)
    path = tmp_path / f"tangent_program_{next(_counter)}.py"
    path.write_text(f"import numpy as np\n\n\ndef value({', '.join(names)}):\n    {body}\n")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = np.random.default_rng(4)
    args = [rng.uniform(-1.5, 1.5, size=shapes[n]) for n in names]
    vs = [rng.normal(size=shapes[n]) for n in names]
    wrt = tuple(range(len(names)))
    value, tangent = srcgrad.jvp(module.value, wrt=wrt)(*args, tangent=tuple(vs))
    np.testing.assert_allclose(value, module.value(*args), rtol=1e-12)
    h = 1e-6
    numeric = (module.value(*[x + h * v for x, v in zip(args, vs)])
               - module.value(*[x - h * v for x, v in zip(args, vs)])) / (2 * h)
    np.testing.assert_allclose(tangent, numeric, rtol=1e-5, atol=1e-6, err_msg=name)
    u = rng.normal(size=np.shape(value))
    _, pullback = srcgrad.vjp(module.value, *args, wrt=wrt)
    reverse = sum(float(np.sum(g * v)) for g, v in zip(pullback(u), vs))
    assert float(np.sum(u * tangent)) == pytest.approx(reverse, rel=1e-9, abs=1e-9), name
