"""The cache of what the pipeline made: re-entrant and thread-safe, and it does not grow
when functions are redefined."""

import gc
import linecache
import threading

import numpy as np
from finite_diff import numerical_grad
from source_files import load

import srcgrad
from srcgrad import grad, value_and_grad


# --- re-entrant and thread-safe --------------------------------------------------------


def recurrent(W, b, xs, threshold):
    h = np.zeros(W.shape[0])
    for t in range(xs.shape[0]):
        pre = W @ h + xs[t] + b
        if np.sum(pre) > threshold:
            h = np.tanh(pre)
        else:
            h = 0.5 * np.sin(pre)
    k = 0
    while k < 3:
        h = h * 0.9 + 0.05
        k = k + 1
    return np.sum(h ** 2)


def _recurrent_inputs(seed):
    r = np.random.default_rng(seed)
    return (r.normal(size=(4, 4)) * 0.5, r.normal(size=4) * 0.1, r.normal(size=(12, 4)),
            float(r.normal()))


def test_one_cached_gradient_from_8_threads_matches_sequential_results():
    g = value_and_grad(recurrent, wrt=(0, 1))
    inputs = [_recurrent_inputs(seed) for seed in range(8)]
    expected = [g(*args) for args in inputs]
    results = [[] for _ in inputs]
    barrier = threading.Barrier(len(inputs))

    def work(i):
        barrier.wait()
        for _ in range(25):
            results[i].append(g(*inputs[i]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for want, got in zip(expected, results):
        assert len(got) == 25
        for value, (dW, db) in got:
            assert value == want[0]
            np.testing.assert_array_equal(dW, want[1][0])
            np.testing.assert_array_equal(db, want[1][1])


def test_first_calls_from_8_threads_compile_once_and_agree(tmp_path):
    mod = load(tmp_path, "import numpy as np\n\n\ndef helper(w, x):\n"
                         "    return np.tanh(w * x)\n\n\ndef f(w, x):\n"
                         "    s = 0.0\n    for i in range(5):\n"
                         "        s = s + np.sum(helper(w, x) * i)\n"
                         "    return s\n")
    g = grad(mod.f)  # not compiled yet: every thread races to compile it
    inputs = [(np.full(3, 0.1 * i), np.arange(3.0)) for i in range(8)]
    results = [None] * 8
    barrier = threading.Barrier(8)

    def work(i):
        barrier.wait()
        results[i] = g(*inputs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for args, got in zip(inputs, results):
        np.testing.assert_allclose(got, numerical_grad(mod.f, args, 0), rtol=1e-6, atol=1e-8)
    assert len(srcgrad.pipeline.variants(mod.f)) == 1  # one version: the shapes of all 8 calls


class _ReentrantHook:
    """`len(hook)` inside the differentiated function calls the same gradient again."""

    def __init__(self):
        self.depth = 0
        self.nested = []

    def __len__(self):
        if self.depth == 0:
            self.depth += 1
            try:
                self.nested.append(REENTRANT(np.array([0.25, -0.5]), self))
            finally:
                self.depth -= 1
        return 1


def reentrant_loss(x, hook):
    s = 0.0
    for i in range(3):
        s = s + np.sum(np.sin(x) * x) * len(hook)
    return s


REENTRANT = grad(reentrant_loss)


def test_the_generated_code_is_reentrant():
    x = np.array([1.0, 2.0])
    hook = _ReentrantHook()
    outer = REENTRANT(x, hook)
    inner_x = np.array([0.25, -0.5])
    np.testing.assert_allclose(outer, 3 * (np.cos(x) * x + np.sin(x)))
    assert len(hook.nested) == 3
    for nested in hook.nested:
        np.testing.assert_allclose(nested, 3 * (np.cos(inner_x) * inner_x + np.sin(inner_x)))


# --- the cache does not grow without bound ---------------------------------------------

_CLOSURE_SOURCE = """import numpy as np


def make(c):
    def f(x):
        return np.sum(c * x * x)
    return f
"""

_MODULE_SOURCE = """import numpy as np


def f(x, c):
    return np.sum(c * x * x)
"""


def _cache_size():
    gc.collect()
    return srcgrad.pipeline.cached_functions()


def test_redefined_closures_do_not_grow_the_cache(tmp_path):
    mod = load(tmp_path, _CLOSURE_SOURCE)
    x = np.ones(3)
    start = _cache_size()
    for i in range(200):
        f = mod.make(float(i))
        assert grad(f)(x)[0] == 2.0 * i
    del f
    assert _cache_size() - start <= 5


def test_reexecuting_a_module_does_not_grow_the_cache(tmp_path):
    mod = load(tmp_path, _MODULE_SOURCE)
    code = compile(_MODULE_SOURCE, mod.__file__, "exec")
    x = np.ones(3)
    start = _cache_size()
    for i in range(200):
        exec(code, mod.__dict__)  # redefines mod.f, as a reload or a notebook cell does
        assert grad(mod.f, wrt=0)(x, float(i))[0] == 2.0 * i
    assert _cache_size() - start <= 5


def test_redefinitions_do_not_grow_linecache(tmp_path):
    mod = load(tmp_path, _CLOSURE_SOURCE)
    x = np.ones(3)
    gc.collect()
    start = len(linecache.cache)
    for i in range(200):
        grad(mod.make(float(i)))(x)
    gc.collect()
    assert len(linecache.cache) - start <= 5
