"""The shape of the package: layers that import only downwards, no import cycle, no module
reaching into another's private names, a top level that shows the public API.

The import graph is read from the source with `ast` (lazy imports inside functions
included), not from what happens to be imported at run time.
"""

import ast
import pathlib
import re

import srcgrad

PACKAGE = pathlib.Path(srcgrad.__file__).resolve().parent

# Lowest first: a module imports its own layer or a lower one.
LAYERS = {
    "errors": 0, "runtime": 0,
    "ir": 1,
    "rules": 2,
    "frontend": 3,
    "analysis": 4,
    "ad": 5,
    "passes": 6,
    "fused": 7,
    "backend": 8,
    "pipeline": 9,
    "api": 10, "graph": 10, "cli": 10, "custom": 10, "check": 10, "optim": 10, "tree": 10,
    "__init__": 10, "__main__": 10,
}
PUBLIC_MODULES = {"errors", "custom", "check", "optim", "tree"}  # besides the subpackages

# Violations not fixed yet: (kind, importer, imported or name). Empty when the work is done.
ALLOWED: set = set()


def _subpackages():
    return {path.parent.name for path in PACKAGE.glob("*/__init__.py")}


def _modules():
    """{dotted name: path} of every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _package_of(name):
    return name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]


def _resolved(node, name):
    """[(alias, imported module, the name taken from it or None)] of an import statement
    in module `name`, for its imports of srcgrad."""
    if isinstance(node, ast.Import):
        return [(alias, alias.name, None) for alias in node.names
                if alias.name.startswith("srcgrad")]
    if node.level:
        base = _package_of(name).split(".")
        base = base[:len(base) - node.level + 1]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if not source.startswith("srcgrad"):
        return []
    out = []
    for alias in node.names:
        full = f"{source}.{alias.name}"
        out.append((alias, full, None) if full in MODULES else (alias, source, alias.name))
    return out


def _import_nodes(name):
    tree = ast.parse(MODULES[name].read_text())
    return tree, [(node, _resolved(node, name)) for node in ast.walk(tree)
                  if isinstance(node, (ast.Import, ast.ImportFrom))]


def _imports(name):
    """[(imported module, the name taken from it or None)] of every import in `name`."""
    return [(target, taken) for _, found in _import_nodes(name)[1]
            for _, target, taken in found]


def _edges():
    return {name: {target for target, _ in _imports(name)} for name in MODULES}


def _layer(name):
    parts = name.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else "__init__"]


def _violations():
    found = set()
    for name in MODULES:
        for target, taken in _imports(name):
            if target in MODULES and _layer(target) > _layer(name):
                found.add(("upward", name, target))
            if taken and taken.startswith("_") and not taken.startswith("__"):
                found.add(("private", name, f"{target}.{taken}"))
        found |= {("private", name, attr) for attr in _private_attributes(name)}
    return found


def _private_attributes(name):
    """`module._name` where `module` is bound by an import of another srcgrad module."""
    tree, imports = _import_nodes(name)
    bound = {alias.asname or alias.name: target for node, found in imports
             for alias, target, taken in found
             if taken is None and isinstance(node, ast.ImportFrom)}
    return {f"{bound[n.value.id]}.{n.attr}" for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
            and n.value.id in bound and n.attr.startswith("_") and not n.attr.startswith("__")}


def _cycles(edges):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in MODULES:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_every_module_has_a_layer():
    assert [name for name in MODULES if name != "srcgrad"
            and name.split(".")[1] not in LAYERS] == []


def test_no_import_cycle():
    assert _cycles(_edges()) == []


def test_no_upward_or_private_import():
    found = _violations()
    assert sorted(found - ALLOWED) == []
    assert sorted(ALLOWED - found) == [], "fixed: remove them from ALLOWED"


def test_the_top_level_shows_the_public_api():
    shown = {name for name in dir(srcgrad) if not name.startswith("_")}
    subpackages = {name.split(".")[1] for name in MODULES
                   if name.count(".") == 1 and MODULES[name].name == "__init__.py"}
    assert shown - set(srcgrad.__all__) - subpackages - PUBLIC_MODULES == set()
    top_modules = {name.split(".")[1] for name in MODULES if name.count(".") == 1
                   and MODULES[name].name != "__init__.py"}
    assert top_modules == PUBLIC_MODULES | {"__main__"}


def _table_packages(text):
    """The subpackages `name/` named in the first cells of a markdown table, in order."""
    return [found for line in text.splitlines() if line.startswith("| `")
            for found in re.findall(r"`(\w+)/`", line.split("|")[1])]


def test_the_design_page_names_each_layer_in_order():
    page = (PACKAGE.parent / "docs" / "design.md").read_text()
    named = _table_packages(page)
    assert set(named) == _subpackages()
    assert [LAYERS[n] for n in named] == sorted(LAYERS[n] for n in named), "lowest first"


def test_the_readme_names_each_subpackage():
    readme = (PACKAGE.parent / "README.md").read_text()
    section = readme.split("## How it works")[1].split("\n## ")[0]
    assert set(_table_packages(section)) == _subpackages()
