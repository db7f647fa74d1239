"""vjp's pullback: the backward sweep of one forward sweep, for any seed. It pickles
(pickle and cloudpickle, before and after use) as what it holds: the gradient object
that made its code (which pickles as the call that made it, with the user's source:
api/pickling.py), the forward's value and saved values, and the arguments differentiated.
Unpickled, the code is made again from that source; the forward is not run again."""

from __future__ import annotations

import numpy as np

from ..errors import SrcGradError
from .arguments import distinct, like_argument
from .backends import LiveJax
from .tracebacks import user_facing


class Pullback:
    """`pullback(seed)`: the gradients of `sum(seed * value)` with respect to `wrt`."""

    def __init__(self, gradient, value, saved, inputs, backend="numpy", jax_in=False,
                 keywords=(), generated=None):
        self._gradient, self._value, self._saved = gradient, value, saved
        self._inputs, self._backend, self._jax_in = inputs, backend, jax_in
        self._keywords = tuple(keywords)  # the call's keyword names: a `**kw` takes some
        if generated is None:  # unpickled: made again from the user's source
            generated = gradient.general(dict.fromkeys(self._keywords))
        self._generated = generated
        name = gradient.__wrapped__.__name__
        self._jax = LiveJax(backend, name) if backend != "numpy" else None

    @property
    def source(self) -> str:
        return self._generated.source

    @user_facing
    def __call__(self, seed):
        value, saved, generated = self._value, self._saved, self._generated
        if np.shape(seed) != np.shape(value):
            raise SrcGradError(f"the seed has shape {np.shape(seed)}, but "
                               f"{self._gradient.__wrapped__.__name__} returned shape "
                               f"{np.shape(value)}")
        if self._jax is None:
            grads = generated.backward(seed, *saved)
        else:
            grads = self._jax.call(generated, "vjp-backward", generated.backward, (seed, *saved),
                                   {}, lambda: generated.backward(seed, *saved),
                                   jax_out=self._jax_in)
            if self._jax_in:
                return grads
        inputs = self._inputs
        grads = (grads,) if len(inputs) == 1 else grads
        grads = self._gradient.picked(distinct(tuple(like_argument(g, x)
                                                     for g, x in zip(grads, inputs))))
        return grads[0] if self._gradient.single else grads

    def __reduce__(self):
        return Pullback, (self._gradient, self._value, self._saved, self._inputs,
                          self._backend, self._jax_in, self._keywords)
