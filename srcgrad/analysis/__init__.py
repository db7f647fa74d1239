"""Facts about the function, no rewriting: which values carry gradients (`activity`), their
shapes (`shape_inference`) and dtypes (`dtypes`), which adjoints cancel
(`shift_invariance`), what an expression does with arrays (`effects`), what a loop binds
and changes (`loop_facts`)."""
