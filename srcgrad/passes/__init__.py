"""Rewrites of the sweeps: plain NumPy where the shapes decide a helper (`specialize`),
adjoints that stay numbers or columns (`small_adjoints`), constants folded and dead code
dropped (`simplify`), `d += e` where the sweep owns the array (`accumulate`)."""
