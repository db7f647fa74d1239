"""The persistent cache (issue 21): the fused code of a variant stored on disk is compiled
by a later process instead of running the passes, and an entry is never used once
anything it was made from changed (the function's file, a helper, a closure value, the
argument shapes) or when it is not whole."""

import importlib.util
import json
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from finite_diff import numerical_grad

import srcgrad
from srcgrad.pipeline import cache, persistent

HELPERS = '''
import numpy as np

def squash(z):
    return np.tanh(z)
'''

MAIN = '''
def loss(W, x):
    h = squash(x @ W)
    return np.sum(h * h) + np.sum(W ** 2)
'''

W = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
X = np.linspace(0.1, 1.2, 12).reshape(4, 3)


@pytest.fixture
def disk(tmp_path):
    """An empty cache directory, on; the cache of this process emptied before and after
    (a 'new process' is this one with nothing in memory)."""
    before = srcgrad.cache_dir(tmp_path / "cache")
    cache.forget_all()
    yield tmp_path / "cache"
    srcgrad.cache_dir(before)
    cache.forget_all()


@pytest.fixture
def passes_run(monkeypatch):
    """How many times the passes ran on `loss` since the fixture was made (a helper is
    transformed on its own too)."""
    count = [0]
    real = cache.transform

    def counting(func, *args, **kwargs):
        count[0] += func.__name__ == "loss"
        return real(func, *args, **kwargs)
    monkeypatch.setattr(cache, "transform", counting)
    return count


def _import(path, name):
    """Import the module file `path` as `name`, anew (an edited file is read again)."""
    sys.modules.pop(name, None)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _program(tmp_path, helpers=HELPERS, tag=""):
    """The module of `loss` (MAIN after `helpers`, then `tag`) written under tmp_path, the
    same file each time, and imported anew."""
    name = f"persist_{tmp_path.name[-12:]}".replace("-", "_")
    (tmp_path / f"{name}.py").write_text(helpers + MAIN + tag)
    return _import(tmp_path / f"{name}.py", name)


def _fresh_call(func):
    """The gradient as a new process's first call computes it: nothing in memory."""
    cache.forget_all()
    return srcgrad.grad(func, wrt="W")(W, X)


def _expected(func, w=W):
    return numerical_grad(func, [w, X], 0)


def _entries(folder):
    return sorted(p for p in folder.rglob("*.json") if not p.name.startswith(".tmp"))


def test_a_stored_variant_is_compiled_without_the_passes(tmp_path, disk, passes_run):
    main = _program(tmp_path)
    first = _fresh_call(main.loss)
    assert passes_run[0] == 1 and len(_entries(disk)) == 1
    again = _fresh_call(main.loss)
    assert passes_run[0] == 1  # from disk
    np.testing.assert_allclose(again, first, rtol=1e-12)
    np.testing.assert_allclose(again, _expected(main.loss), rtol=1e-6)
    g = srcgrad.grad(main.loss, wrt="W")
    for _ in range(3):  # the second call builds the entry; the same numbers through it
        np.testing.assert_allclose(g(W, X), first, rtol=1e-12)
    assert passes_run[0] == 1
    assert "def loss_grad" in g.source_for(W, X)  # the source: the passes run when asked
    assert passes_run[0] == 2


def test_a_changed_helper_is_never_read_from_a_stale_entry(tmp_path, disk, passes_run):
    main = _program(tmp_path)
    _fresh_call(main.loss)
    main = _program(tmp_path, HELPERS.replace("np.tanh(z)", "np.sin(z)"))
    got = _fresh_call(main.loss)
    assert passes_run[0] == 2
    np.testing.assert_allclose(got, _expected(main.loss), rtol=1e-6)


def test_an_edited_file_is_never_read_from_a_stale_entry(tmp_path, disk, passes_run):
    main = _program(tmp_path)
    _fresh_call(main.loss)
    main = _program(tmp_path, tag="\n# a comment changes nothing, but the file changed\n")
    _fresh_call(main.loss)
    assert passes_run[0] == 2
    main = _program(tmp_path, tag="\n# a comment changes nothing, but the file changed\n")
    _fresh_call(main.loss)
    assert passes_run[0] == 2  # the same file again: its entry


def test_other_shapes_and_rebound_names_are_other_variants(tmp_path, disk, passes_run):
    main = _program(tmp_path)
    _fresh_call(main.loss)
    cache.forget_all()
    got = srcgrad.grad(main.loss, wrt="W")(W[:, :1], X)
    assert passes_run[0] == 2
    np.testing.assert_allclose(got, _expected(main.loss, W[:, :1]),
                               rtol=1e-6)
    main.squash = np.sin  # rebound in the module: the stored code resolved `tanh`
    got = _fresh_call(main.loss)
    assert passes_run[0] == 3
    np.testing.assert_allclose(got, _expected(main.loss), rtol=1e-6)


def test_closure_values_are_part_of_the_key(tmp_path, disk, passes_run):
    text = "import numpy as np\n\ndef make(k):\n    def loss(W, x):\n" \
           "        return np.sum(np.tanh(x @ W) * k)\n    return loss\n"
    (tmp_path / "persist_closure.py").write_text(text)
    module = _import(tmp_path / "persist_closure.py", "persist_closure")
    twice, thrice = module.make(2.0), module.make(3.0)
    a, b = _fresh_call(twice), _fresh_call(thrice)
    assert passes_run[0] == 2
    np.testing.assert_allclose(b, 1.5 * a, rtol=1e-12)


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "not json"])
def test_a_damaged_entry_is_ignored_and_written_again(tmp_path, disk, passes_run, damage):
    main = _program(tmp_path)
    _fresh_call(main.loss)
    entry, = _entries(disk)
    data = entry.read_bytes()
    damaged = {"truncate": data[:len(data) // 2], "empty": b"",
               "flip": data.replace(b"tanh", b"sinh", 1), "not json": b"x\n{"}[damage]
    assert damaged != data
    entry.write_bytes(damaged)
    got = _fresh_call(main.loss)
    assert passes_run[0] == 2
    np.testing.assert_allclose(got, _expected(main.loss), rtol=1e-6)
    assert entry.read_bytes() == data  # written anew
    _fresh_call(main.loss)
    assert passes_run[0] == 2


def test_a_forged_entry_with_a_valid_checksum_still_checks_its_dependencies(
        tmp_path, disk, passes_run):
    main = _program(tmp_path)
    _fresh_call(main.loss)
    entry, = _entries(disk)
    payload = json.loads(entry.read_bytes().partition(b"\n")[2])
    payload["names"][0][1] = ["module", "math"]  # squash was something else
    raw = json.dumps(payload, sort_keys=True).encode()
    import hashlib
    entry.write_bytes(hashlib.sha256(raw).hexdigest().encode() + b"\n" + raw)
    _fresh_call(main.loss)
    assert passes_run[0] == 2


def test_concurrent_writers_leave_a_whole_entry(tmp_path):
    target = str(tmp_path / "ab" / "entry.json")
    payloads = [bytes([65 + k]) * 200_000 for k in range(4)]
    seen, stop = [], threading.Event()

    def write(data):
        for _ in range(25):
            persistent._write(target, data)

    def read():
        while not stop.is_set():
            try:
                with open(target, "rb") as file:
                    seen.append(file.read())
            except FileNotFoundError:
                pass
    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write, args=(p,)) for p in payloads]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    stop.set()
    reader.join()
    assert open(target, "rb").read() in payloads
    assert seen and all(s in payloads for s in seen)
    assert os.listdir(tmp_path / "ab") == ["entry.json"]  # no temporary file left


def test_an_unwritable_directory_only_costs_the_passes(tmp_path, passes_run):
    blocker = tmp_path / "file"
    blocker.write_text("")
    before = srcgrad.cache_dir(blocker / "cache")  # cannot be made: a file is in the way
    try:
        main = _program(tmp_path)
        got = _fresh_call(main.loss)
        np.testing.assert_allclose(got, _expected(main.loss), rtol=1e-6)
    finally:
        srcgrad.cache_dir(before)
        cache.forget_all()


_CHILD = """
import sys, numpy as np, srcgrad
from srcgrad.pipeline import cache
sys.path.insert(0, {folder!r})
from {name} import loss
W = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
X = np.linspace(0.1, 1.2, 12).reshape(4, 3)
g = srcgrad.grad(loss, wrt="W")
print(repr(g(W, X).tolist()), "|", [v.stored is None for v in cache.variants(loss).values()])
"""


def test_a_new_process_compiles_the_stored_source(tmp_path, disk):
    main = _program(tmp_path)
    made_here = _fresh_call(main.loss)
    env = dict(os.environ, SRCGRAD_CACHE_DIR=str(disk), PYTHONPATH=os.pathsep.join(sys.path))
    child = _CHILD.format(folder=str(tmp_path), name=main.__name__)
    got, loaded = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True,
                                 text=True, check=True).stdout.split("|")
    assert loaded.strip() == "[True]"
    np.testing.assert_allclose(np.array(eval(got)), made_here, rtol=1e-12)


def test_value_and_grad_and_error_notes_from_a_stored_variant(tmp_path, disk, passes_run):
    main = _program(tmp_path, tag="\nSCALE = 2.0\n\ndef scaled(W, x):\n"
                              "    return np.sum(np.tanh(x @ W)) * SCALE\n")
    expected = srcgrad.value_and_grad(main.loss, wrt="W")(W, X)
    cache.forget_all()
    value, got = srcgrad.value_and_grad(main.loss, wrt="W")(W, X)
    assert passes_run[0] == 1 and value == expected[0]
    np.testing.assert_allclose(got, expected[1], rtol=1e-12)
    _fresh_call(main.scaled)
    del main.SCALE
    cache.forget_all()
    g = srcgrad.grad(main.scaled, wrt="W")
    with pytest.raises(NameError) as raised:
        g(W, X)
    assert [v.stored is None for v in cache.variants(main.scaled).values()] == [True]
    if sys.version_info >= (3, 11):  # the note names the user's line, as when made
        assert "* SCALE" in "".join(raised.value.__notes__)
