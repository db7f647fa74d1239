"""From gast functions to live Python: unparse to readable NumPy, compile over the user's
globals and closure (`codegen`), and the generated entry that checks a call's arguments
and runs the fused gradient (`entry`). The place for other targets (portable duck arrays,
JAX)."""
