"""Turn generated gast functions into readable NumPy source: the AST unparsed, comment
markers as `# ...` lines, and a map from each generated line to the user's line it
computes (loading.py compiles the text).
"""

from __future__ import annotations

import ast
import math
import os

import gast

from ..ir import build

DEBUG = bool(os.environ.get("SRCGRAD_DEBUG"))  # print the code between stages


def render(functions: list) -> str:
    """Readable source for `functions`, with comment markers printed as comments."""
    return unparse(functions)[0]


def unparse(functions: list) -> tuple:
    """(readable source of `functions`, LineMap {its line: line of the user's parsed source})."""
    origins: list = []
    module = _ToAst(origins).module(functions)
    text = ast.unparse(module)  # needs no locations but the statements' `lineno`
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if "srcgrad-comment:" in stripped and stripped[:1] in "'\"":
            value = ast.literal_eval(stripped)
            if isinstance(value, str) and value.startswith(build.COMMENT_PREFIX):
                said = value[len(build.COMMENT_PREFIX):]
                if said.startswith(build.TRAILING) and lines:
                    lines[-1] += f"  # {said[len(build.TRAILING):]}"
                    continue
                indent = line[: len(line) - len(line.lstrip())]
                line = "\n".join(f"{indent}# {part}" for part in said.split("\n"))
        lines.append(line)
    # a blank line between functions
    out = []
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("def ") and number > 1 and line.startswith(" " * _indent(line)):
            if _indent(line) == _indent(lines[0]):
                out.append("")
        out.append(line)
    text = "\n".join(out) + "\n"
    return text, LineMap(text, origins)


class LineMap:
    """{line of a generated text: line of the user's parsed source}. Worked out on first
    use (a note on a run-time error) by parsing the text again: its statements, in the
    order `_ToAst` met them, are those `origins` gives the user's lines of."""

    def __init__(self, text: str, origins: list, offset: int = 0):
        self._text, self._origins, self._offset = text, origins, offset
        self._map = None

    def shifted(self, lines: int) -> LineMap:
        """The map of this text moved down by `lines` lines."""
        return LineMap(self._text, self._origins, self._offset + lines)

    @property
    def origins(self) -> list:
        """The user's line of each statement of the text, in order (None: no line)."""
        return list(self._origins)

    def get(self, line: int, default=None):
        return self.mapping().get(line, default)

    def mapping(self) -> dict:
        if self._map is None:
            try:
                produced = [n.lineno for n in _statements(ast.parse(self._text))]
            except SyntaxError:  # a pass's intermediate state (e.g. an empty body), shown
                produced = []
            pairs = zip(produced, self._origins) if len(produced) == len(self._origins) else ()
            self._map = {line + self._offset: origin for line, origin in pairs
                         if origin is not None}
        return self._map


def _statements(node):
    """The statements under `node`, each before those inside it, in field order."""
    out, stack = [], [node]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt):
            out.append(node)
        children = []
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                children.extend(v for v in value if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                children.append(value)
        stack.extend(reversed(children))
    return out


# gast classes whose fields are those of the ast class of the same name, converted field by
# field; gast's own converter treats every other class (Name in `arguments`, ...).
_SAME_FIELDS = {
    "BinOp", "UnaryOp", "BoolOp", "Compare", "Call", "keyword", "Attribute", "Subscript",
    "Tuple", "List", "Dict", "Set", "Slice", "Starred", "IfExp", "AugAssign", "Expr",
    "Return", "If", "For", "While", "Break", "Continue", "Pass",
    "Add", "Sub", "Mult", "Div", "FloorDiv", "Mod", "Pow", "MatMult", "LShift", "RShift",
    "BitOr", "BitXor", "BitAnd", "USub", "UAdd", "Not", "Invert", "And", "Or", "Eq", "NotEq",
    "Lt", "LtE", "Gt", "GtE", "Is", "IsNot", "In", "NotIn", "Load", "Store", "Del"}


class _ToAst:
    """gast -> ast in one pass, as `gast.gast_to_ast` converts it, and at once: a negative
    number constant becomes unary minus on its magnitude (so the unparser parenthesizes
    it where precedence needs it: `(-0.7) ** 2`, never `-0.7 ** 2`); `pass` fills a block
    a pass left empty (an `if` whose branch lost every statement); each statement gets
    the `lineno` the unparser reads (the user's line, or 0) and its user's line goes to
    `origins` (None for ours), comment markers left out (they become comments)."""

    _converters: dict = {}  # gast class -> method converting its nodes

    def __init__(self, origins: list):
        self.origins = origins

    def module(self, functions: list) -> ast.Module:
        return ast.Module(body=[self.node(f) for f in functions], type_ignores=[])

    def node(self, node):
        convert = self._converters.get(type(node))
        if convert is None:
            convert = self._converters[type(node)] = self._converter(type(node))
        return convert(self, node)

    @classmethod
    def _converter(cls, kind):
        name = kind.__name__
        special = getattr(cls, f"_{name}", None)
        if special is not None:
            return special
        target = getattr(ast, name, None)
        if name in _SAME_FIELDS and target is not None and target._fields == kind._fields:
            if issubclass(target, ast.stmt):
                def same_fields(self, node, target=target, fields=kind._fields):
                    made = self.located(target(), node)  # before the statements inside
                    for f in fields:
                        setattr(made, f, self.value(getattr(node, f, None)))
                    return made
            else:
                def same_fields(self, node, target=target, fields=kind._fields):
                    return target(**{f: self.value(getattr(node, f, None)) for f in fields})
            return same_fields
        return cls._by_gast

    def value(self, value):
        if isinstance(value, list):
            return [self.node(v) if isinstance(v, gast.AST) else v for v in value]
        return self.node(value) if isinstance(value, gast.AST) else value

    def located(self, made, node):
        """`made` (the ast of the statement `node`): its line, its empty block filled."""
        line = getattr(node, "lineno", None)
        made.lineno = 0 if line is None else line
        if not build.is_comment(node):
            self.origins.append(line)
        return made

    def block(self, stmts) -> list:
        out = [self.node(s) for s in stmts]
        if not out:
            out.append(self.located(ast.Pass(), gast.Pass()))
        return out

    def _If(self, node):
        made = ast.If(test=None, body=[], orelse=[])
        self.located(made, node)
        made.test = self.node(node.test)
        made.body = self.block(node.body)
        made.orelse = [self.node(s) for s in node.orelse]
        return made

    def _For(self, node):
        made = self.located(ast.For(target=None, iter=None, body=[], orelse=[],
                                    type_comment=node.type_comment), node)
        made.target, made.iter = self.node(node.target), self.node(node.iter)
        made.body = self.block(node.body)
        made.orelse = [self.node(s) for s in node.orelse]
        return made

    def _While(self, node):
        made = self.located(ast.While(test=None, body=[], orelse=[]), node)
        made.test = self.node(node.test)
        made.body = self.block(node.body)
        made.orelse = [self.node(s) for s in node.orelse]
        return made

    def _FunctionDef(self, node):
        made = self.located(ast.FunctionDef(name=node.name, args=None, body=[],
                                            decorator_list=[], returns=None,
                                            type_comment=node.type_comment), node)
        made.args = self._by_gast(node.args)
        made.body = self.block(node.body)
        made.decorator_list = [self.node(d) for d in node.decorator_list]
        made.returns = self.value(node.returns)
        if "type_params" in ast.FunctionDef._fields:
            made.type_params = [self._by_gast(p) for p in getattr(node, "type_params", [])]
        return made

    def _Assign(self, node):  # gast drops the type comment
        made = self.located(ast.Assign(targets=[], value=None), node)
        made.targets = [self.node(t) for t in node.targets]
        made.value = self.node(node.value)
        return made

    def _Name(self, node):
        return ast.Name(id=node.id, ctx=self.node(node.ctx))

    def _Constant(self, node):
        value = node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and (
                value < 0 or (value == 0 and str(value).startswith("-"))):
            return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-value))
        return ast.Constant(value=value, kind=node.kind)

    def _by_gast(self, node):
        """Any other node, by gast's converter (then the same rewrites)."""
        made = _NegativeLiterals().visit(gast.gast_to_ast(node))
        for inner in _statements(made):
            line = getattr(inner, "lineno", None)
            self.origins.append(line)
            if line is None:
                inner.lineno = 0
            block = getattr(inner, "body", None)
            if isinstance(block, list) and not block:
                block.append(ast.Pass(lineno=0))
                self.origins.append(None)
        return made


class _NegativeLiterals(ast.NodeTransformer):
    """`-0.7` as a constant becomes unary minus on 0.7 (see _ToAst)."""

    def visit_Constant(self, node):
        value = node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and (
                value < 0 or (value == 0 and str(value).startswith("-"))):
            return ast.copy_location(
                ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-value)), node)
        return node


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())



def function(name: str, args: gast.arguments, body: list) -> gast.FunctionDef:
    return gast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None,
                            type_comment=None, type_params=[])


def parameters(args: gast.arguments, func) -> gast.arguments:
    """A copy of `args`, the parameters of the user's `func`, for a generated function
    that takes them: its defaults are never the user's expressions (`num=num` names a
    variable of an enclosing function, and the values may have changed since) but each
    value `func` holds, shown when it is a plain constant, else `...`. `take_defaults`
    then gives the compiled function `func`'s own default values."""
    out = build.clone(args)
    given = func.__defaults__ or ()
    positional = out.posonlyargs + out.args
    n = min(len(given), len(positional))
    out.defaults = [_shown(value) for value in given[len(given) - n:]]
    keyword = func.__kwdefaults__ or {}
    out.kw_defaults = [_shown(keyword[a.id]) if a.id in keyword else None
                       for a in out.kwonlyargs]
    return out


def _shown(value):
    plain = value is None or type(value) in (bool, int, str) or (
        type(value) is float and math.isfinite(value))  # (nan and inf are not literals)
    return build.const(value if plain else ...)


def arguments(names: list[str]) -> gast.arguments:
    return gast.arguments(args=[build.store(n) for n in names], posonlyargs=[], vararg=None,
                          kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def debug_print(stage, body, text=None):
    """With SRCGRAD_DEBUG set, print the code at `stage` (`body`'s statements, or `text`)."""
    if DEBUG:
        if text is None:
            text = render([function("stage", arguments([]), body)])
        print(f"--- srcgrad: {stage} ---\n{text}")
