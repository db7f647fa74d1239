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
