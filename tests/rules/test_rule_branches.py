"""Every branch of every rule template is reached by the rule's own examples, and every
option it reads (a parameter with a default: `axis`, `ddof`, `keepdims`, `a_min`) is given
there a value other than its default by at least one of them.

A template's `if`s on constant arguments are decided while the code is generated
(ad/templates.py); `templates.recording_blocks` lists the blocks each example's code was
built from. A branch no example reaches, or an option read only at its default, is code
the finite-difference tests of test_rules.py and test_tangents.py never check: a planted
bug there (`np.std(x, ddof=1)` without an axis, `x.clip(max=...)` without a lower bound)
gave a wrong gradient with every test green. An `if` left to run time (an operand that is
a variable) counts for neither of its branches, since which one ran is not known.
"""

import inspect

import gast
import numpy as np
import pytest
from rule_examples import inputs, module_for

import srcgrad
from srcgrad.ad import templates
from srcgrad.rules import RULES


def _rules():
    return list({id(r): r for r in RULES.values()
                 if (r.template or r.tangent).__module__.startswith("srcgrad.rules.")}.values())


def _templates(rule):
    """(function, parsed body) of the rule's adjoint and tangent templates."""
    if rule.template is not None:
        yield rule.template, rule.body, False
    if rule.tangent is not None:
        yield rule.tangent, rule.tangent_body, True


def _run(rule, example, tmp_path):
    """Differentiate the example both ways the rule supports (its templates are
    instantiated while the code is generated)."""
    module, _ = module_for(example, tmp_path)
    args = inputs(example)
    wrt = tuple(range(len(example.shapes)))
    if rule.template is not None:
        out = module.value(*args)
        w_out = np.ones(np.shape(out)) if np.ndim(out) else 1.0
        srcgrad.grad(module.f, wrt=wrt)(*args, w_out)
    if rule.tangent is not None:
        tangent = tuple(np.ones(np.shape(args[i])) if np.ndim(args[i]) else 1.0 for i in wrt)
        srcgrad.jvp(module.value, wrt=wrt)(*args, tangent=tangent)


@pytest.fixture(scope="module")
def reached(tmp_path_factory):
    """{(id of a template function, id of a block of its statements): [bindings]}."""
    tmp_path = tmp_path_factory.mktemp("branches")
    found = {}
    with templates.recording_blocks() as blocks:
        for rule in _rules():
            for example in rule.examples:
                _run(rule, example, tmp_path)
    for function, block, binding in blocks:
        found.setdefault((id(function), id(block)), []).append(binding)
    return found


def _branches(function, body, tangent):
    """[(where, block of the prepared template, parsed block)] of every branch of the
    template, the body first. The prepared template (ad/templates.py) is a copy of the
    parsed one without positions: the two are walked side by side."""
    prepared_body = templates._prepared(_rule_of(function), tangent)[2]
    out = [(_where(function, body[0]), prepared_body, body)]
    pairs = zip(gast.walk(gast.Module(body=body, type_ignores=[])),
                gast.walk(gast.Module(body=prepared_body, type_ignores=[])))
    for parsed, prepared in pairs:
        if isinstance(parsed, gast.If):
            where = _where(function, parsed)
            out.append((f"{where}, `if` true", prepared.body, parsed.body))
            out.append((f"{where}, `if` false", prepared.orelse, parsed.orelse))
    return out


def _where(function, node) -> str:
    """file:line of a template's statement; a derived tangent (rules/derive.py) has none."""
    try:
        first = inspect.getsourcelines(function)[1] - 1
    except OSError:
        return f"{function.__name__} (derived from the adjoint)"
    path = inspect.getsourcefile(function).rsplit("srcgrad/", 1)[-1]
    if getattr(node, "lineno", None) is None:  # a statement a form wrote (rules/forms.py)
        return f"srcgrad/{path}:{first + 1} ({function.__name__}, as its form writes it)"
    return f"srcgrad/{path}:{first + node.lineno} ({function.__name__})"


def _rule_of(function):
    return next(r for r in _rules() if function in (r.template, r.tangent))


def _options_read(function, block) -> set:
    """Parameters with a default that the block's own statements read (its `if` tests
    decide branches, counted as such)."""
    defaults = {name for name, p in inspect.signature(function).parameters.items()
                if p.default is not inspect.Parameter.empty}
    names = {node.id for stmt in block if not isinstance(stmt, gast.If)
             for node in gast.walk(stmt) if isinstance(node, gast.Name)}
    return names & defaults


def _given(value, default) -> bool:
    """Is the bound operand something other than the parameter's default?"""
    return not (isinstance(value, gast.Constant) and type(value.value) is type(default)
                and value.value == default)


# Rules whose examples cannot reach every branch: convolve2d's other boundaries refuse a
# gradient (its tangent is linear in any boundary).
NOT_YET = {'convolve2d'}


def _param(rule):
    if rule.name in NOT_YET:
        return pytest.param(rule, marks=pytest.mark.xfail(
            strict=True, reason="examples miss a branch or option"))
    return rule


@pytest.mark.parametrize("rule", [_param(r) for r in _rules()],
                         ids=lambda rule: getattr(rule, "name", None))
def test_examples_reach_every_branch_and_option(rule, reached):
    missing = []
    for function, body, tangent in _templates(rule):
        signature = inspect.signature(function).parameters
        for where, block, parsed in _branches(function, body, tangent):
            bindings = reached.get((id(function), id(block)), [])
            if not bindings:
                missing.append(f"{where}: no example reaches this branch")
                continue
            for option in sorted(_options_read(function, parsed)):
                default = signature[option].default
                if not any(_given(b[option], default) for b in bindings
                           if not isinstance(b[option], tuple)):
                    missing.append(f"{where}: `{option}` is left at its default ({default!r}) "
                                   "by every example reaching this branch")
    assert not missing, "add examples to the rule:\n" + "\n".join(missing)


def test_a_rule_whose_examples_miss_a_branch_fails(reached, tmp_path):
    """The check itself: np.var without its `axis=None` examples misses that branch."""
    var = RULES[np.var]
    kept = [e for e in var.examples if "axis" not in e.expr]
    assert kept and len(kept) < len(var.examples)
    with templates.recording_blocks() as blocks:
        for example in [e for e in var.examples if "axis" in e.expr]:
            _run(var, example, tmp_path)
    found = {(id(f), id(b)) for f, b, _ in blocks}
    branches = _branches(var.template, var.body, False)
    true_branch = next(block for where, block, _ in branches if where.endswith("`if` true"))
    assert (id(var.template), id(true_branch)) not in found
    assert (id(var.template), id(true_branch)) in reached
