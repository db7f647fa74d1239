"""The intermediate representation every layer shares: gast builders and queries
(`build`), the namer of generated code (`naming`), and pytrees of arrays (`pytree`).
Imports nothing of srcgrad but `errors`."""
