"""Every rule's examples (tests/rules/test_rules.py) with their arrays as the duck-array
test double of tests/duck_double.py, which raises on every conversion to NumPy. Each
example ends one of three ways: its gradient, of the double's kind and equal to finite
differences; a SrcGradError (a helper srcgrad has only for NumPy, named at the user's
line); or a conversion inside a call the user wrote (SciPy's functions, np.r_, np.asarray
convert their arguments, also where srcgrad's definition of one calls SciPy). Never a conversion, nor a crash, inside srcgrad's own helpers
or definitions: the portable code is portable."""

import math
import pathlib
import traceback
import warnings

import numpy as np
from duck_double import Converted, Duck, values
from finite_diff import assert_grads_match
from rule_examples import cases, seeded

import srcgrad
from srcgrad.errors import SrcGradError

SRCGRAD = str(pathlib.Path(srcgrad.__file__).parent)
CALLING = (f"{SRCGRAD}/api/", f"{SRCGRAD}/pipeline/")  # the layers that run the code
USERS = " from rule_case_"  # the generated code of the examples' own modules


def _inside_srcgrad(exc) -> list:
    """The frames of srcgrad's helpers (runtime, rules) or of the code generated from
    srcgrad's own definitions (np.quantile, np.interp, ...) `exc` went through."""
    frames = traceback.extract_tb(exc.__traceback__)
    return [f"{pathlib.Path(f.filename).name}:{f.lineno} {f.name}" for f in frames
            if (f.filename.startswith(SRCGRAD) and not f.filename.startswith(CALLING))
            or (f.filename.startswith("<srcgrad ") and USERS not in f.filename)]


def _scipy_converts(exc, expr) -> bool:
    """A SciPy function the example calls converted its argument (srcgrad's definition of
    it, scipy.linalg.cho_factor's say, calls SciPy as the user's code would)."""
    return isinstance(exc, Converted) and "scipy." in expr and any(
        "/scipy/" in f.filename for f in traceback.extract_tb(exc.__traceback__))


def _ducks(args):
    return [Duck(a) if isinstance(a, np.ndarray) else a for a in args]


def test_rule_examples_on_the_duck_double(tmp_path):
    outcomes, inside, wrong = {"gradient": 0, "refused": 0, "user's call": 0}, [], []
    for case in cases():
        rule, example = case.values
        module, args, wrt = seeded(example, tmp_path)
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                grads = srcgrad.grad(module.f, wrt=wrt)(*_ducks(args))
        except SrcGradError:
            outcomes["refused"] += 1
            continue
        except Exception as exc:  # noqa: BLE001 (a Converted, or a crash: whose is it?)
            frames = _inside_srcgrad(exc)
            if frames and not _scipy_converts(exc, example.expr):
                inside.append((case.id, f"{type(exc).__name__}: {exc}"[:120], frames[-2:]))
            else:
                outcomes["user's call"] += 1
            continue
        grads = grads if isinstance(grads, tuple) else (grads,)
        try:
            assert all(type(g) is Duck or np.ndim(g) == 0 and not isinstance(g, np.ndarray)
                       for g in grads if not isinstance(g, (list, dict))), "not a Duck"
            assert_grads_match(module.f, values(grads), args, wrt)
        except (AssertionError, Converted) as exc:
            wrong.append((case.id, str(exc).strip().splitlines()[0][:120]))
        outcomes["gradient"] += 1
    assert inside == []
    assert wrong == []
    # most examples run to their gradient: this test does walk the registry
    assert outcomes["gradient"] > 0.8 * math.fsum(outcomes.values()), outcomes
