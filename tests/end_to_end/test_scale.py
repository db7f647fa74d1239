"""Large functions: a 1000-statement function is transformed in reasonable time."""

import time

import numpy as np
import pytest
from finite_diff import assert_grads_match
from source_files import load

from srcgrad import grad

pytestmark = pytest.mark.slow  # a quick run skips them: pytest -m 'not slow'


# --- a very long function ---------------------------------------------------------------------


def test_a_1000_statement_function(tmp_path, capsys):
    r = np.random.default_rng(1)
    lines = ["import numpy as np", "", "", "def f(x):", "    v0 = x"]
    for i in range(1, 1000):
        j = int(r.integers(0, i))
        lines.append(f"    v{i} = v{i - 1} * 0.999 + v{j} * 0.001" if i % 2 else
                     f"    v{i} = np.sin(v{i - 1}) + 0.1 * v{j}")
    lines.append("    return np.sum(v999)")
    mod = load(tmp_path, "\n".join(lines) + "\n", "long")
    start = time.perf_counter()
    g = grad(mod.f)
    g.source  # noqa: B018 (the transformation)
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(f"\n[srcgrad] transforming a 1000-statement function took {elapsed:.2f} s")
    x = np.array([0.3, -0.2])
    assert_grads_match(mod.f, (g(x),), (x,), (0,))
    assert elapsed < 60.0
