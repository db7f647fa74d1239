"""The fast way into a `grad` call: one small generated function per specialized variant.

A cached `grad` call used to describe every argument (`api._key`), look the variant up,
check its guards and then check each gradient (`api._owned`): about 2 µs of work in
Python around a few µs of generated code on small problems. Once a call has gone that
way, the variant gets an *entry*: straight-line code that checks exactly what the
variant was specialized on (the number of arguments, the type of each, and the shape and
dtype of each array), that no name the code resolved was rebound, runs the fused
function, and checks each gradient as `_owned` would::

    def scalar_fn_entry(*args):
        if len(args) != 2:
            return MISS
        a0, a1 = args
        if type(a0) is not float:
            return MISS
        if type(a1) is not ndarray or a1.shape != (100,) or a1.dtype is not D1:
            return MISS
        if G0.get('np', O0) is not O0:
            return MISS
        try:
            g = call(a0, a1)
        except ZeroDivisionError:
            return MISS
        except Exception as exc:
            annotate(exc)
            raise
        g0, g1 = g
        if (type(g1) is not ndarray or g1.base is not None or g1.shape != (100,)
                or g1.dtype is not D1 or g1 is a1 or a1.base is not None
                or not g1.flags.writeable):
            return finish(g, [a0, a1])
        return (float(g0), g1)

`MISS` sends the call the general way (`GradientFunction._call`), which gives the same
result or raises the same error; so an entry only has to be right when it answers.
`finish(g, inputs)` is the general handling (`_like`, `_distinct`) of gradients
that are not what the variant usually makes.
"""

from __future__ import annotations

import numpy as np

from . import codegen

MISS = object()  # "not for this entry": take the general path


def miss(*args):
    """The entry of a function not called yet."""
    return MISS


def annotate(exc):
    note = codegen.explain(exc)
    if note and hasattr(exc, "add_note"):
        exc.add_note(note)


def build(name, generated, args, wrt_index, single, finish):
    """The entry for calls shaped like `args` (positional only) that run the fused
    `generated.call`, whose wrt arguments are at `wrt_index` (floats or float arrays);
    None when the arguments are of a kind an entry does not check (then every call takes
    the general path)."""
    name = name if name.isidentifier() else "f"
    env = {"MISS": MISS, "ndarray": np.ndarray, "call": generated.call,
           "annotate": annotate, "finish": finish}
    names = [f"a{i}" for i in range(len(args))]
    lines = [f"def {name}_entry(*args):",
             f"    if len(args) != {len(args)}:", "        return MISS"]
    if args:
        lines.append(f"    {', '.join(names)}{',' if len(args) == 1 else ''} = args")
    for i, a in enumerate(args):
        if type(a) is float or type(a) is int:
            test = f"type(a{i}) is not {type(a).__name__}"
        elif type(a) is np.ndarray and a.dtype.kind in "fiub":
            env[f"D{i}"] = a.dtype
            test = f"type(a{i}) is not ndarray or a{i}.shape != {a.shape!r} or a{i}.dtype is not D{i}"
        else:
            return None
        lines += [f"    if {test}:", "        return MISS"]
    guards = _guards(generated)
    if guards is None:
        env["current"] = generated.current
        lines += ["    if not current():", "        return MISS"]
    elif guards:
        tests = []
        for j, (space, key, obj) in enumerate(guards):
            env[f"G{j}"], env[f"O{j}"] = space, obj
            tests.append(f"G{j}.get({key!r}, O{j}) is not O{j}")
        lines += [f"    if {' or '.join(tests)}:", "        return MISS"]
    lines += ["    try:", f"        g = call({', '.join(names)})",
              "    except ZeroDivisionError:", "        return MISS",  # see GradientFunction._general_grads
              "    except Exception as exc:", "        annotate(exc)", "        raise"]
    outs = [f"g{k}" for k in range(len(wrt_index))]
    if len(outs) == 1:
        lines.append("    g0 = g")
    else:
        lines.append(f"    {', '.join(outs)} = g")
    results, arrays = [], []
    for k, i in enumerate(wrt_index):
        a = args[i]
        if type(a) is float:
            results.append(f"float(g{k})")
            continue
        test = (f"type(g{k}) is not ndarray or g{k}.base is not None or g{k}.shape != {a.shape!r}"
                f" or g{k}.dtype is not D{i} or g{k} is a{i} or a{i}.base is not None"
                + "".join(f" or g{k} is {other}" for other in arrays)
                + f" or not g{k}.flags.writeable")
        lines += [f"    if {test}:", f"        return finish(g, [{', '.join(f'a{j}' for j in wrt_index)}])"]
        arrays.append(f"g{k}")
        results.append(f"g{k}")
    if single:
        lines.append(f"    return {results[0]}")
    else:
        lines.append(f"    return ({', '.join(results)}{',' if len(results) == 1 else ''})")
    text = "\n".join(lines) + "\n"
    exec(compile(text, f"<srcgrad entry of {name}>", "exec"), env)
    entry = env[f"{name}_entry"]
    entry.source = text
    entry.generated = generated
    return entry


def _guards(generated):
    """The (namespace dict, name, object) guards of `generated` and its helpers, each
    once; None if some guard is not on a dict (then the entry calls `current()`)."""
    out, seen, stack, visited = [], set(), [generated], set()
    while stack:
        g = stack.pop()
        if id(g) in visited:
            continue
        visited.add(id(g))
        for space, key, obj in g.guards:
            if space is None:
                continue
            if not isinstance(space, dict):
                return None
            if (id(space), key) not in seen:
                seen.add((id(space), key))
                out.append((space, key, obj))
        stack.extend(g.helpers)
    return out
