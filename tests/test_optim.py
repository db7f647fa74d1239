import math

import numpy as np
import pytest

import srcgrad.optim as optim

from srcgrad.ir.pytree import tree_map
from srcgrad.optim import (SGD, Adam, AdamW, CosineAnnealingLR, ExponentialLR, FitResult,
                           RMSprop, StepLR, fit)


def run(opt, x, grad_fn, steps):
    """Apply ``steps`` updates, collecting the params after each."""
    out = []
    for _ in range(steps):
        x = opt.step(x, grad_fn(x))
        out.append(x)
    return out


# -- SGD ------------------------------------------------------------------------------

def test_sgd_one_step_on_linear_loss():
    # loss = sum(100 * x): gradient [100, 100]; 1 - 0.001*100 = 0.9, 2 - 0.1 = 1.9
    x = np.array([1.0, 2.0])
    new = SGD(lr=0.001).step(x, np.array([100.0, 100.0]))
    np.testing.assert_allclose(new, [0.9, 1.9], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_sgd_momentum_first_three_steps():
    # f = x^2/2, grad = x, x0 = 1, lr = 0.1, mu = 0.9:
    # b1 = 1                    x1 = 1 - 0.1*1      = 0.9
    # b2 = 0.9*1 + 0.9 = 1.8    x2 = 0.9 - 0.1*1.8  = 0.72
    # b3 = 0.9*1.8 + 0.72 = 2.34  x3 = 0.72 - 0.234 = 0.486
    xs = run(SGD(0.1, momentum=0.9), 1.0, lambda x: x, 3)
    np.testing.assert_allclose(xs, [0.9, 0.72, 0.486], rtol=1e-14)


def test_sgd_nesterov_first_three_steps():
    # direction = g + mu*b with b updated first:
    # g=1:      b=1,                    d=1+0.9*1=1.9,            x=1-0.19=0.81
    # g=0.81:   b=0.9+0.81=1.71,        d=0.81+1.539=2.349,       x=0.81-0.2349=0.5751
    # g=0.5751: b=1.539+0.5751=2.1141,  d=0.5751+1.90269=2.47779, x=0.5751-0.247779=0.327321
    xs = run(SGD(0.1, momentum=0.9, nesterov=True), 1.0, lambda x: x, 3)
    np.testing.assert_allclose(xs, [0.81, 0.5751, 0.327321], rtol=1e-14)


def test_sgd_weight_decay_and_validation():
    # zero gradient, wd 0.1: x = 1 - 0.1*(0 + 0.1*1) = 0.99
    assert SGD(0.1, weight_decay=0.1).step(1.0, 0.0) == pytest.approx(0.99, abs=1e-15)
    with pytest.raises(ValueError, match="nesterov"):
        SGD(0.1, nesterov=True)
    with pytest.raises(ValueError, match="lr must be >= 0"):
        SGD(-1.0)


# -- Adam, AdamW ----------------------------------------------------------------------

def test_adam_first_step_is_lr_times_sign():
    # bias correction makes m_hat = g and v_hat = g^2 at step 1: the step is lr*g/(|g| + eps)
    x = np.array([1.0, -2.0, 3.0, 1e-3])
    new = Adam(lr=0.1).step(x, x)  # f = x^2/2 has gradient x
    np.testing.assert_allclose(new, x - 0.1 * np.sign(x), rtol=0, atol=1e-6)


def test_adam_second_step_closed_form():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    opt = Adam(lr=lr)
    x0 = np.array([1.0, -2.0])
    x1 = opt.step(x0, x0)
    x2 = opt.step(x1, x1)
    for g1, g2, got in zip(x0, x1, x2):
        m = b1 * (1 - b1) * g1 + (1 - b1) * g2
        v = b2 * (1 - b2) * g1 ** 2 + (1 - b2) * g2 ** 2
        m_hat, v_hat = m / (1 - b1 ** 2), v / (1 - b2 ** 2)
        assert got == pytest.approx(g2 - lr * m_hat / (math.sqrt(v_hat) + eps), rel=1e-14)
    # numerically, for the first coordinate: 0.9 - 0.1*(0.18/0.19)/sqrt(0.001809/0.001999)
    expected = 0.9 - 0.1 * (0.18 / 0.19) / math.sqrt(0.001809 / 0.001999)
    assert x2[0] == pytest.approx(expected, rel=1e-7)


def test_adamw_decay_is_decoupled_from_the_gradient():
    # p=2, g=1, lr=0.1, wd=0.5.
    # Adam (L2): g' = 1 + 0.5*2 = 2, first step is lr*sign(g') -> 2 - 0.1 = 1.9
    # AdamW: p = 2 - 0.1*0.5*2 = 1.9, then the Adam step on g=1 -> 1.8
    assert Adam(0.1, weight_decay=0.5).step(2.0, 1.0) == pytest.approx(1.9, abs=1e-7)
    assert AdamW(0.1, weight_decay=0.5).step(2.0, 1.0) == pytest.approx(1.8, abs=1e-7)
    # with zero gradient AdamW only shrinks: 2*(1 - 0.1*0.5) = 1.9 exactly (m = v = 0)
    assert AdamW(0.1, weight_decay=0.5).step(2.0, 0.0) == pytest.approx(1.9, abs=1e-15)
    assert AdamW().weight_decay == 1e-2 and AdamW().betas == (0.9, 0.999)
    with pytest.raises(ValueError, match="betas"):
        Adam(betas=(1.0, 0.999))


# -- RMSprop --------------------------------------------------------------------------

def rmsprop_by_hand(x, steps, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, centered=False):
    v = a = b = 0.0
    out = []
    for _ in range(steps):
        g = x  # f = x^2/2
        v = alpha * v + (1 - alpha) * g * g
        a = alpha * a + (1 - alpha) * g
        denom = math.sqrt(v - a * a if centered else v) + eps
        b = momentum * b + g / denom
        x = x - lr * (b if momentum else g / denom)
        out.append(x)
    return out


@pytest.mark.parametrize("kw", [{}, {"centered": True}, {"momentum": 0.9},
                                {"centered": True, "momentum": 0.5}])
def test_rmsprop_first_steps(kw):
    got = run(RMSprop(0.01, **kw), 1.0, lambda x: x, 3)
    np.testing.assert_allclose(got, rmsprop_by_hand(1.0, 3, **kw), rtol=1e-14)


def test_rmsprop_first_step_numbers():
    # plain: v = 0.01, step = 0.01 * 1/0.1 = 0.1;  centered: v - a^2 = 0.01 - 0.0001 = 0.0099
    assert RMSprop(0.01).step(1.0, 1.0) == pytest.approx(0.9, abs=1e-8)
    centered = RMSprop(0.01, centered=True).step(1.0, 1.0)
    assert centered == pytest.approx(1 - 0.01 / math.sqrt(0.0099))
    assert RMSprop(0.01, weight_decay=1.0).step(1.0, 0.0) == pytest.approx(0.9, abs=1e-8)


# -- schedules ------------------------------------------------------------------------

def test_schedules():
    s = StepLR(0.1, step_size=3, gamma=0.5)
    assert [s(0), s(2), s(3), s(5), s(6)] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    e = ExponentialLR(0.1, gamma=0.5)
    assert [e(0), e(1), e(3)] == pytest.approx([0.1, 0.05, 0.0125])
    c = CosineAnnealingLR(0.1, T_max=10, eta_min=0.01)
    assert [c(0), c(5), c(10)] == pytest.approx([0.1, 0.055, 0.01])
    assert CosineAnnealingLR(1.0, T_max=4)(2) == pytest.approx(0.5)


def test_optimizer_follows_schedule_from_step_zero():
    opt = SGD(lr=StepLR(1.0, step_size=2, gamma=0.5))
    assert opt.current_lr() == 1.0
    xs = run(opt, 0.0, lambda x: 1.0, 4)  # lrs 1, 1, 0.5, 0.5
    assert xs == [-1.0, -2.0, -2.5, -3.0]
    assert opt.step_count == 4 and opt.current_lr() == 0.25


# -- pytrees --------------------------------------------------------------------------

@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: SGD(0.1, momentum=0.9),
                                  lambda: Adam(0.1), lambda: RMSprop(0.1, centered=True)])
def test_dict_params_keep_structure_types_and_are_not_mutated(make):
    w = np.array([1.0, 2.0], dtype=np.float32)
    params = {"w": w, "b": 0.5, "extra": (np.float32(1.0), [np.array(3.0)])}
    grads = {"w": np.array([1.0, -1.0], dtype=np.float32), "b": 2.0,
             "extra": (np.float32(1.0), [np.array(1.0)])}
    before = {"w": w.copy(), "gw": grads["w"].copy()}
    opt = make()
    new = opt.step(params, grads)
    new = opt.step(new, grads)
    assert list(new) == ["w", "b", "extra"]
    assert isinstance(new["w"], np.ndarray) and new["w"].dtype == np.float32
    assert type(new["b"]) is float
    assert type(new["extra"]) is tuple and type(new["extra"][0]) is np.float32
    assert isinstance(new["extra"][1][0], np.ndarray) and new["extra"][1][0].shape == ()
    assert new["b"] < 0.5 and new["w"][0] < 1.0 and new["w"][1] > 2.0
    np.testing.assert_array_equal(w, before["w"])
    np.testing.assert_array_equal(grads["w"], before["gw"])
    assert params["w"] is w and params["b"] == 0.5


def test_sgd_dict_values():
    new = SGD(0.1).step({"w": np.array([1.0, 2.0]), "b": 0.5},
                        {"w": np.array([1.0, -1.0]), "b": 2.0})
    np.testing.assert_allclose(new["w"], [0.9, 2.1])
    assert new["b"] == pytest.approx(0.3)


def test_momentum_buffer_does_not_alias_caller_grads():
    opt = SGD(0.1, momentum=0.9)
    g = np.array([1.0])
    opt.step(np.array([0.0]), g)
    g[0] = 100.0  # the caller reuses its gradient array
    np.testing.assert_array_equal(opt.state_dict()["momentum_buffer/0"], [1.0])


def test_grads_must_match_params():
    opt = SGD(0.1)
    with pytest.raises(ValueError, match=r"grads do not match params at \['b'\]"):
        opt.step({"w": 1.0, "b": 2.0}, {"w": 1.0, "b": [2.0]})
    with pytest.raises(ValueError, match="shape"):
        opt.step(np.zeros(3), np.zeros(2))


def test_integer_params_become_float():
    assert SGD(0.5).step(1, 1) == 0.5
    assert SGD(0.5).step(np.array([1, 2]), np.array([1, 1])).dtype == np.float64


# -- state_dict / checkpoints ---------------------------------------------------------

def grad_fn(p):
    return tree_map(lambda x: np.sin(3 * x) + x ** 3 / 10, p)


def start_params():
    rng = np.random.default_rng(1)
    return {"w": rng.normal(size=(3, 2)), "b": 0.3, "t": (np.float32(1.5),)}


@pytest.mark.parametrize("make", [
    lambda: SGD(0.05, momentum=0.9),
    lambda: SGD(0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    lambda: Adam(0.05),
    lambda: AdamW(CosineAnnealingLR(0.05, T_max=10)),
    lambda: RMSprop(0.01, momentum=0.5, centered=True),
    lambda: RMSprop(0.01),
])
def test_checkpoint_resume_is_bit_identical(make, tmp_path):
    straight = run(make(), start_params(), grad_fn, 10)[-1]

    first = make()
    p5 = run(first, start_params(), grad_fn, 5)[-1]
    np.savez(tmp_path / "opt.npz", **first.state_dict())
    second = make()
    second.load_state_dict(dict(np.load(tmp_path / "opt.npz")))
    assert second.step_count == 5
    resumed = run(second, p5, grad_fn, 5)[-1]

    assert np.array_equal(resumed["w"], straight["w"])
    assert resumed["b"] == straight["b"] and type(resumed["b"]) is float
    assert np.array_equal(resumed["t"][0], straight["t"][0])
    assert resumed["t"][0].dtype == np.float32


def test_state_dict_contents():
    opt = Adam(0.01)
    assert opt.state_dict() == {"optimizer": "Adam", "step": 0, "hparams/lr": 0.01,
                                "hparams/beta1": 0.9, "hparams/beta2": 0.999,
                                "hparams/eps": 1e-8, "hparams/weight_decay": 0.0,
                                "hparams/amsgrad": False}
    opt.step({"a": np.ones(2), "b": 1.0}, {"a": np.ones(2), "b": 1.0})
    state = opt.state_dict()
    assert state["step"] == 1
    assert sorted(k for k in state if "/" in k and not k.startswith("hparams")) == \
        ["m/0", "m/1", "v/0", "v/1"]
    np.testing.assert_allclose(state["m/0"], [0.1, 0.1])
    np.testing.assert_allclose(state["v/1"], 0.001)
    state["m/0"][0] = 123.0  # a copy: the optimizer is unaffected
    assert opt.state_dict()["m/0"][0] == pytest.approx(0.1)


def test_load_state_dict_checks_compatibility():
    src = SGD(0.1, momentum=0.9)
    src.step(np.ones(2), np.ones(2))
    state = src.state_dict()
    with pytest.raises(ValueError, match=r"momentum=0\.9 \(this optimizer: 0\.5\)"):
        SGD(0.1, momentum=0.5).load_state_dict(state)
    relaxed = SGD(0.2, momentum=0.9)
    relaxed.load_state_dict(state, strict=False)
    assert relaxed.step_count == 1
    with pytest.raises(ValueError, match="saved by SGD, not Adam"):
        Adam().load_state_dict(state)
    with pytest.raises(ValueError, match="unexpected entry"):
        SGD(0.1).load_state_dict(state, strict=False)  # no momentum: no buffer to load into
    loaded = SGD(0.1, momentum=0.9)
    loaded.load_state_dict(state)
    with pytest.raises(ValueError, match=r"state 'momentum_buffer' holds shapes \[\(2,\)\] "
                                         r"but the params have \[\(2,\), \(\)\]"):
        loaded.step((np.ones(2), 1.0), (np.ones(2), 1.0))


# -- fit ------------------------------------------------------------------------------

def regression_data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    return x, 1 + 2 * x + 0.01 * rng.normal(size=n)


def mse(params, x, y):
    return np.mean((params["w"] * x + params["b"] - y) ** 2)


def mse_value_and_grad(params, x, y):
    r = params["w"] * x + params["b"] - y
    return np.mean(r ** 2), {"w": 2 * np.mean(r * x), "b": 2 * np.mean(r)}


def test_fit_linear_regression_full_batch():
    result = fit(mse, {"w": 0.0, "b": 0.0}, regression_data(), epochs=300, optimizer=Adam(0.1),
                 progress=False, value_and_grad_fn=mse_value_and_grad)
    assert isinstance(result, FitResult) and not result.stopped_early
    assert abs(result.params["w"] - 2) < 0.05 and abs(result.params["b"] - 1) < 0.05
    assert len(result.history) == 300 and all(type(h) is float for h in result.history)
    assert result.history[-1] < 1e-3 < result.history[0]
    assert "300 steps" in result.message


def test_fit_minibatches_are_reproducible():
    def go(seed):
        return fit(mse, {"w": 0.0, "b": 0.0}, regression_data(), epochs=20, batch_size=32,
                   optimizer=SGD(0.1, momentum=0.9), seed=seed, progress=False,
                   value_and_grad_fn=mse_value_and_grad)
    a, b, c = go(3), go(3), go(4)
    assert len(a.history) == 20 * 7  # ceil(200 / 32) = 7 batches per epoch
    assert a.history == b.history and a.params == b.params
    assert a.history != c.history
    assert abs(a.params["w"] - 2) < 0.05 and abs(a.params["b"] - 1) < 0.05


def test_fit_batches_without_shuffle_are_in_order():
    x, y = regression_data(10)
    seen = []

    def vg(params, xb, yb):
        seen.append(xb.copy())
        return mse_value_and_grad(params, xb, yb)
    fit(None, {"w": 0.0, "b": 0.0}, (x, y), epochs=2, batch_size=4, shuffle=False,
        optimizer=SGD(0.1), progress=False, value_and_grad_fn=vg)
    assert [len(s) for s in seen] == [4, 4, 2] * 2
    np.testing.assert_array_equal(np.concatenate(seen[:3]), x)


def test_fit_with_no_data_and_with_a_batch_callable():
    result = fit(None, 1.0, epochs=3, optimizer=SGD(0.25), progress=False,
                 value_and_grad_fn=lambda x: (x * x, 2 * x))  # x <- x - 0.5x
    assert result.params == 0.125 and result.history == [1.0, 0.25, 0.0625]

    x, y = regression_data(8)
    batches = lambda: [(x[:4], y[:4]), (x[4:], y[4:])]
    result = fit(None, {"w": 0.0, "b": 0.0}, batches, epochs=3, optimizer=SGD(0.1),
                 progress=False, value_and_grad_fn=mse_value_and_grad)
    assert len(result.history) == 6
    with pytest.raises(ValueError, match="iterator"):
        fit(None, 1.0, iter(batches()), epochs=2, progress=False,
            value_and_grad_fn=mse_value_and_grad)


def nan_at(bad_step, what="loss"):
    calls = []

    def vg(x):
        step = len(calls)
        calls.append(x)
        if step == bad_step:
            return (float("nan"), 2 * x) if what == "loss" else (1.0, np.array([1.0, np.inf]))
        return float(np.sum(x * x)), 2 * x
    return vg


def test_fit_stops_at_nan_loss_and_keeps_last_good_params():
    # x <- x - 0.1*2x = 0.8x; the loss at step 5 is nan, so keep the params of step 4: 0.8**4
    expected = "loss became nan at step 5; keeping the parameters from step 4"
    with pytest.warns(RuntimeWarning, match=expected):
        result = fit(None, np.array([1.0, 2.0]), epochs=100, optimizer=SGD(0.1), progress=False,
                     value_and_grad_fn=nan_at(5))
    assert result.stopped_early
    assert result.message == expected
    np.testing.assert_allclose(result.params, [0.8 ** 4, 2 * 0.8 ** 4], rtol=1e-14)
    assert result.history == pytest.approx([5 * 0.64 ** k for k in range(5)])


def test_fit_stops_at_inf_gradient_and_at_step_zero():
    with pytest.warns(RuntimeWarning, match="gradient became inf at step 2"):
        result = fit(None, np.array([1.0, 1.0]), epochs=10, optimizer=SGD(0.1), progress=False,
                     value_and_grad_fn=nan_at(2, what="grad"))
    np.testing.assert_allclose(result.params, [0.8, 0.8])
    with pytest.warns(RuntimeWarning, match="at step 0; keeping the parameters it started with"):
        result = fit(None, np.array([1.0]), epochs=3, progress=False, value_and_grad_fn=nan_at(0))
    assert result.history == [] and result.params[0] == 1.0


def test_fit_progress_output(capsys):
    fit(None, 1.0, epochs=3, optimizer=SGD(0.1), progress=False,
        value_and_grad_fn=lambda x: (x * x, 2 * x))
    assert capsys.readouterr() == ("", "")
    fit(None, 1.0, epochs=3, optimizer=SGD(0.1), progress=True,
        value_and_grad_fn=lambda x: (x * x, 2 * x))
    err = capsys.readouterr().err
    assert "loss=" in err and "3/3" in err and "step/s" in err


def test_fit_rejects_non_scalar_loss():
    with pytest.raises(ValueError, match="scalar"):
        fit(None, np.ones(2), progress=False, value_and_grad_fn=lambda x: (x, x))


def line_loss(params, x, y):
    """The tutorial's line fit with a params dict, differentiated by srcgrad itself."""
    return np.mean((params["w"] * x + params["b"] - y) ** 2)


def test_fit_uses_srcgrads_own_gradient_on_a_params_dict():
    rng = np.random.default_rng(42)
    x = rng.uniform(0.0, 1.0, 100)
    y = 1.0 + 2.0 * x + 0.1 * rng.normal(size=100)
    result = fit(line_loss, {"w": 0.0, "b": 0.0}, (x, y), epochs=300,
                 optimizer=SGD(lr=0.5), progress=False)
    w, b = np.polyfit(x, y, 1)
    assert set(result.params) == {"w", "b"}
    assert result.params["w"] == pytest.approx(w, abs=0.05)
    assert result.params["b"] == pytest.approx(b, abs=0.03)
    assert result.history[-1] < result.history[0] / 50


def test_pytorch_call_shapes_are_refused_with_the_srcgrad_form():
    """`SGD([x], lr=0.1)` failed with "got multiple values for argument 'lr'" and
    `StepLR(opt, step_size=10)` was accepted, then failed at `sched.step()`."""
    from srcgrad import SrcGradError
    from srcgrad.optim import SGD, Adam, ExponentialLR, StepLR

    x = np.zeros(3)
    with pytest.raises(SrcGradError, match=r"opt = SGD\(lr=0.1\)"):
        SGD([x], lr=0.1)
    with pytest.raises(SrcGradError, match=r"params = opt.step\(params, grads\)"):
        Adam({"w": x})
    with pytest.raises(SrcGradError, match=r"SGD\(lr=StepLR\(0.1"):
        StepLR(SGD(lr=0.1), step_size=10)
    with pytest.raises(SrcGradError, match="schedules are learning rates"):
        ExponentialLR(Adam(), gamma=0.9)
    assert SGD(0.1).lr == 0.1 and SGD(lr=StepLR(0.1, 10)).current_lr() == 0.1


def test_fit_shows_a_bar_only_on_a_terminal_by_default(monkeypatch):
    import io
    import sys

    from srcgrad.optim import fit

    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    fit(lambda w: np.sum(w ** 2), np.ones(2), epochs=3)
    assert err.getvalue() == ""  # not a terminal: no bar in logs
    fit(lambda w: np.sum(w ** 2), np.ones(2), epochs=3, progress=True)
    assert "step" in err.getvalue()


@pytest.mark.parametrize("make_ours, make_torch", [
    (lambda: optim.SGD(lr=0.1, momentum=0.9, dampening=0.3),
     lambda torch, ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.3)),
    (lambda: optim.SGD(lr=0.05, momentum=0.5, dampening=1.0, weight_decay=0.01),
     lambda torch, ps: torch.optim.SGD(ps, lr=0.05, momentum=0.5, dampening=1.0,
                                       weight_decay=0.01)),
    (lambda: optim.Adam(lr=0.01, amsgrad=True),
     lambda torch, ps: torch.optim.Adam(ps, lr=0.01, amsgrad=True)),
    (lambda: optim.Adam(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True),
     lambda torch, ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.9), weight_decay=0.1,
                                        amsgrad=True)),
    (lambda: optim.AdamW(lr=0.01, amsgrad=True),
     lambda torch, ps: torch.optim.AdamW(ps, lr=0.01, amsgrad=True)),
])
def test_dampening_and_amsgrad_equal_pytorch(make_ours, make_torch):
    """SGD's dampening and Adam's amsgrad step for step as torch.optim (float64), on
    gradients that shrink and grow (amsgrad's running maximum then matters)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    theirs = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
              for k, v in params.items()}
    ours, opt = dict(params), make_ours()
    torch_opt = make_torch(torch, list(theirs.values()))
    for step in range(12):
        scale = 10.0 if step % 4 == 0 else 0.1
        grads = {k: scale * rng.normal(size=v.shape) for k, v in params.items()}
        ours = opt.step(ours, grads)
        for k, t in theirs.items():
            t.grad = torch.tensor(grads[k], dtype=torch.float64)
        torch_opt.step()
        for k in params:
            np.testing.assert_allclose(ours[k], theirs[k].detach().numpy(), rtol=0,
                                       atol=1e-12)


def test_nesterov_needs_zero_dampening():
    with pytest.raises(ValueError, match="dampening"):
        optim.SGD(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)
