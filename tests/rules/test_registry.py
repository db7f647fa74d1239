"""The registry, and docs/supported.md generated from it."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest


# --- docs/supported.md is generated from the registry ------------------------------------


@pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) < "2.0.0",
                    reason="the page is generated with NumPy 2, whose aliases differ")
def test_supported_page_is_up_to_date():
    path = Path(__file__).resolve().parents[2] / "tools" / "gen_supported.py"
    spec = importlib.util.spec_from_file_location("gen_supported", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.PAGE.read_text() == module.render(), \
        "docs/supported.md is out of date: run python tools/gen_supported.py"


# --- names in messages ----------------------------------------------------------------------


def test_a_function_found_in_no_public_namespace_is_named_by_its_module():
    from srcgrad.rules.registry import display_name

    def helper():
        pass

    helper.__module__ = "package._private.module"
    assert display_name(helper) == "package.module.helper"  # private parts left out
    unnamed = np.frompyfunc(abs, 1, 1)  # a ufunc has no module: NumPy's
    assert display_name(unnamed) == f"numpy.{unnamed.__name__}"
    assert display_name(np.exp) == "numpy.exp" and display_name(("method", "sum")) == ".sum()"


def test_close_matches_are_rules_of_similar_names():
    from srcgrad.rules.registry import close_matches

    def expm2(x):
        pass

    assert close_matches(expm2) == ["scipy.linalg.expm", "numpy.exp2", "scipy.special.exp2",
                                    "math.expm1"]
    assert close_matches(np.nextafter) == []  # nothing alike: no list of every rule


def test_refusals_suggest_functions_of_the_same_library():
    """Every public function of the libraries srcgrad knows that has no rule: its close
    matches are of its own library (numpy.linalg's for scipy.linalg's; never numpy.triu for
    scipy.special.struve), and never a helper only generated code calls."""
    import importlib

    import scipy.special

    from srcgrad.rules.registry import (DEFINITIONS, NONDIFFERENTIABLE, PUBLIC_MODULES,
                                        RULES, library_family, close_matches, display_name)
    wrong, suggested = [], 0
    for module_name, _ in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in dir(module):
            obj = getattr(module, name)
            if name.startswith("_") or not callable(obj) or isinstance(obj, type):
                continue
            try:
                if obj in RULES or obj in DEFINITIONS or obj in NONDIFFERENTIABLE:
                    continue
            except TypeError:  # unhashable
                continue
            matches = close_matches(obj)
            suggested += bool(matches)
            wanted = display_name(obj)
            wrong += [(wanted, m) for m in matches if library_family(m) != library_family(wanted)]
    assert wrong == []
    assert suggested > 50
    assert close_matches(scipy.special.struve) == []
    assert close_matches(np.linalg.eig) == ["numpy.linalg.eigh", "scipy.linalg.eigh"]
