"""The driver: the front half (`front_half`), the passes in the order of the manifest
(`reverse_mode`, `fused_gradient`, `forward_mode`), the backend, and the cache of what it
made (`cache`)."""

from .cache import (cached_functions, compiled, compiled_jvp, forget_all, skipping,
                    specialized, variants)
from .forward_mode import transform_jvp
from .front_half import analyze
from .generated import Generated
from .persistent import cache_dir
from .reverse_mode import transform

__all__ = ["Generated", "analyze", "cache_dir", "cached_functions", "compiled", "compiled_jvp",
           "forget_all", "skipping", "specialized", "transform", "transform_jvp", "variants"]
