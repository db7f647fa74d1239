"""Automatic differentiation proper: the backward sweep (`reverse`, its loop tapes in
`tapes`) and the tangent sweep (`forward`) of normalized code, each operation's rule
instantiated from its template (`templates`), calls of the user's own functions as calls
of their own generated code (`calls`)."""
