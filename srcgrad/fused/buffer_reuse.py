"""Compute into an array about to die, in the fused gradient.

After `release`, a statement followed by `del v` is the last to read `v`. If `v` is a
large array the function made itself and never shared (see accumulate.py), an arithmetic
operation on it whose result has v's shape can write into v instead of a new array::

    t4 = np.exp(t3)                 t4 = np.exp(t3, out=spare(t3))
    del t3                   ->     del t3
    d_t4 = d_t5 * t1                d_t4 = np.multiply(d_t5, t1, out=spare(t1, d_t5))
    del d_t5, t1                    del d_t5, t1

A statement of several operations becomes a chain of single ones, each large
intermediate named (the statement's own target first) so the next can write into it::

    d_t2 = d_h * (1 - h * h)        d_t2 = np.multiply(h, h, out=spare(h))
    del d_h, h               ->     d_t2 = np.subtract(1, d_t2, out=spare(d_t2))
                                    d_t2 = np.multiply(d_h, d_t2, out=spare(d_t2, d_h))
                                    del d_h, h

An operation with nothing to write into takes the array the statement before released
(its `del` moves after it): `d_x_term = np.cos(x, out=spare(d_t2, x))`.

One array fewer is alive at a time, and the memory is cache-warm. The statement before
the final `return` is the last to read every name it reads but the returned ones. `spare`
(runtime/buffers.py) gives `v` only if the result's dtype would be v's (specialized code
knows shapes, not dtypes), else None: a new array, as before. `v` must be read only by the
operation that writes into it (a later read would see the result), and the other operands
must be names or constants (they are read twice).
"""

from __future__ import annotations

from collections import Counter

import gast
import numpy as np

from ..analysis import effects
from ..analysis.adjoint_shapes import arithmetic_of
from ..analysis.effects import makes_new
from ..analysis.shape_inference import size as size_of
from ..ir import build
from ..rules.facts import of_operator, ufunc_name, unary_ufunc

MIN_SIZE = 1 << 14  # elements: below this the memory is small and the check costs more



def run(body: list, ctx) -> list:
    """`body` (top-level statements of the fused gradient, with free_after_last_use's
    `del`s) with operations on a dying array computed into it. An operation certainly
    giving a float64 array (ctx.float64) writes into a float64 array without `spare`'s
    check, whatever its size."""
    owned = _owned(body, ctx.keep)
    taken = set()  # arrays computed into: alive under another name after their `del`
    out, late_dels = [], {}  # {position of a `del`: the names it releases too}
    for i, stmt in enumerate(body):
        after = body[i + 1] if i + 1 < len(body) else None
        if i in late_dels:  # a copy: no statement changes in place (ir/index.py)
            stmt = build.shallow_copy(stmt, targets=stmt.targets + late_dels.pop(i))
        if not isinstance(stmt, (gast.Assign, gast.AugAssign)) or after is None:
            out.append(stmt)
            continue
        if isinstance(after, gast.Delete):
            dying = [t.id for t in after.targets if isinstance(t, gast.Name) and t.id in owned]
        elif isinstance(after, gast.Return) and i + 2 == len(body):  # release frees none here
            dying = sorted({n.id for n in build.names(stmt.value) if n.id in owned})
        else:
            dying = []
        top = _large_operation(stmt.value, ctx)
        if top is None:  # nothing to write into
            out.append(stmt)
            continue
        freed = out[-1] if out and isinstance(out[-1], gast.Delete) else None
        donors = [t.id for t in freed.targets if t.id in owned and t.id not in taken] \
            if freed else []
        chain = Chain(stmt, dying, donors, ctx, top=top)
        if not chain.rewrite():
            out.append(stmt)
            continue
        taken |= chain.buffers
        if chain.donated:  # released after the statement that writes into it
            out.pop()
            targets = [t for t in freed.targets if t.id != chain.donated]
            if targets:
                out.append(build.shallow_copy(freed, targets=targets))
        out.extend(chain.before + [chain.stmt])
        late = ([chain.donated] if chain.donated else []) + chain.made
        if late:
            if isinstance(after, gast.Delete):
                late_dels[i + 1] = build.delete(late).targets
            else:
                out.append(build.delete(late))
    return out


class Chain:
    """One statement as single operations, each into an operand that dies with it, the
    intermediate before it, or the array released just before (a donor)."""

    def __init__(self, stmt, dying, donors, ctx, in_loop=False, top=None):
        """`in_loop` (loop_buffer_reuse.py): no new name, no number read twice, and no run-time
        check (a statement that would need one stays as it was). `top`: the shape of the
        statement's value and whether it is certainly float64, if known."""
        # a copy: the sweeps' statement stays as it was (forward mode copies those)
        self.stmt = build.clone(stmt)
        self.ctx, self.in_loop, self.top = ctx, in_loop, top
        self.numbers = frozenset() if in_loop else ctx.numbers
        self.float64_names = set()  # intermediates made here, certainly float64 arrays
        self.reads = Counter(n.id for n in build.names(stmt.value))
        targets = _target_names(stmt)
        self.dying, self.donors = set(dying) - targets, [d for d in donors if d not in targets]
        own = (stmt.targets[0].id if isinstance(stmt, gast.Assign)
               and isinstance(stmt.targets[0], gast.Name) else None)
        self.spare_names = [own] if own and own not in self.reads else []
        self.stmt_base = own or next(iter(sorted(targets)), "t")
        self.before, self.made, self.donated, self.changed = [], [], None, False
        self.checked = False  # some operation writes through runtime.spare
        self.sizes, self.live, self.results, self.buffers = {}, set(), {}, set()

    def rewrite(self) -> bool:
        self.stmt.value = self._eval(self.stmt.value, self.top)
        return self.changed

    def _eval(self, node, known=None):
        spec = operation(node, self.ctx.numpy)
        if spec is None:
            return node
        func, operands = spec
        # (before the operands are rewritten)
        size, static = known or (self.ctx.shape(node), self.ctx.certainly_float64(node))
        args = [self._eval(o) for o in operands]
        if size is None or (size_of(size) < MIN_SIZE and not static):
            return _rebuild(node, args)
        buffer, args = self._buffer(args, size)
        if buffer is None:
            node = _rebuild(node, args)
            self.results[id(node)] = (size, None, static)  # new: the next may write into it
            return node
        others = list(dict.fromkeys(a.id for a in args
                                    if isinstance(a, gast.Name) and a.id != buffer))
        self.live -= {a.id for a in args if isinstance(a, gast.Name)}
        if static and (buffer in self.float64_names
                       or self.ctx.certainly_float64(build.load(buffer))):
            out = build.load(buffer)  # float64 into float64: nothing to ask at run time
            args = [_as_float(a) for a in args]
            if func == "multiply" and sorted(build.number(a) == 1.0 for a in args) == [False, True]:
                other = next(a for a in args if build.number(a) != 1.0)
                if isinstance(other, gast.Name) and other.id == buffer:
                    self.buffers.add(buffer)  # 1.0 * v into v is v: no operation at all
                    self.changed = True
                    return other
        else:
            spare = "spare" if self.in_loop else self.ctx.code_name("spare")  # (in a loop:
            out = build.call(build.load(spare), build.load(buffer),  # dropped, not bound)
                             *map(build.load, others))
            self.checked = True
        result = build.call(build.attr(build.load(self.ctx.numpy), func), *args, out=out)
        self.results[id(result)] = (size, buffer, static)
        self.buffers.add(buffer)
        self.changed = True
        return result

    def _buffer(self, args, size):
        """The array an operation on `args` with a result of shape `size` writes into (or
        None), and the arguments, its intermediates of that shape among them named."""
        large = [k for k, a in enumerate(args) if self.results.get(id(a), (None,))[0] == size]
        if not all(build.is_atom(a) or arithmetic_of(a, self.numbers)
                   for k, a in enumerate(args) if k not in large):
            return None, args  # names are read twice: by the operation and by `spare`
        args = list(args)
        for k in large:
            _, into, made_static = self.results[id(args[k])]
            name = self._name(into)
            if name is None:
                return None, args
            if made_static:  # computed as float64, into a new array or one that keeps it
                self.float64_names.add(name)
            else:
                self.float64_names.discard(name)
            self.before.append(build.assign(name, args[k], self.stmt))
            self.sizes[name] = size
            self.live.add(name)
            args[k] = build.load(name)
        names = [a.id for a in args if isinstance(a, gast.Name)]
        for name in names:  # an intermediate of this statement, then an array dying with it
            if name in self.live and self.sizes[name] == size:
                return name, args
        for name in names:
            if (name in self.dying and names.count(name) == self.reads[name]
                    and self.ctx.shape(build.load(name)) == size):
                return name, args
        for donor in self.donors[:1]:
            if self.donated is None and self.ctx.shape(build.load(donor)) == size:
                self.donated = donor
                return donor, args
        return None, args

    def _name(self, buffer):
        """The name of an intermediate: that of the one it was computed into, else the
        statement's target, else a new one (None: none may be made)."""
        if buffer in self.sizes:
            return buffer
        if self.spare_names:
            return self.spare_names.pop()
        if self.in_loop:
            return None
        name = self.ctx.fresh(f"{self.stmt_base}_term")
        self.made.append(name)
        return name


def _large_operation(node, ctx):
    """(its shape, whether certainly float64) if `node` is an elementwise operation with a
    large result (its operands, whose results broadcast into it, are no larger), or one
    certainly giving a float64 array; else None."""
    if operation(node, ctx.numpy) is None:
        return None
    size = ctx.shape(node)
    if size is None:
        return None
    static = ctx.certainly_float64(node)
    return (size, static) if static or size_of(size) >= MIN_SIZE else None


def operation(node, numpy):
    """(NumPy function, operands) of one elementwise operation, else None."""
    if isinstance(node, gast.BinOp) and of_operator(node.op).correctly_rounded:  # + - * /
        return ufunc_name(node.op), [node.left, node.right]  # (`**`: np.power is slow)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return "negative", [node.operand]
    if (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
            and isinstance(node.func.value, gast.Name) and unary_ufunc(node.func.attr)
            and len(node.args) == 1 and not node.keywords
            and node.func.value.id == numpy):
        return node.func.attr, [node.args[0]]
    return None


def _as_float(node):
    """An int constant as the equal float: the same result where the operation's is a
    float64 array (NumPy converts the int so), without the conversion at each call."""
    if (isinstance(node, gast.Constant) and type(node.value) is int
            and abs(node.value) <= 2 ** 53):
        return build.const(float(node.value))
    return node


def _rebuild(node, args):
    if isinstance(node, gast.BinOp):
        node.left, node.right = args
    elif isinstance(node, gast.UnaryOp):
        node.operand, = args
    else:
        node.args = args
    return node





def _target_names(stmt) -> set:
    targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
    return {n.id for n in build.names(targets)}


def _owned(body, keep) -> set:
    """Names bound once, at the top level, to a new array (an arithmetic result, a fresh
    NumPy call), and never shared: every read is an operand of arithmetic or an argument
    of a function that returns a new array (effects.disown)."""
    counts, fresh = {}, set()
    for stmt in body:
        if isinstance(stmt, gast.Assign):
            for name in _target_names(stmt):
                counts[name] = counts.get(name, 0) + 1
            target = stmt.targets[0]
            if isinstance(target, gast.Name) and makes_new(stmt.value):
                fresh.add(target.id)
        elif not isinstance(stmt, (gast.AugAssign, gast.Delete, gast.Expr)):
            for node in build.names(stmt):  # nested blocks: names bound there are not reused
                if isinstance(node.ctx, gast.Store):
                    counts[node.id] = counts.get(node.id, 0) + 2
    owned = {n for n in fresh if counts.get(n) == 1 and n not in keep}
    for stmt in body:
        if isinstance(stmt, gast.AugAssign) and isinstance(stmt.value, gast.Name):
            continue  # `d_x -= d_t2`: an operand of arithmetic
        if isinstance(stmt, (gast.Assign, gast.AugAssign)):
            effects.disown(stmt.value, owned)
            if isinstance(stmt, gast.Assign) and not isinstance(stmt.targets[0], gast.Name):
                effects.disown(stmt.targets[0], owned)
        elif not isinstance(stmt, gast.Delete):
            effects.disown(stmt, owned)
    return owned
