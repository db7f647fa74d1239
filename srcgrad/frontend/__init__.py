"""The front half: from a Python function to normalized, SSA-form statements, each
operation bound to its rule. Read the source (`source`), refuse what cannot be
differentiated (`fence`), one operation per statement (`normalize`, `loop_exits`),
helpers written out in place (`inline`), updates in place followed (`aliasing`), one name
per value (`ssa`), each call resolved to the object it names (`resolve`)."""
