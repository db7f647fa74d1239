"""What srcgrad refuses to differentiate, and how to write it instead: one table, read by
the checks that raise the errors and by tools/gen_supported.py, which prints it in
docs/supported.md (so the page and the messages cannot drift apart)."""

from __future__ import annotations

from dataclasses import dataclass

import gast


@dataclass(frozen=True)
class Refusal:
    what: str  # what the user wrote, as the error names it
    instead: str  # how to write it instead (the error's hint)

    def error(self, src, node, detail=""):
        """The SrcGradError at `node` of `src` (its file, line and caret)."""
        return src.error(node, f"srcgrad cannot differentiate {self.what}{detail}",
                         f"Instead: {self.instead}.")


_PLAIN = "use a plain function"
_ARGUMENT = "pass the value in as an argument and return results"

# construct (a gast node type or a name) -> Refusal, in the order the page lists them
REFUSALS = {
    "try_jump": Refusal("a `return`, `break` or `continue` inside a `try` that has a "
                        "`finally`", "assign the result, and return after the `try`"),
    gast.With: Refusal("a `with` statement",
                       "move the `with` block outside the differentiated function"),
    gast.Global: Refusal("a `global` statement", _ARGUMENT),
    "nonlocal": Refusal("a `nonlocal` statement in a function differentiated or transformed "
                        "on its own (a closure's variable)",
                        "pass the value in as an argument and return results; `nonlocal` "
                        "works in a function defined inside the differentiated one"),
    gast.ClassDef: Refusal("a class definition", "define the class at module level"),
    gast.Delete: Refusal("a `del` statement",
                         "drop the `del`; names are freed when the function returns"),
    gast.Import: Refusal("an `import` inside the function", "import at module level"),
    gast.ImportFrom: Refusal("an `import` inside the function", "import at module level"),
    gast.Yield: Refusal("`yield`", "return a value instead"),
    gast.YieldFrom: Refusal("`yield from`", "return a value instead"),
    "walrus": Refusal("an assignment expression (:=) inside `and`/`or`, an f-string or a "
                      "set display", "assign in a statement of its own"),
    gast.Starred: Refusal("a starred assignment target (`a, *rest = ...`)",
                          "index the items: `a, rest = t[0], t[1:]`"),
    "spread": Refusal("`*t` of a value whose length srcgrad does not know where it transforms "
                      "the function",
                      "build `t` once as a tuple or list display in the function (`t = (a, b)`), "
                      "pass it as an argument of the call (the code made for its length), or "
                      "pass the items one by one"),
    gast.AsyncFor: Refusal("an `async for` loop", _PLAIN),
    gast.AsyncWith: Refusal("an `async with` statement", _PLAIN),
    gast.AsyncFunctionDef: Refusal("a nested async function", "define the helper at module level"),
    gast.Await: Refusal("`await`", _PLAIN),
    "kwargs": Refusal("a call of a helper that takes **kwargs, where srcgrad cannot write "
                      "the helper out in place (it passes keywords on only there)",
                      "give each keyword a name in the helper's signature, or make the "
                      "helper a plain function of the same module, without a closure or "
                      "recursion"),
    "keyword_dict": Refusal("`**` of a dict whose keys srcgrad cannot know",
                            "read the dict only as `**kw`, `kw['k']`, `kw.get('k', default)` "
                            "or `'k' in kw`, and never change it or hand it on as a value; "
                            "a keyword that changes is passed by name (`act(z, alpha=0.2)`)"),
    "introspection": Refusal("`eval()`, `exec()`, `locals()`, `vars()` or `globals()`: they "
                             "read variables by name, out of sight of the transformation",
                             "use the variables directly"),
    "out": Refusal("a result written into `out=`: srcgrad does not follow writes into an "
                   "existing array", "assign the result: `y = np.multiply(a, b)`"),
    "attribute_target": Refusal("assignment into an attribute or a nested element",
                                "assign to a variable, or to `array[index]` of an array made "
                                "in the function"),
    "chained_assignment": Refusal("chained assignment (a = b = ...)",
                                  "assign each name in a statement of its own"),
    "module_write": Refusal("a change in place of a value the module holds (`BUF[i] = v`, "
                            "`LOG.append(v)`)",
                            "keep the function free of effects: return the value "
                            "(`grad(f, has_aux=True)` hands it back) and store it outside"),
    "def_in_loop": Refusal("a `def` inside a loop's body",
                           "define the function before the loop and pass what changes as "
                           "an argument (a lambda in the loop works too)"),
    "def_in_branch": Refusal("a call of a function defined (by `def`, a lambda or "
                             "functools.partial) in a branch of an `if` before it, where the "
                             "name means a different function on each path",
                             "define each function before the `if` under its own name and "
                             "call the one the branch picks"),
    "recursion": Refusal("a function that calls itself, directly or through others",
                         "rewrite the recursion as a loop (a tree of layers: `for layer in "
                         "layers: h = step(layer, h)`)"),
    "nested_signature": Refusal("a nested function or lambda with *args or a decorator",
                                "name each parameter, or define it at module level"),
    "function_value": Refusal("a nested function, lambda or partial used as a value (kept in "
                              "a list, returned, passed to a function other than map, "
                              "reduce and partial)",
                              "call it directly, or define it at module level"),
    "partial_passed": Refusal("a functools.partial passed as an argument and called other "
                              "than in the function it is passed to (handed on to a helper, "
                              "mapped)",
                              "call it in the function it is passed to, or pass the function "
                              "and the values it fixes as arguments of their own"),
    "partial_splat": Refusal("`functools.partial(f, *args)` or `functools.partial(f, **d)`",
                             "pass the arguments one by one"),
    "sort_key": Refusal("`sorted(items, key=...)`",
                        "sort by index: `order = np.argsort(keys)`, then `[items[i] for i in "
                        "order]`"),
    "extreme_key": Refusal("`max(items, key=...)` or `min(items, key=..., default=...)`",
                           "choose by index: `items[int(np.argmax(keys))]`"),
    "tuple_return": Refusal("a function returning a tuple, in grad",
                            "grad(f, has_aux=True) for `return loss, aux`; srcgrad.vjp for a "
                            "vector output"),
    "grad_inside": Refusal("a call of a srcgrad gradient inside the differentiated function "
                           "(a gradient penalty, a MAML step)",
                           "srcgrad.hessian, srcgrad.hvp or grad(grad(f)) for second "
                           "derivatives of f itself"),
}


def refusal(construct) -> Refusal | None:
    """The table's entry for a construct (a gast node type or a name), or None."""
    return REFUSALS.get(construct)
