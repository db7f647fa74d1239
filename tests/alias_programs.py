"""Random programs that update values in place while other names, items or views hold them:
the aliasing model's test generator (tests/test_random_aliasing.py runs it).

`generate(category, seed, features)` returns a `Program`: the source text of a module with
a function `f` (and the helpers it calls), its inputs, which inputs to differentiate, and
what the program does (`flags`), so a refusal can be judged legitimate or not. Choices
come from `random.Random(seed)`: a seed reproduces its program exactly
(`print(generate("containers", 123).source())`).

Categories (CATEGORIES):

- containers: lists, tuples, dicts (built with `p = {}; p[k] = v`), nested lists, holding
  arrays, then updated in place (`+=`, `-=`, `*=`, `h[i] = e`, `h[1:] += e`, `.append`),
  in `for` loops and branches, read back through the container, `np.stack`, unpacking,
  aliases (`a = h`, `a = h if c > 0 else g`), loops over a list's items updating each.
- helpers: the program's own helpers that write their arguments (`a[:] = v`, `a[i] += v`,
  `a += v`, `a *= k`, `items.append(v)`), returning nothing, a number, or the argument,
  called in loops and branches, helpers calling helpers.
- views: `v = m[0]`, `m[1:]`, `m.T`, `np.reshape(m, ...)`, `m[:, 1]`, ..., then writes to
  `m` or through `v`: srcgrad must be exact or stop with a SrcGradError, never a wrong
  number.
- dicts_floats: dict iteration (`.items()`, `.values()`, `.keys()` then `p[k]`), Python
  floats updated with `+=` while another name (or a list) holds the old value.
- fancy: writes with repeated fancy indices (`out[[0, 0, 1]] = e`, `out[idx] += e`).

Features (FEATURES) switch on constructs that are off by default because they hit a known
bug (see tests/test_random_aliasing.py, KNOWN_BUGS): `subscript_aug` (`hs[0] += e`,
`d["k"] += e`), `list_setitem` (`hs[1] = h`), `list_concat` (`lst += [h]`, `t += (h,)`),
`method_views` (`m.reshape(...)`, `m.ravel()`, `m.transpose()`, `d.get(k)`, `hs.copy()`),
`zero_d` (0-d arrays updated with `+=`), `dict_iter` (`for k in p:`), `records`
(a namedtuple made in the function).

Values stay bounded (updates go through tanh/cos), branches test a non-differentiated
integer `c` or a loop counter, and every operation is smooth, so central finite
differences judge every gradient.
"""

from __future__ import annotations

import copy
import random
import zlib
from dataclasses import dataclass, field

import numpy as np

CATEGORIES = ("containers", "helpers", "views", "dicts_floats", "fancy", "changed_defaults")
FEATURES = frozenset({"subscript_aug", "list_setitem", "list_concat", "method_views",
                      "zero_d", "dict_iter", "records", "multi_write", "repeated_index",
                      "changed_defaults"})
N = 3  # vectors have shape (N,); matrices (2, N)

_UNARY = ["np.sin({})", "np.tanh({})", "np.cos({})", "({}) * 0.5", "np.exp(np.tanh({}))",
          "({}) ** 2"]
_BINARY = ["{} + {}", "{} - {}", "{} * {}", "{} * np.cos({})"]

HELPERS = '''

def put(a, v):
    a[:] = v


def put_first(a, v):
    a[0] = v


def add_at(a, i, v):
    a[i] += v


def bump(a, v):
    a += v
    return 0.5


def scale(a, k):
    a *= k


def bump_ret(a, v):
    a += v
    return a


def push(items, v):
    items.append(v)


def push_ret(items, v):
    items.append(v)
    return len(items)


def twice(a, v):
    bump(a, v)
    put_first(a, a[0] * 0.5)


def fill_rows(m, v):
    for i in range(2):
        m[i] = v * (i + 1.0)
'''


@dataclass
class Program:
    category: str
    seed: int
    lines: list  # the body of f, indented by 4
    params: list  # [(name, value)]
    wrt: tuple
    flags: set = field(default_factory=set)  # what the program does: "array_inplace", "view"
    helpers: bool = False
    records: bool = False
    extra: str = ""  # module-level text before f (the changed_defaults category)
    defaults: str = ""  # f's parameters with defaults: ", k=1.5"
    new_defaults: tuple | None = None  # given to f.__defaults__ after the first calls

    def source(self, mode: str = "plain") -> str:
        head = "import autograd.numpy as np\n" if mode == "autograd" else "import numpy as np\n"
        if self.records:
            head += "from collections import namedtuple\n\nRec = namedtuple('Rec', 'a b')\n"
        text = head + (HELPERS if self.helpers else "") + self.extra + "\n\n"
        signature = ", ".join(name for name, _ in self.params) + self.defaults
        return text + f"def f({signature}):\n" + "\n".join(self.lines) + "\n"

    def inputs(self) -> list:
        return [copy.deepcopy(value) for _, value in self.params]

    @property
    def autograd_ok(self) -> bool:
        """autograd runs the same program: no array is changed in place (its boxes are
        immutable: `h += v` would rebind)."""
        return "array_inplace" not in self.flags and "view" not in self.flags


# --- a model of the values, to keep the programs valid -----------------------------------


@dataclass(eq=False)
class Obj:
    kind: str  # vec, mat, float, list, tuple, dict, zero_d
    items: object = None  # list of Obj (list, tuple), dict of key -> Obj (dict)
    view: bool = False  # a view of another array


class _Gen:
    def __init__(self, category, seed, features):
        self.category, self.seed = category, seed
        self.features = frozenset(features)
        self.rng = random.Random(f"{category}/{seed}")
        self.lines: list = []
        self.indent = 1
        self.names: dict = {}  # name -> Obj
        self.count = 0
        self.flags: set = set()
        self.loop_vars: list = []
        self.c = self.rng.choice([0, 1])
        self.helpers = category == "helpers"
        self.records = False

    # -- small helpers ---------------------------------------------------------------

    def pick(self, seq):
        return self.rng.choice(list(seq))

    def chance(self, p) -> bool:
        return self.rng.random() < p

    def new(self, prefix) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def emit(self, text):
        self.lines.append("    " * self.indent + text)

    def of(self, *kinds) -> list:
        return [n for n, o in self.names.items() if o.kind in kinds]

    def bind(self, name, obj):
        self.names[name] = obj

    # -- expressions ---------------------------------------------------------------------

    def vec_expr(self, depth=2) -> str:
        """A new (3,) array, smooth in the inputs and in the vectors alive now."""
        leaves = self.leaves()
        if depth <= 0 or self.chance(0.3):
            base = self.pick(leaves)
            if self.loop_vars and self.chance(0.3):
                base = f"{base} * ({self.pick(self.loop_vars)} + 1.0)"
            return base
        if self.chance(0.5):
            return self.pick(_UNARY).format(self.vec_expr(depth - 1))
        return "(" + self.pick(_BINARY).format(self.vec_expr(depth - 1),
                                              self.vec_expr(depth - 1)) + ")"

    def fresh_vec(self) -> str:
        """An expression that is certainly a new array (not a name)."""
        return f"np.tanh({self.vec_expr()})"

    def scalar_expr(self) -> str:
        v = self.pick(["x", "y"] + self.of("vec"))
        i = self.rng.randrange(N)
        return self.pick([f"np.tanh({v}[{i}])", f"{v}[{i}] * 0.5", f"np.sin({v}[{i}])",
                          f"np.sum({v}) * 0.25"])

    def mat_expr(self) -> str:
        v = self.vec_expr(1)
        return self.pick([f"np.outer(np.tanh({v})[:2], y)", f"np.stack([{v}, x * 1.0])",
                          f"np.tanh(np.outer(x[:2], {v}))"])

    def condition(self) -> str:
        if self.loop_vars and self.chance(0.6):
            i = self.pick(self.loop_vars)
            return self.pick([f"{i} % 2 == 0", f"{i} == 1", f"{i} > 0"])
        return self.pick(["c > 0", "c == 0"])

    # -- statements common to the categories ------------------------------------------

    def make_vec(self):
        name = self.new("h")
        self.emit(f"{name} = {self.fresh_vec()}")
        self.bind(name, Obj("vec"))
        return name

    def alias(self):
        vecs = self.of("vec")
        if not vecs:
            return self.make_vec()
        name = self.new("a")
        src = self.pick(vecs)
        if len(vecs) > 1 and self.chance(0.4):
            other = self.pick([v for v in vecs if v != src])
            self.emit(f"{name} = {src} if {self.condition()} else {other}")
        else:
            self.emit(f"{name} = {src}")
        self.bind(name, self.names[src])
        return name

    def update_vec(self, name=None):
        """An update in place of a vector: every other reference sees it."""
        vecs = self.of("vec")
        if name is None:
            if not vecs:
                return
            name = self.pick(vecs)
        self.flags.add("array_inplace")
        i = self.rng.randrange(N)
        how = self.rng.randrange(7)
        if how == 0:
            self.emit(f"{name} += {self.vec_expr()}")
        elif how == 1:
            self.emit(f"{name} -= np.tanh({self.vec_expr()})")
        elif how == 2:
            self.emit(f"{name} *= np.cos({self.vec_expr()})")
        elif how == 3:
            self.emit(f"{name}[{i}] = {self.scalar_expr()}")
        elif how == 4:
            self.emit(f"{name}[{i}] += {self.scalar_expr()}")
        elif how == 5:
            self.emit(f"{name}[1:] += np.tanh({self.vec_expr()})[:2]")
        else:
            self.emit(f"{name}[:] = {self.fresh_vec()}")

    def read_vec(self) -> str | None:
        """An expression that reads a vector through a name or a container."""
        options = []
        for name, obj in self.names.items():
            options.extend(self.paths(name, obj, 2))
        return self.pick(options) if options else None

    def paths(self, text, obj, depth) -> list:
        if obj.kind == "vec":
            return [text]
        if depth <= 0 or obj.kind not in ("list", "tuple", "dict"):
            return []
        found = []
        if obj.kind == "dict":
            for key, item in list(obj.items.items())[:3]:
                found += self.paths(f"{text}[{key!r}]", item, depth - 1)
        else:
            for k, item in enumerate(obj.items[:2]):
                found += self.paths(f"{text}[{k}]", item, depth - 1)
            if obj.items:
                found += self.paths(f"{text}[-1]", obj.items[-1], depth - 1)
        return found

    def capture(self):
        """`r = <read through a container>`: a name bound now, read at the end."""
        path = self.read_vec()
        if path is None:
            return
        name = self.new("r")
        self.emit(f"{name} = {path}")
        self.bind(name, self._resolve(path))

    def _resolve(self, path) -> Obj:
        """The object a path like `hs[0]['k']` reaches in the model."""
        import ast
        node = ast.parse(path, mode="eval").body
        keys = []
        while isinstance(node, ast.Subscript):
            keys.append(ast.literal_eval(node.slice))
            node = node.value
        obj = self.names[node.id]
        for key in reversed(keys):
            obj = obj.items[key]
        return obj

    def float_ops(self):
        floats = self.of("float")
        if not floats or self.chance(0.3):
            name = self.new("s")
            self.emit(f"{name} = float({self.scalar_expr()})"
                      if self.chance(0.5) else f"{name} = {self.scalar_expr()} * 1.0")
            self.bind(name, Obj("float"))
            return
        name = self.pick(floats)
        how = self.rng.randrange(4)
        if how == 0:
            old = self.new("old")
            self.emit(f"{old} = {name}")
            self.bind(old, self.names[name])
            self.emit(f"{name} += {self.scalar_expr()}")
            self.bind(name, Obj("float"))
        elif how == 1:
            self.emit(f"{name} *= np.cos({self.scalar_expr()})")
            self.bind(name, Obj("float"))
        elif how == 2:
            held = self.new("fs")
            self.emit(f"{held} = [{name}, {name} * 2.0]")
            self.bind(held, Obj("list", [self.names[name], Obj("float")]))
            self.emit(f"{name} += {self.scalar_expr()}")
            self.bind(name, Obj("float"))
        else:
            self.emit(f"{name} -= {self.scalar_expr()}")
            self.bind(name, Obj("float"))

    # -- control flow ------------------------------------------------------------------

    def loop(self, body, count=None):
        i = self.new("i")
        count = count or self.rng.randint(1, 3)
        self.emit(f"for {i} in range({count}):")
        self.indent += 1
        self.loop_vars.append(i)
        before = len(self.lines)
        body()
        if len(self.lines) == before:
            self.emit("pass")
        self.loop_vars.pop()
        self.indent -= 1

    def branch(self, body, orelse=None):
        cond = self.condition()
        taken = eval(cond, {"c": self.c}) if cond.startswith("c ") else None
        self.emit(f"if {cond}:")
        self.indent += 1
        saved = self._save()
        body()
        then = self._save()
        self.indent -= 1
        if orelse is not None:
            self._restore(saved)
            self.emit("else:")
            self.indent += 1
            orelse()
            self.indent -= 1
            if taken:
                self._restore(then)
        elif taken is False:
            self._restore(saved)

    def _save(self):
        return copy.deepcopy(self.names), set(self.flags)

    def _restore(self, state):
        names, flags = state
        self.names = copy.deepcopy(names)
        self.flags |= flags

    # -- the result --------------------------------------------------------------------

    def finish(self):
        terms = []
        weights = ["x", "y", "np.sin(x)", "np.cos(y)"]
        for name, obj in self.names.items():
            if obj.kind == "vec":
                terms.append(f"np.sum({name} * {self.pick(weights)})")
            elif obj.kind == "float":
                terms.append(f"{name} * {self.pick(['0.5', '1.5', 'x[0]', 'y[1]'])}")
            elif obj.kind == "mat":
                terms.append(f"np.sum({name} * np.outer(np.ones(2), {self.pick(weights)}))")
            elif obj.kind in ("list", "tuple", "dict"):
                for path in self.paths(name, obj, 2)[:3]:
                    terms.append(f"np.sum({path} * {self.pick(weights)})")
                if obj.kind == "list" and obj.items and all(o.kind == "vec" for o in obj.items):
                    terms.append(f"np.sum(np.stack({name}) ** 2) * 0.1")
            elif obj.kind == "zero_d":
                terms.append(f"float({name}) * 0.5")
        if not terms:
            terms = ["np.sum(x * y)"]
        self.emit("return " + " + ".join(terms[:8] if len(terms) <= 8 else
                                         self.rng.sample(terms, 8)))

    def program(self, params, wrt) -> Program:
        return Program(self.category, self.seed, self.lines, params, wrt, self.flags,
                       self.helpers, self.records)

    def leaves(self) -> list:
        return ["x", "y"] + self.of("vec")


# --- the categories --------------------------------------------------------------------------


class _Containers(_Gen):
    def statement(self, depth=0):
        kinds = ["vec", "alias", "list", "tuple", "dict", "nested", "append", "update",
                 "update", "update", "capture", "float", "item_loop", "unpack"]
        if depth < 2:
            kinds += ["loop", "branch", "loop"]
        if "subscript_aug" in self.features:
            kinds += ["subscript_aug"]
        if "list_setitem" in self.features:
            kinds += ["list_setitem"]
        if "list_concat" in self.features:
            kinds += ["list_concat"]
        if "zero_d" in self.features:
            kinds += ["zero_d"]
        if "records" in self.features:
            kinds += ["record"]
        kind = self.pick(kinds)
        vecs = self.of("vec")
        lists = [n for n in self.of("list") if all(o.kind == "vec" for o in self.names[n].items)]
        if kind == "vec" or (not vecs and kind in ("alias", "list", "tuple", "dict", "update")):
            self.make_vec()
        elif kind == "alias":
            self.alias()
        elif kind == "list":
            name = self.new("hs")
            items = [self.pick(vecs) for _ in range(self.rng.randint(0, 3))]
            if self.chance(0.3):
                items.append(self.fresh_vec())
                self.emit(f"{name} = [{', '.join(items)}]")
                self.bind(name, Obj("list", [self.names[n] for n in items[:-1]] + [Obj("vec")]))
            else:
                self.emit(f"{name} = [{', '.join(items)}]")
                self.bind(name, Obj("list", [self.names[n] for n in items]))
        elif kind == "tuple":
            name = self.new("t")
            items = [self.pick(vecs) for _ in range(self.rng.randint(1, 3))]
            self.emit(f"{name} = ({', '.join(items)},)")
            self.bind(name, Obj("tuple", [self.names[n] for n in items]))
        elif kind == "dict":
            name = self.new("p")
            self.emit(f"{name} = {{}}")
            obj = Obj("dict", {})
            for key in self.rng.sample(["a", "b", "w"], self.rng.randint(1, 3)):
                item = self.pick(vecs)
                self.emit(f"{name}[{key!r}] = {item}")
                obj.items[key] = self.names[item]
            self.bind(name, obj)
        elif kind == "nested":
            containers = self.of("list", "tuple", "dict")
            if not containers:
                return self.statement(depth)
            name = self.new("n")
            items = [self.pick(containers) for _ in range(self.rng.randint(1, 2))]
            if vecs and self.chance(0.5):
                items.append(self.pick(vecs))
            self.emit(f"{name} = [{', '.join(items)}]")
            self.bind(name, Obj("list", [self.names[n] for n in items]))
        elif kind == "append":
            if not lists:
                return self.statement(depth)
            name = self.pick(lists)
            if vecs and self.chance(0.6):
                item = self.pick(vecs)
                self.emit(f"{name}.append({item})")
                self.names[name].items.append(self.names[item])
            else:
                self.emit(f"{name}.append({self.fresh_vec()})")
                self.names[name].items.append(Obj("vec"))
        elif kind == "update":
            self.update_vec()
        elif kind == "capture":
            self.capture()
        elif kind == "float":
            self.float_ops()
        elif kind == "item_loop":
            full = [n for n in lists if self.names[n].items]
            if not full:
                return self.statement(depth)
            src = self.pick(full)
            v = self.new("v")
            self.emit(f"for {v} in {src}:")
            self.indent += 1
            self.flags.add("array_inplace")
            how = self.rng.randrange(3)
            if how == 0:
                self.emit(f"{v} += np.tanh(x) * 0.5")
            elif how == 1:
                self.emit(f"{v}[{self.rng.randrange(N)}] = np.sin({v}[0]) * y[1]")
            else:
                self.emit(f"{v} *= np.cos(y)")
            self.indent -= 1
        elif kind == "unpack":
            tuples = [n for n in self.of("tuple") if len(self.names[n].items) >= 2]
            if not tuples:
                return self.statement(depth)
            src = self.pick(tuples)
            items = self.names[src].items
            targets = [self.new("u") for _ in items]
            self.emit(f"{', '.join(targets)} = {src}")
            for t, o in zip(targets, items):
                self.bind(t, o)
        elif kind == "loop":
            self.loop(lambda: [self.statement(depth + 1)
                               for _ in range(self.rng.randint(1, 3))])
        elif kind == "branch":
            body = lambda: [self.statement(depth + 1) for _ in range(self.rng.randint(1, 2))]
            self.branch(body, body if self.chance(0.5) else None)
        elif kind == "subscript_aug":
            holders = [n for n in self.of("list", "dict") if self.names[n].items]
            if not holders:
                return self.statement(depth)
            src = self.pick(holders)
            obj = self.names[src]
            key = self.pick(list(obj.items)) if obj.kind == "dict" else 0
            if obj.items[key].kind != "vec":
                return self.statement(depth)
            self.flags.add("array_inplace")
            self.emit(f"{src}[{key!r}] {self.pick(['+=', '*=', '-='])} np.tanh({self.vec_expr()})")
        elif kind == "list_setitem":
            full = [n for n in lists if self.names[n].items]
            if not full or not vecs:
                return self.statement(depth)
            src = self.pick(full)
            k = self.rng.randrange(len(self.names[src].items))
            item = self.pick(vecs)
            self.emit(f"{src}[{k}] = {item}")
            self.names[src].items[k] = self.names[item]
        elif kind == "list_concat":
            if not vecs:
                return self.statement(depth)
            if lists and self.chance(0.6):
                src = self.pick(lists)
                item = self.pick(vecs)
                self.emit(f"{src} += [{item}]")
                self.names[src].items.append(self.names[item])
            else:
                tuples = [n for n in self.of("tuple")
                          if all(o.kind == "vec" for o in self.names[n].items)]
                if not tuples:
                    return self.statement(depth)
                src = self.pick(tuples)
                item = self.pick(vecs)
                self.emit(f"{src} += ({item},)")
                self.bind(src, Obj("tuple", self.names[src].items + [self.names[item]]))
        elif kind == "zero_d":
            name = self.new("z")
            self.emit(f"{name} = np.zeros(())")
            self.bind(name, Obj("zero_d"))
            holder = self.new("zs")
            self.emit(f"{holder} = [{name}]")
            self.flags.add("array_inplace")
            self.loop(lambda: self.emit(f"{name} += {self.scalar_expr()}"))
            self.bind(holder, Obj("list", [Obj("vec_hidden")]))
            self.emit(f"{self.new('s')} = float({holder}[0])")
            self.bind(f"s{self.count}", Obj("float"))
        elif kind == "record":
            if len(vecs) < 2:
                return self.statement(depth)
            self.records = True
            name = self.new("rec")
            a, b = self.pick(vecs), self.pick(vecs)
            self.emit(f"{name} = Rec({a}, {b})")
            self.bind(name, Obj("tuple", [self.names[a], self.names[b]]))

    def build(self) -> Program:
        self.make_vec()
        for _ in range(self.rng.randint(3, 8)):
            self.statement()
        self.finish()
        return self.program([("x", None), ("y", None), ("c", self.c)], (0, 1))


class _Helpers(_Containers):
    def statement(self, depth=0):
        if self.chance(0.5):
            return super().statement(depth)
        vecs = self.of("vec")
        if not vecs:
            return self.make_vec()
        lists = [n for n in self.of("list") if all(o.kind == "vec" for o in self.names[n].items)]
        how = self.rng.randrange(10 if depth < 2 else 8)
        h = self.pick(vecs)
        self.flags.add("array_inplace")
        if how == 0:
            self.emit(f"put({h}, {self.fresh_vec()})")
        elif how == 1:
            self.emit(f"put_first({h}, {self.scalar_expr()})")
        elif how == 2:
            self.emit(f"add_at({h}, {self.rng.randrange(N)}, {self.scalar_expr()})")
        elif how == 3:
            name = self.new("s")
            self.emit(f"{name} = bump({h}, np.tanh({self.vec_expr()}))")
            self.bind(name, Obj("float"))
        elif how == 4:
            self.emit(f"scale({h}, np.cos({self.vec_expr()}))")
        elif how == 5:
            name = self.new("b")
            self.emit(f"{name} = bump_ret({h}, np.tanh({self.vec_expr()}))")
            self.bind(name, self.names[h])
        elif how == 6:
            if not lists:
                return self.statement(depth)
            src = self.pick(lists)
            if self.chance(0.5):
                self.emit(f"push({src}, {h})")
            else:
                name = self.new("k")
                self.emit(f"{name} = push_ret({src}, {h})")
            self.names[src].items.append(self.names[h])
        elif how == 7:
            self.emit(f"twice({h}, np.tanh({self.vec_expr()}))")
        elif how == 8:
            self.loop(lambda: [self.statement(depth + 1) for _ in range(self.rng.randint(1, 2))])
        else:
            body = lambda: [self.statement(depth + 1) for _ in range(self.rng.randint(1, 2))]
            self.branch(body, body if self.chance(0.5) else None)


_VIEWS = [("{m}[0]", "vec"), ("{m}[1]", "vec"), ("{m}[:, 1]", "pair"), ("{m}[1:]", "row"),
          ("{m}.T", "matT"), ("np.transpose({m})", "matT"), ("np.reshape({m}, (6,))", "flat"),
          ("np.reshape({m}, (3, 2))", "mat32"), ("{m}[:, 1:]", "mat22"), ("{m}[0][1:]", "pair")]
_METHOD_VIEWS = [("{m}.reshape(6)", "flat"), ("{m}.ravel()", "flat"),
                 ("{m}.transpose()", "matT"), ("{m}.reshape(3, 2)", "mat32")]
_SHAPES = {"vec": (3,), "pair": (2,), "row": (1, 3), "matT": (3, 2), "flat": (6,),
           "mat32": (3, 2), "mat22": (2, 2)}


class _Views(_Gen):
    """A matrix (or vector) `m`, views of it, writes to it and through the views."""

    def build(self) -> Program:
        self.flags.add("view")
        self.flags.add("array_inplace")
        m = self.new("m")
        self.emit(f"{m} = {self.mat_expr()}")
        views = []
        options = _VIEWS + (_METHOD_VIEWS if "method_views" in self.features else [])
        multi = "multi_write" in self.features
        writes = 0
        steps = [self.rng.randrange(7) for _ in range(self.rng.randint(1, 6))]
        if not multi:  # one statement writes (stale views after two: KNOWN_BUGS)
            last_write = max([k for k, step in enumerate(steps) if step in (2, 3, 6)] or [-1])
            steps = [step if step not in (2, 3, 6) or k == last_write else 4
                     for k, step in enumerate(steps)]
        for step in steps:
            if step <= 1 or not views:
                fmt, kind = self.pick(options)
                v = self.new("v")
                base = m if not views or self.chance(0.7) else None
                if base is None:  # a view of a view
                    base, bkind = self.pick(views)
                    if bkind != "vec":
                        base = m
                    else:
                        fmt, kind = self.pick([("{m}[1:]", "pair"), ("{m}[::2]", "pair"),
                                               ("{m}", "vec")])
                self.emit(f"{v} = {fmt.format(m=base)}")
                views.append((v, kind))
            elif step == 2:
                self._write_matrix(m)
            elif step == 3:
                v, kind = self.pick(views)
                self._write_view(v, kind)
            elif step == 6 and not multi:
                self.loop(lambda: self._write_matrix(m))
            elif step == 4:
                v, kind = self.pick(views)
                r = self.new("r")
                self.emit(f"{r} = np.sum({v} * 1.0)")
                self.bind(r, Obj("float"))
            elif step == 5:
                holder = self.new("hs")
                v, kind = self.pick(views)
                self.emit(f"{holder} = [{v}, {m}]")
                self.bind(holder, Obj("list", [Obj("mixed"), Obj("mat")]))
                views.append((f"{holder}[0]", kind))
            else:
                self.loop(lambda: [self._write_matrix(m) if self.chance(0.5)
                                   else self._write_view(*self.pick(views))
                                   for _ in range(self.rng.randint(1, 2))])
        terms = [f"np.sum({m} * np.outer(np.ones(2), x))"]
        for v, kind in views:
            if self.chance(0.7):
                terms.append(f"np.sum(np.sin({v}) * {self.rng.choice(['1.5', '0.5', 'y[0]'])})")
        terms += [f"{n} * 0.5" for n in self.of("float")]
        self.emit("return " + " + ".join(terms))
        return self.program([("x", None), ("y", None)], (0, 1))

    def _write_matrix(self, m):
        i, j = self.rng.randrange(2), self.rng.randrange(N)
        self.emit(self.pick([f"{m}[{i}] = np.tanh(x * y[{j}])",
                             f"{m}[{i}, {j}] = np.sin(y[{j}])",
                             f"{m} += np.tanh(np.outer(x[:2], y))",
                             f"{m} *= np.cos(y)",
                             f"{m}[:, {j}] = x[:2] * 0.5",
                             f"{m}[{i}, 1:] += y[1:] * x[{j}]"]))

    def _write_view(self, v, kind):
        shape = _SHAPES[kind]
        if v.startswith("hs"):
            return
        if len(shape) == 1:
            k = self.rng.randrange(shape[0])
            self.emit(self.pick([f"{v}[{k}] = np.tanh(x[{k % 3}])",
                                 f"{v} += np.ones({shape[0]}) * y[0]",
                                 f"{v} *= 0.5 + 0.25 * np.cos(x[{k % 3}])"]))
        else:
            self.emit(self.pick([f"{v}[0] = np.tanh(x[0]) * np.ones({shape[1]})",
                                 f"{v} += y[1] * 0.5",
                                 f"{v}[0, 0] = np.sin(y[2])"]))


class _DictsFloats(_Gen):
    def build(self) -> Program:
        p = self.new("p")
        self.emit(f"{p} = {{}}")
        keys = self.rng.sample(["a", "b", "w", "k"], self.rng.randint(1, 4))
        obj = Obj("dict", {})
        for key in keys:
            self.emit(f"{p}[{key!r}] = {self.fresh_vec()}")
            obj.items[key] = Obj("vec")
        self.bind(p, obj)
        total = self.new("s")
        self.emit(f"{total} = 0.0")
        self.bind(total, Obj("float"))
        for _ in range(self.rng.randint(2, 6)):
            how = self.rng.randrange(9)
            if how in (2, 8) and "dict_iter" not in self.features:
                how = self.pick([0, 1, 3, 4, 5, 6, 7])
            if how == 0:
                k, v = self.new("k"), self.new("v")
                self.emit(f"for {k}, {v} in {p}.items():")
                self.indent += 1
                self._float_step(total, f"np.sum({v} * x)")
                if self.chance(0.4):
                    self.flags.add("array_inplace")
                    self.emit(f"{v} += np.tanh(y) * 0.5")
                self.indent -= 1
            elif how == 1:
                v = self.new("v")
                self.emit(f"for {v} in {p}.values():")
                self.indent += 1
                self._float_step(total, f"np.sum(np.sin({v}) * y)")
                if self.chance(0.4):
                    self.flags.add("array_inplace")
                    self.emit(f"{v}[{self.rng.randrange(N)}] = np.tanh(x[0]) * {v}[1]")
                self.indent -= 1
            elif how == 2:
                k = self.new("k")
                self.emit(f"for {k} in {p}.keys():")
                self.indent += 1
                self.emit(self.pick([f"{p}[{k}] = {p}[{k}] * np.cos(x)",
                                     f"{p}[{k}] = np.tanh({p}[{k}] + y)"]))
                self._float_step(total, f"np.sum({p}[{k}])")
                self.indent -= 1
            elif how == 3:  # the old value kept under another name
                old = self.new("old")
                self.emit(f"{old} = {total}")
                self.bind(old, Obj("float"))
                self._float_step(total, f"np.sum({p}[{keys[0]!r}] * y)")
            elif how == 4:
                held = self.new("fs")
                self.emit(f"{held} = [{total}]")
                self.bind(held, Obj("list", [Obj("float")]))
                self._float_step(total, "x[1] * y[2]")
                self.emit(f"{held}.append({total})")
            elif how == 5:
                self.loop(lambda: self._float_step(total, self.scalar_expr()))
            elif how == 6:
                a = self.new("a")
                self.emit(f"{a} = {p}[{self.pick(keys)!r}]")
                self.bind(a, obj.items[keys[0]])
                self.emit(f"{total} += np.sum({a} * {a})")
            elif how == 7:
                self.emit(f"{p}[{self.pick(keys)!r}] = {self.fresh_vec()}")
            else:
                k = self.new("k")
                self.emit(f"for {k} in {p}:")
                self.indent += 1
                self._float_step(total, f"np.sum({p}[{k}] * x)")
                self.indent -= 1
        terms = [f"{total} * 0.5"] + [f"np.sum({p}[{key!r}] * y)" for key in keys]
        terms += [f"{n} * 0.25" for n, o in self.names.items() if o.kind == "float"]
        terms += [f"np.sum(np.array({n}))" for n, o in self.names.items() if o.kind == "list"]
        terms += [f"np.sum({n})" for n, o in self.names.items() if n.startswith("a")]
        self.emit("return " + " + ".join(terms))
        return self.program([("x", None), ("y", None)], (0, 1))

    def _float_step(self, total, expr):
        self.emit(f"{total} {self.pick(['+=', '-=', '+='])} np.tanh({expr})")


class _Fancy(_Gen):
    """Writes with repeated fancy indices: for `=` the last write to a slot wins; for `+=`
    (buffered) each distinct slot takes one update."""

    def build(self) -> Program:
        self.flags.add("array_inplace")
        out = self.new("out")
        self.emit(f"{out} = {self.pick(['np.zeros(4)', 'np.tanh(x[0]) * np.ones(4)'])}")
        holder = self.new("hs")
        if self.chance(0.5):
            self.emit(f"{holder} = [{out}]")
        for _ in range(self.rng.randint(1, 4)):
            idx = [self.rng.randrange(4) for _ in range(self.rng.randint(2, 5))]
            if "repeated_index" not in self.features:
                idx = list(dict.fromkeys(idx))
            elif len(set(idx)) == len(idx):
                idx.append(idx[0])  # at least one repeat
            values = f"np.tanh(np.concatenate([x, y]))[:{len(idx)}]"
            if len(idx) > 6:
                values = f"np.resize(np.tanh(np.concatenate([x, y])), {len(idx)})"
            how = self.rng.randrange(4)
            if how == 0:
                self.emit(f"{out}[{idx}] = {values}")
            elif how == 1:
                self.emit(f"{out}[{idx}] += {values}")
            elif how == 2:
                name = self.new("idx")
                self.emit(f"{name} = np.array({idx})")
                self.emit(f"{out}[{name}] {self.pick(['+=', '-=', '*='])} {values}")
            else:
                self.emit(f"{out}[{idx}] = np.sin(y[0]) * x[1]")
        terms = [f"np.sum({out} * np.concatenate([x, y[:1]]))",
                 f"np.sum({out} ** 2) * 0.5"]
        if any(line.strip().startswith(f"{holder} =") for line in self.lines):
            terms.append(f"np.sum({holder}[0] * {out})")
        self.emit("return " + " + ".join(terms))
        return self.program([("x", None), ("y", None)], (0, 1))


class _Defaults(_Containers):
    """f(x, y, c, k=<number>, w=W0): differentiated, then the default array W0 changed in
    place, or (feature `changed_defaults`) f's defaults replaced (`f.__defaults__ = ...`),
    and called again."""

    def leaves(self) -> list:
        return ["x", "y", "x * k", "w"] + self.of("vec")

    def build(self) -> Program:
        program = super().build()
        program.extra = "\n\nW0 = np.array([0.5, -0.25, 1.0])\n"
        program.defaults = f", k={self.pick(['1.5', '-0.5', '2'])}, w=W0"
        program.lines[-1] += " + k * np.sum(w * x)"
        if "changed_defaults" in self.features:  # f.__defaults__ = ...: KNOWN_BUGS
            program.new_defaults = (self.pick([0.25, -1.5, 3.0]),
                                    np.array([self.rng.uniform(-1, 1) for _ in range(N)]))
        else:
            program.new_defaults = ("W0", np.array([self.rng.uniform(-1, 1) for _ in range(N)]))
        return program


_KINDS = {"containers": _Containers, "changed_defaults": _Defaults, "helpers": _Helpers, "views": _Views,
          "dicts_floats": _DictsFloats, "fancy": _Fancy}


def generate(category: str, seed: int, features=()) -> Program:
    """The program `seed` of `category`, using the extra `features` (see FEATURES)."""
    gen = _KINDS[category](category, seed, features)
    program = gen.build()
    rng = np.random.default_rng(zlib.crc32(f"{category}/{seed}".encode()))
    values = {"x": rng.uniform(-1.2, 1.2, N), "y": rng.uniform(-1.2, 1.2, N)}
    program.params = [(name, values.get(name, value)) for name, value in program.params]
    return program
