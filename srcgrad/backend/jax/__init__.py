"""The JAX backend: the sweeps srcgrad generates, emitted against jax.numpy and compiled
with `jax.jit` (compiled.py), their control flow in forms XLA traces (control.py, flow.py),
each name of generated code in its JAX form (namespace.py). Imports JAX: only
api/backends.py loads it, when a function asks for backend="jax"."""
