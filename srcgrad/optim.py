"""Optimizers, learning-rate schedules and a training loop for pytrees of parameters.

* Functional: ``params = opt.step(params, grads)`` returns new parameters of the same
  pytree structure (:mod:`srcgrad.tree`) and never modifies the caller's arrays. Leaves
  keep their kind: float arrays their dtype (integer ones become float64), NumPy
  scalars stay NumPy scalars, Python numbers become Python floats.
* The optimizer holds only its state (step count, per-leaf buffers), created lazily
  on the first step. ``state_dict()`` is flat (class name, ``step``, ``hparams/<name>``,
  ``<buffer>/<leaf index>``): ``np.savez(path, **opt.state_dict())`` then
  ``opt.load_state_dict(dict(np.load(path)))`` resumes bit-identically.
* ``lr`` is a float or a schedule ``step -> lr``, ``step`` counting optimizer steps from 0.
* Update rules and defaults are those documented for ``torch.optim.SGD``, ``Adam``,
  ``AdamW``, ``RMSprop`` and the closed forms of ``torch.optim.lr_scheduler``
  (with SGD's dampening and Adam's amsgrad; no maximize option).

Coming from PyTorch: ``requires_grad`` -> ``value_and_grad(f, wrt=...)``;
``loss.backward()`` -> calling the gradient function; ``.grad`` -> its return value,
shaped like the params; ``zero_grad()`` -> nothing to do, gradients are returned, not
accumulated across calls; ``no_grad()`` -> nothing to do, updates are ordinary NumPy
outside the differentiated function; ``optimizer.step()`` -> ``params = opt.step(params, grads)``.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Union

import numpy as np
from tqdm.auto import tqdm

from .errors import SrcGradError
from .tree import tree_flatten, tree_leaves, tree_unflatten


Rate = Union[float, Callable[[int], float]]  # a learning rate, or a schedule giving it per step

# Schedules: closed forms, called with the number of steps taken so far.

@dataclass(frozen=True)
class StepLR:
    """``lr * gamma ** (step // step_size)``."""
    lr: float
    step_size: int
    gamma: float = 0.1

    def __post_init__(self):
        _not_an_optimizer(self, self.lr)

    def __call__(self, step: int) -> float:
        return self.lr * self.gamma ** (step // self.step_size)


@dataclass(frozen=True)
class ExponentialLR:
    """``lr * gamma ** step``."""
    lr: float
    gamma: float

    def __post_init__(self):
        _not_an_optimizer(self, self.lr)

    def __call__(self, step: int) -> float:
        return self.lr * self.gamma ** step


@dataclass(frozen=True)
class CosineAnnealingLR:
    """``eta_min + (lr - eta_min) * (1 + cos(pi * step / T_max)) / 2``; rises again past T_max."""
    lr: float
    T_max: int
    eta_min: float = 0.0

    def __post_init__(self):
        _not_an_optimizer(self, self.lr)

    def __call__(self, step: int) -> float:
        cos = math.cos(math.pi * step / self.T_max)
        return self.eta_min + (self.lr - self.eta_min) * (1 + cos) / 2


class Optimizer:
    """Shared machinery: pytrees, lazy state, state_dict round trips. Subclasses take a
    ``weight_decay`` hyperparameter, name per-leaf state in ``buffers`` and implement
    ``_update(i, p, g, lr, t)`` for leaf ``i`` at step ``t`` >= 1 (``g`` includes L2 decay)."""
    buffers: tuple[str, ...] = ()
    _decoupled = False  # True: weight decay shrinks p directly instead of joining the gradient

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None:
            cls.__init__ = _refusing_parameters(init)

    def __init__(self, lr: float | Callable[[int], float], **hparams: Any):
        for name, value in {"lr": 0.0 if callable(lr) else lr, **hparams}.items():
            if isinstance(value, (int, float)) and not value >= 0:
                raise ValueError(f"{type(self).__name__}: {name} must be >= 0, got {value!r}")
        self.lr, self.step_count, self._hparam_names = lr, 0, tuple(hparams)
        self.__dict__.update(hparams)
        self._state: dict[str, list] | None = None  # made by the first step or a load

    def current_lr(self) -> float:
        """The learning rate of the next step."""
        # a Python float: an np.float64 lr would upcast float32 params under NumPy 2
        return float(self.lr(self.step_count) if callable(self.lr) else self.lr)

    def step(self, params: Any, grads: Any) -> Any:
        """Return the parameters after one update; ``params`` itself is left untouched."""
        leaves, treedef = tree_flatten(params)
        grad_leaves, grad_def = tree_flatten(grads)
        if grad_def != treedef:
            raise ValueError(f"grads do not match params {treedef.difference(grad_def)}")
        ps = [np.asarray(p) for p in leaves]
        ps = [p if np.issubdtype(p.dtype, np.floating) else p.astype(np.float64) for p in ps]
        gs = [np.asarray(g, dtype=p.dtype) for p, g in zip(ps, grad_leaves)]
        for i, (p, g) in enumerate(zip(ps, gs)):
            if g.shape != p.shape:
                raise ValueError(f"gradient leaf {i} has shape {g.shape}, its parameter {p.shape}")
        if self.weight_decay and not self._decoupled:  # L2: g = grad + weight_decay * p
            gs = [g + self.weight_decay * p for p, g in zip(ps, gs)]
        if self._state is None:  # lazy: the first step fixes the structure
            self._state = {name: [np.zeros_like(p) for p in ps] for name in self.buffers}
        shapes = [p.shape for p in ps]
        for name, bufs in self._state.items():
            if [np.shape(b) for b in bufs] != shapes:
                raise ValueError(f"optimizer state {name!r} holds shapes "
                                 f"{[np.shape(b) for b in bufs]} but the params have {shapes}")
        lr = self.current_lr()
        self.step_count += 1
        new = []
        for i, (p, g) in enumerate(zip(ps, gs)):
            new.append(np.asarray(self._update(i, p, g, lr, self.step_count), dtype=p.dtype))
            for bufs in self._state.values():  # NumPy 1.x computes 0-d float32 in float64
                bufs[i] = np.asarray(bufs[i], dtype=p.dtype)
        return tree_unflatten(treedef, [_like(old, p) for old, p in zip(leaves, new)])

    def _saved_hparams(self) -> dict[str, Any]:
        lr = {} if callable(self.lr) else {"lr": float(self.lr)}  # a schedule is code: not saved
        return {**lr, **{name: getattr(self, name) for name in self._hparam_names}}

    def state_dict(self) -> dict[str, Any]:
        """A flat copy: class name, ``step``, ``hparams/<name>``, ``<buffer>/<leaf index>``."""
        state: dict[str, Any] = {"optimizer": type(self).__name__, "step": self.step_count}
        state.update({f"hparams/{k}": v for k, v in self._saved_hparams().items()})
        for name, bufs in (self._state or {}).items():
            state.update({f"{name}/{i}": np.array(b) for i, b in enumerate(bufs)})
        return state

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> None:
        """Resume from ``state_dict()`` output, also after ``np.savez`` and ``np.load``.

        ``strict`` requires equal hyperparameters; ``strict=False`` keeps this optimizer's.
        """
        state = dict(state)
        name = str(state.pop("optimizer", type(self).__name__))
        if name != type(self).__name__:
            raise ValueError(f"state was saved by {name}, not {type(self).__name__}")
        step, mine, diffs = int(state.pop("step")), self._saved_hparams(), []
        bufs: dict[str, dict[int, np.ndarray]] = {b: {} for b in self.buffers}
        for key, value in state.items():
            prefix, _, rest = key.partition("/")
            if prefix == "hparams":
                saved = np.asarray(value).item()
                if rest in mine and saved != mine[rest]:
                    diffs.append(f"{rest}={saved!r} (this optimizer: {mine[rest]!r})")
            elif prefix in bufs and rest.isdigit():
                bufs[prefix][int(rest)] = np.array(value)
            else:
                raise ValueError(f"unexpected entry {key!r} in the state of {name}")
        if strict and diffs:
            raise ValueError("state was saved with other hyperparameters: " + ", ".join(diffs)
                             + "; pass strict=False to load it anyway")
        # missing or extra leaves are caught by the next step()
        self._state = {k: [b[i] for i in range(len(b))] for k, b in bufs.items()} if step else None
        self.step_count = step


def _refusing_parameters(init):
    """`init`, refusing PyTorch's call shape `SGD(params, lr=...)` with the srcgrad form
    (the optimizers hold no parameters: each step takes them and returns new ones)."""
    @functools.wraps(init)
    def checked(self, *args, **kwargs):
        if args and _parameters_like(args[0]):
            name = type(self).__name__
            lr = kwargs.get("lr", 0.01)
            raise SrcGradError(
                f"{name}(params, ...) is PyTorch's form; srcgrad's optimizers hold no "
                f"parameters.\nWrite `opt = {name}(lr={lr!r})`, then each step "
                "`params = opt.step(params, grads)` with the gradients srcgrad returns "
                "(no zero_grad, no .grad).")
        init(self, *args, **kwargs)
    return checked


def _parameters_like(value) -> bool:
    """What PyTorch passes first (parameters), where srcgrad expects a learning rate."""
    return not (isinstance(value, (int, float, np.number)) or callable(value))


def _not_an_optimizer(schedule, lr):
    """Refuse PyTorch's `StepLR(optimizer, ...)`: srcgrad's schedules are learning rates."""
    if isinstance(lr, Optimizer) or _parameters_like(lr):
        name = type(schedule).__name__
        raise SrcGradError(
            f"{name}(optimizer, ...) is PyTorch's form; srcgrad's schedules are learning "
            f"rates.\nWrite `opt = SGD(lr={name}(0.1, ...))`: the optimizer steps the "
            "schedule itself (no scheduler.step()).")


def _like(old: Any, new: np.ndarray) -> Any:
    """Give an updated leaf the kind of the leaf it replaces."""
    if isinstance(old, np.ndarray):
        return new
    return new[()] if isinstance(old, np.generic) else float(new)


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum, dampening and L2 weight decay.

    As ``torch.optim.SGD``: ``g = grad + weight_decay * p``; the momentum buffer is
    ``b = g`` at the first step, then ``b = momentum * b + (1 - dampening) * g``;
    ``p = p - lr * (g + momentum * b)`` with Nesterov, else ``p = p - lr * b``.
    """
    def __init__(self, lr: Rate, momentum: float = 0.0, dampening: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0):
        if nesterov and not (momentum > 0 and dampening == 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening=0")
        super().__init__(lr, momentum=float(momentum), dampening=float(dampening),
                         nesterov=bool(nesterov), weight_decay=float(weight_decay))
        self.buffers = ("momentum_buffer",) if momentum else ()

    def _update(self, i, p, g, lr, t):
        if self.momentum:
            b = self._state["momentum_buffer"]
            # a copy at the first step, so the state never aliases the caller's grads
            b[i] = np.array(g) if t == 1 else self.momentum * b[i] + (1 - self.dampening) * g
            g = g + self.momentum * b[i] if self.nesterov else b[i]
        return p - lr * g


class Adam(Optimizer):
    """Adam with bias correction and L2 weight decay, as ``torch.optim.Adam``.

    ``g = grad + weight_decay * p``; ``m = b1*m + (1-b1)*g``; ``v = b2*v + (1-b2)*g**2``;
    ``p = p - lr * m_hat / (sqrt(v_hat) + eps)``, ``m_hat = m / (1 - b1**t)``,
    ``v_hat = v / (1 - b2**t)``; with ``amsgrad=True`` ``v_hat`` is of the largest ``v``
    so far (``v_max = max(v_max, v)``).
    """

    def __init__(self, lr: Rate = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False):
        b1, b2 = (float(b) for b in betas)
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError(f"{type(self).__name__}: betas must be in [0, 1), got {betas}")
        super().__init__(lr, beta1=b1, beta2=b2, eps=float(eps),
                         weight_decay=float(weight_decay), amsgrad=bool(amsgrad))
        self.betas = (b1, b2)
        self.buffers = ("m", "v") + ("v_max",) * bool(amsgrad)

    def _update(self, i, p, g, lr, t):
        if self._decoupled:
            p = p - lr * self.weight_decay * p
        m, v, b1, b2 = self._state["m"], self._state["v"], self.beta1, self.beta2
        m[i] = b1 * m[i] + (1 - b1) * g
        v[i] = b2 * v[i] + (1 - b2) * (g * g)
        if self.amsgrad:
            largest = self._state["v_max"]
            largest[i] = np.maximum(largest[i], v[i])
        m_hat = m[i] / (1 - b1 ** t)
        v_hat = (largest[i] if self.amsgrad else v[i]) / (1 - b2 ** t)
        return p - lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW``.

    ``p = p - lr * weight_decay * p``, then the Adam step on the gradient as it is.
    """
    _decoupled = True

    def __init__(self, lr: Rate = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(lr, betas, eps, weight_decay, amsgrad)


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``; its buffers start at zero.

    ``g = grad + weight_decay * p``; ``v = alpha*v + (1-alpha)*g**2``, less ``a**2``
    when centered, with ``a = alpha*a + (1-alpha)*g``; ``d = g / (sqrt(v) + eps)``;
    with momentum ``b = momentum*b + d`` and ``p = p - lr*b``, else ``p = p - lr*d``.
    """
    def __init__(self, lr: Rate = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 momentum: float = 0.0, centered: bool = False, weight_decay: float = 0.0):
        super().__init__(lr, alpha=float(alpha), eps=float(eps), momentum=float(momentum),
                         centered=bool(centered), weight_decay=float(weight_decay))
        self.buffers = (("square_avg",) + ("grad_avg",) * bool(centered)
                        + ("momentum_buffer",) * bool(momentum))

    def _update(self, i, p, g, lr, t):
        alpha, st = self.alpha, self._state
        st["square_avg"][i] = alpha * st["square_avg"][i] + (1 - alpha) * (g * g)
        var = st["square_avg"][i]
        if self.centered:  # variance estimate E[g^2] - E[g]^2
            st["grad_avg"][i] = alpha * st["grad_avg"][i] + (1 - alpha) * g
            var = var - st["grad_avg"][i] ** 2
        d = g / (np.sqrt(var) + self.eps)
        if self.momentum:
            st["momentum_buffer"][i] = d = self.momentum * st["momentum_buffer"][i] + d
        return p - lr * d


@dataclass
class FitResult:
    """What :func:`fit` returns: final params, per-step losses, and how it ended."""
    params: Any
    history: list[float] = field(default_factory=list)
    stopped_early: bool = False
    message: str = ""


def _non_finite(value: float, grads: Any) -> str | None:
    """'loss became nan'-style description of the first non-finite quantity, or None."""
    if not math.isfinite(value):
        return f"loss became {value}"
    for g in map(np.asarray, tree_leaves(grads)):
        if not np.isfinite(g).all():
            return "gradient became " + ("nan" if np.isnan(g).any() else "inf")
    return None


def _epoch_batches(data, batch_size, shuffle, rng):
    """The batches (tuples) of one epoch."""
    if data is None or data == ():
        return [()]
    if not isinstance(data, tuple):
        return (b if isinstance(b, tuple) else (b,) for b in (data() if callable(data) else data))
    if batch_size is None:
        return [data]
    arrays = [np.asarray(a) for a in data]
    if len({len(a) for a in arrays}) > 1:
        raise ValueError(f"fit: data arrays differ in length: {[len(a) for a in arrays]}")
    order = rng.permutation(len(arrays[0])) if shuffle else np.arange(len(arrays[0]))
    return [tuple(a[order[s:s + batch_size]] for a in arrays)
            for s in range(0, len(order), batch_size)]


def fit(loss: Callable | None, params: Any, data: Any = None, *, epochs: int = 1,
        optimizer: Optimizer | None = None, batch_size: int | None = None,
        shuffle: bool = True, seed: int = 0, progress: bool | None = None,
        value_and_grad_fn: Callable | None = None, client: Any = None) -> FitResult:
    """Minimise ``loss(params, *batch)`` over ``epochs`` passes through ``data``.

    ``data``: None (``loss(params)``); a tuple of arrays (the full batch, or batches of
    ``batch_size`` rows, permuted each epoch by ``np.random.default_rng(seed)`` if
    ``shuffle``); or an iterable of batch tuples, or a callable returning one per epoch.
    Gradients come from ``value_and_grad_fn(params, *batch) -> (loss, grads)``, by
    default ``srcgrad.value_and_grad(loss, wrt=0)``. The optimizer defaults to ``Adam()``.

    A non-finite loss or gradient at step k stops the loop with a RuntimeWarning and
    returns the parameters evaluated at step k-1, the last finite step (``history``
    ends there).

    ``progress``: a tqdm bar with the loss and steps per second; by default (None) shown
    where standard error is a terminal or a notebook, not in logs and pipes.

    Dask arrays in ``data`` (or a ``distributed.Client`` as ``client``): each step is one
    Dask graph, a NumPy gradient per row block summed with row weights (the loss must be a
    mean or a sum over rows); with ``batch_size`` the rows are rechunked into blocks of
    ``batch_size``, one block a step, and ``shuffle`` permutes the blocks, not the rows
    (srcgrad/api/data_parallel.py).
    """
    if value_and_grad_fn is None:
        from srcgrad import value_and_grad  # lazy: only this path needs the transformer
        value_and_grad_fn = value_and_grad(loss, wrt=0)
    optimizer = Adam() if optimizer is None else optimizer
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"fit: batch_size must be >= 1, got {batch_size}")
    if epochs > 1 and hasattr(data, "__next__"):
        raise ValueError("fit: an iterator is used up after one epoch; pass a callable "
                         "that returns a fresh iterable of batches")
    data = (data,) if isinstance(data, np.ndarray) or hasattr(data, "__dask_graph__") else data
    total = None  # unknown for iterables of batches
    if data is None or isinstance(data, tuple):
        total = epochs * (-(-len(data[0]) // batch_size) if data and batch_size else 1)
    parallel = None
    from .api import data_parallel  # lazy, as value_and_grad above
    if data_parallel.applies(data, client):
        parallel = data_parallel.Plan(data, value_and_grad_fn, batch_size, client)
        total = epochs * parallel.steps_per_epoch
    rng = np.random.default_rng(seed)
    history: list[float] = []
    previous, step = params, 0
    bar = tqdm(total=total, disable=None if progress is None else not progress, desc="fit",
               unit="step")
    try:
        for epoch in range(epochs):
            batches = (parallel.epoch(shuffle, rng) if parallel
                       else _epoch_batches(data, batch_size, shuffle, rng))
            for batch in batches:
                value, grads = (parallel.step(params, batch) if parallel
                                else value_and_grad_fn(params, *batch))
                if np.ndim(value) != 0:
                    raise ValueError(f"fit: the loss must be a scalar, not shape {np.shape(value)}")
                value = float(value)
                bad = _non_finite(value, grads)
                if bad:
                    kept = f"from step {step - 1}" if step else "it started with"
                    message = f"{bad} at step {step}; keeping the parameters {kept}"
                    warnings.warn(message, RuntimeWarning, stacklevel=2)
                    return FitResult(previous, history, True, message)
                history.append(value)
                previous, params = params, optimizer.step(params, grads)
                step += 1
                bar.set_postfix_str(f"epoch {epoch + 1}/{epochs} loss={value:.4g}", refresh=False)
                bar.update(1)
    finally:
        bar.close()
    final = f"; final loss {history[-1]:.6g}" if history else ""
    return FitResult(params, history, False, f"finished {epochs} epoch(s), {step} steps{final}")
