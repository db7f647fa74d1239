"""codegen: readable generated source, that compiles, and tracebacks that show it."""

import ast
import inspect
import linecache
import traceback

import gast
import numpy as np
import pytest
from finite_diff import right_or_refused
from source_files import load

import srcgrad
from srcgrad import runtime
from srcgrad import grad
from srcgrad.backend import codegen
from srcgrad.ir import build


def loss(w, b, x, y):
    yhat = w * x + b
    err = yhat - y
    if np.mean(err) > 0:
        err = err * 2.0
    return np.mean(err ** 2)


def golden_loss_source():
    first = inspect.getsourcelines(loss)[1]  # the `def loss` line
    return f"""\
def loss_forward(w, b, x, y):
    # forward sweep: the original computation
    t1 = w * x
    yhat = t1 + b
    err = yhat - y
    t2 = np.mean(err)
    cond = t2 > 0
    if cond:
        err_1 = err * 2.0
    else:
        err_1 = err
    t3 = err_1 ** 2
    loss = np.mean(t3)
    return (loss, (w, b, x, t1, yhat, cond, err_1, t3))


def loss_backward(d_loss, w, b, x, t1, yhat, cond, err_1, t3):
    # backward sweep: adjoints in reverse order
    # line {first + 5}: return np.mean(err ** 2)
    d_t3 = np.full_like(t3, d_loss / max(np.size(t3), 1))
    d_err_1 = d_t3 * 2 * err_1
    if cond:
        # line {first + 4}: err = err * 2.0
        d_err = d_err_1 * 2.0
    else:
        d_err = d_err_1
    # line {first + 2}: err = yhat - y
    d_yhat = unbroadcast(d_err, yhat)
    # line {first + 1}: yhat = w * x + b
    d_t1 = unbroadcast(d_yhat, t1)
    d_b = unbroadcast(d_yhat, b)
    d_w = unbroadcast(d_t1 * x, w)
    return (d_w, d_b)
"""


W = np.array([0.5, -1.0, 2.0])
X = np.array([1.0, 2.0, 3.0])
Y = np.array([0.0, 1.0, -1.0])


def test_golden_source_of_loss():
    g = srcgrad.grad(loss, wrt=("w", "b"))
    assert g.source == golden_loss_source()


def test_generated_source_is_valid_python():
    source = srcgrad.grad(loss, wrt=("w", "b")).source
    compile(source, "<generated>", "exec")
    tree = ast.parse(source)
    assert [f.name for f in tree.body] == ["loss_forward", "loss_backward"]


@pytest.mark.parametrize("b, expected_w, expected_b", [
    # mean(err) > 0: err doubled, loss = mean(4 err^2), d/dw_i = 8/3 err_i x_i
    (0.3, 8 / 3 * np.array([0.8, -2.7 * 2.0, 7.3 * 3.0]), 8 / 3 * (0.8 - 2.7 + 7.3)),
    # mean(err) <= 0: loss = mean(err^2), d/dw_i = 2/3 err_i x_i
    (-10.0, 2 / 3 * np.array([-9.5, -13.0 * 2.0, -3.0 * 3.0]), 2 / 3 * (-9.5 - 13.0 - 3.0)),
])
def test_loss_gradient_values_on_both_branches(b, expected_w, expected_b):
    d_w, d_b = srcgrad.grad(loss, wrt=("w", "b"))(W, b, X, Y)
    np.testing.assert_allclose(d_w, expected_w)
    assert d_b == pytest.approx(expected_b)
    assert isinstance(d_b, float) and d_w.shape == W.shape


def test_generated_source_runs_standalone():
    """Executing `.source` as plain Python with numpy and the runtime helpers gives the same
    value and gradients as the gradient function."""
    source = srcgrad.grad(loss, wrt=("w", "b")).source
    namespace = {"np": np, "unbroadcast": runtime.unbroadcast}
    exec(compile(source, "<generated>", "exec"), namespace)
    value, saved = namespace["loss_forward"](W, 0.3, X, Y)
    assert value == pytest.approx(loss(W, 0.3, X, Y))
    d_w, d_b = namespace["loss_backward"](1.0, *saved)
    ref_w, ref_b = srcgrad.grad(loss, wrt=("w", "b"))(W, 0.3, X, Y)
    np.testing.assert_allclose(d_w, ref_w)
    assert d_b == pytest.approx(ref_b)


def bad_dot(a, b):
    c = np.dot(a, b) + 1.0
    return np.sum(c)


def bad_dot_direct(a, b):
    c = np.dot(a, b)
    return np.sum(c)


def test_traceback_shows_generated_temporary_line():
    g = srcgrad.grad(bad_dot)
    with pytest.raises(ValueError) as info:
        g(np.ones(3), np.ones(4))
    text = "".join(traceback.format_exception(info.value))
    assert "<srcgrad bad_dot from test_codegen.py #" in text
    assert ", in bad_dot_forward\n" in text
    assert "    t1 = np.dot(a, b)\n" in text
    assert "not aligned" in text


def test_traceback_shows_user_expression():
    g = srcgrad.grad(bad_dot_direct)
    with pytest.raises(ValueError) as info:
        g(np.ones((2, 3)), np.ones((2, 3)))
    frames = traceback.extract_tb(info.value.__traceback__)
    last = frames[-1]
    assert last.name == "bad_dot_direct_forward"
    assert last.filename.startswith("<srcgrad bad_dot_direct from test_codegen.py #")
    assert last.line == "c = np.dot(a, b)"
    # the frame's line number points at that line of the registered generated text
    lines = linecache.getlines(last.filename)
    assert lines[last.lineno - 1].strip() == "c = np.dot(a, b)"


def test_error_note_names_the_user_line():
    g = srcgrad.grad(bad_dot)
    with pytest.raises(ValueError) as info:
        g(np.ones(3), np.ones(4))
    note, = info.value.__notes__
    line = inspect.getsourcelines(bad_dot)[1] + 1
    assert "raised by the generated line `t1 = np.dot(a, b)`" in note
    assert f"which computes line {line} of {__file__}: c = np.dot(a, b) + 1.0" in note


def test_line_map_follows_statements_after_an_emptied_block():
    """A block left empty gets `pass`; the lines after it still map to the user's."""
    first = build.assign("y", build.load("x"))
    last = build.assign("z", build.load("y"))
    first.lineno, last.lineno = 3, 5
    fn = codegen.function("f", codegen.arguments(["x"]), [
        build.comment("heading"), first,
        gast.If(test=build.load("x"), body=[], orelse=[]), last])
    text, lines = codegen.unparse([fn])
    assert text.splitlines()[3:6] == ["    if x:", "        pass", "    z = y"]
    assert lines.mapping() == {3: 3, 6: 5}
    assert lines.shifted(1).get(7) == 5


def test_generated_text_is_registered_with_linecache():
    g = srcgrad.grad(loss, wrt=("w", "b"))
    g(W, 0.3, X, Y)
    filename = g.general().forward.__code__.co_filename
    assert filename.startswith("<srcgrad loss from test_codegen.py #")
    text = "".join(linecache.getlines(filename))
    # the factory wraps the same functions that `.source` shows
    assert "    def loss_forward(w, b, x, y):\n" in text
    assert "        t1 = w * x\n" in text


# -- render ---------------------------------------------------------------------------------

def test_render_prints_comment_markers_and_separates_functions():
    one = codegen.function("one", codegen.arguments(["x"]), [
        build.comment("a comment"),
        build.assign("y", gast.BinOp(left=build.load("x"), op=gast.Mult(),
                                     right=build.const(2))),
        gast.If(test=build.load("c"), body=[build.comment("inside"),
                                            build.assign("y", build.load("x"))], orelse=[]),
        gast.Return(value=build.load("y")),
    ])
    two = codegen.function("two", codegen.arguments([]), [gast.Return(value=build.const(1))])
    assert codegen.render([one, two]) == (
        "def one(x):\n"
        "    # a comment\n"
        "    y = x * 2\n"
        "    if c:\n"
        "        # inside\n"
        "        y = x\n"
        "    return y\n"
        "\n"
        "\n"
        "def two():\n"
        "    return 1\n")


def test_render_keeps_ordinary_strings():
    fn = codegen.function("f", codegen.arguments([]), [
        build.assign("s", build.const("# text")),
        gast.Expr(value=build.const("srcgrad-comment: not a marker")),
        gast.Return(value=build.load("s"))])
    assert codegen.render([fn]) == (
        "def f():\n"
        "    s = '# text'\n"
        "    'srcgrad-comment: not a marker'\n"
        "    return s\n")


# -- compile_functions ----------------------------------------------------------------------

SCALE = 2.0


def uses_global(x):
    return np.sum(x * SCALE)


def test_globals_are_read_at_call_time():
    global SCALE
    g = srcgrad.grad(uses_global)
    np.testing.assert_allclose(g(np.ones(2)), [2.0, 2.0])
    try:
        SCALE = 5.0
        np.testing.assert_allclose(g(np.ones(2)), [5.0, 5.0])
    finally:
        SCALE = 2.0


def make_closure():
    k = 3.0

    def uses_closure(x):
        return np.sum(np.sin(x) * k)

    def set_k(value):
        nonlocal k
        k = value
    return uses_closure, set_k


def test_closure_cells_are_shared():
    uses_closure, set_k = make_closure()
    g = srcgrad.grad(uses_closure)
    np.testing.assert_allclose(g(np.zeros(2)), [3.0, 3.0])
    set_k(7.0)
    np.testing.assert_allclose(g(np.zeros(2)), [7.0, 7.0])
    forward = g.general().forward
    assert forward.__globals__ is uses_closure.__globals__


def test_user_module_is_not_modified():
    before = set(globals())

    def fresh(x, c):
        y = x * c
        return np.sum(y * y)

    g = srcgrad.grad(fresh)
    g.source
    g(np.ones(2), 3.0)
    assert set(globals()) == before


def shadows_helper(x, unbroadcast):
    y = x * unbroadcast + x
    return np.sum(y)


def test_helper_does_not_shadow_user_name():
    g = srcgrad.grad(shadows_helper)
    assert "unbroadcast_1(d_y, x)" in g.source
    compile(g.source, "<generated>", "exec")
    np.testing.assert_allclose(g(np.ones(2), np.array([2.0, 4.0])), [3.0, 5.0])


def test_defaults_of_the_user_function_apply():
    def with_default(x, c=4.0):
        return np.sum(x * c)

    g = srcgrad.grad(with_default)
    np.testing.assert_allclose(g(np.ones(3)), [4.0, 4.0, 4.0])
    np.testing.assert_allclose(g(np.ones(3), c=0.5), [0.5, 0.5, 0.5])


PAIR = np.array([1.0, 2.0])


# --- unicode identifiers ---------------------------------------------------------------------


def test_unicode_identifiers(tmp_path):
    mod = load(tmp_path, "import numpy as np\n\n\ndef f(x, σ):\n    λ = 2.0 * x\n"
                         "    ﬁ = λ * σ\n    return np.sum(λ * x) + np.sum(fi)\n")
    x, s = np.array([0.5, -1.0]), np.array([2.0, 3.0])
    dx, ds = grad(mod.f, wrt=(0, 1))(x, s)  # ﬁ and fi are one name (NFKC)
    np.testing.assert_allclose(dx, 4.0 * x + 2.0 * s)
    np.testing.assert_allclose(ds, 2.0 * x)
    assert "d_λ" in grad(mod.f, wrt=(0, 1)).source


# --- the generated code never evaluates user strings -------------------------------------------


def test_string_constants_stay_strings(tmp_path):
    marker = tmp_path / "evaluated"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    mod = load(tmp_path, "import numpy as np\n\n\ndef f(x):\n"
                         f"    s = {code!r}\n    if len(s) > 3:\n        x = x * 2.0\n"
                         "    return np.sum(x)\n")
    g = grad(mod.f)
    np.testing.assert_array_equal(g(PAIR), [2.0, 2.0])
    assert not marker.exists()
    import ast
    for node in ast.walk(ast.parse(g.source)):  # the text is a constant, never code
        assert not (isinstance(node, ast.Name) and node.id == "__import__")
    assert repr(code) in g.source or code not in g.source


@pytest.mark.parametrize("body", [
    'return np.sum(eval("x * 2.0"))',
    'd = locals()\n    return np.sum(d["x"] * 2.0)',
    'return np.sum(vars()["x"] * 2.0)',
], ids=["eval", "locals", "vars"])
def test_introspection_is_refused_or_differentiated(tmp_path, body):
    """The user's own `eval` runs as the user wrote it (srcgrad does not evaluate strings
    itself), but a gradient through it must not be silently zero (it was: eval, locals()
    and vars() read variables by name, out of sight of the activity analysis)."""
    mod = load(tmp_path, f"import numpy as np\n\n\ndef f(x):\n    {body}\n")
    right_or_refused(mod.f, (PAIR,), expected=(np.array([2.0, 2.0]),))
