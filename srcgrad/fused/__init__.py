"""Rewrites of the fused gradient (both sweeps in one function, what a `grad` call runs):
names that only copy another gone, products with the seed 1.0 folded, statements moved
next to their reader, arrays freed after their last use and computed into when they die,
a loop's per-step products done once over all steps. The sweeps' own statements are never
changed: a pass that rewrites one works on a copy (`.source` and forward mode read them)."""
