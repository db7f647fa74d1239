"""mutmut 2.x settings (docs/testing.md, "Mutation testing"): the tests each mutant runs,
and which mutants a sampled run tries.

A mutant runs only the tests that check the code it changed, so that it takes seconds:
- a line of a rule template: the finite-difference tests of that rule's examples, reverse
  and forward (test_rules.py, test_tangents.py, selected by the rule's name) and the
  module's own test file (for helper_tangents.py, the tangents of the runtime helpers:
  test_edges.py and the second derivatives of every rule), and the registry-wide checks
  (`test_every_...`); a line of its decorator also the facts' tests, the supported page
  and the pinned generated code;
- any other line of rules/: the module's own tests, the facts' and the pinned code
  (registry.py: also the custom rules' tests);
- a pass: its own tests, the pinned generated code and the manifest's gradients without
  each non-essential step.
The examples registered with a rule are test data, not code: a mutant inside an
`examples=[...]` list is skipped (a changed shape still tests the rule).
`MUTATION_SAMPLE=n` tries one mutant in n (fixed by a hash of its file, line and
index, so a rerun tries the same ones); the others are reported as skipped.
"""

import ast
import os
import pathlib
import shlex
import zlib

RUNNER = "python tools/mutation_pytest.py"
_RULE_TESTS = ["tests/rules/test_rules.py", "tests/rules/test_tangents.py"]
_PINNED = ["tests/rules/test_facts.py", "tests/rules/test_method_facts.py",
           "tests/rules/test_registry.py", "tests/test_generated_text.py"]
_PASS_TESTS = ["tests/test_generated_text.py", "tests/pipeline/test_manifest.py"]
_SPECIAL = {"registry": ["tests/rules/test_registry.py", "tests/test_custom.py",
                         "tests/rules/test_rules.py"],
            "derive": ["tests/rules/test_derive.py", "tests/rules/test_tangents.py"],
            "facts": [*_PINNED, "tests/analysis/test_shift_invariance.py"]}
_TREES: dict = {}


def _tree(filename, source):
    tree = _TREES.get(filename)
    if tree is None:
        tree = _TREES[filename] = ast.parse(source)
    return tree


def _top_level_function(filename, source, line):
    """(name, in its decorators?) of the top-level function holding `line` (1-based)."""
    for node in _tree(filename, source).body:
        if isinstance(node, ast.FunctionDef):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if first <= line <= node.end_lineno:
                return node.name, line < node.lineno
    return None, False


def tests_for(filename, source, line) -> list:
    """The pytest arguments for a mutant of `filename` at `line` (1-based)."""
    path = pathlib.PurePosixPath(filename)
    own = pathlib.Path("tests", path.parent.name, f"test_{path.stem}.py")
    own = [str(own)] if own.exists() else []
    if path.parent.name != "rules":
        return [*own, *_PASS_TESTS]
    if path.stem in _SPECIAL:
        return _SPECIAL[path.stem]
    name, decorator = _top_level_function(filename, source, line)
    if name is None:
        return [*own, *_PINNED]
    if path.stem == "helper_tangents":  # the tangents of runtime helpers: second order
        own = ["tests/rules/test_edges.py", "tests/api/test_second_order.py"]
    whole = [*own, *(_PINNED if decorator else [])]  # files run whole: named in -k
    selected = " or ".join([name.removesuffix("_tangent"), "every"]
                           + [pathlib.Path(p).stem for p in whole])
    return [*_RULE_TESTS, *whole, "-k", selected]


def in_examples(filename, source, line, col) -> bool:
    """Is (line, col) (1-based line) inside the `examples=[...]` of a rule's decorator?"""
    return any(isinstance(node, ast.keyword) and node.arg == "examples"
               and (node.value.lineno, node.value.col_offset) <= (line, col)
               < (node.value.end_lineno, node.value.end_col_offset)
               for node in ast.walk(_tree(filename, source)))


def _changed_at(context):
    """(line, column) of the first character the mutant changes (line 1-based)."""
    from mutmut import Context, mutate
    mutant = Context(source=context.source, mutation_id=context.mutation_id,
                     filename=context.filename, config=context.config)
    mutated, _ = mutate(mutant)
    for number, (old, new) in enumerate(zip(context.source.splitlines(),
                                            mutated.splitlines()), 1):
        if old != new:
            column = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b),
                          min(len(old), len(new)))
            return number, column
    return context.current_line_index + 1, 0


def sampled(context) -> bool:
    every = int(os.environ.get("MUTATION_SAMPLE", "1"))
    mutant = context.mutation_id
    key = f"{context.filename}:{mutant.line}:{mutant.index}".encode()
    return zlib.crc32(key) % every == 0


def pre_mutation(context):
    if not sampled(context) or in_examples(context.filename, context.source,
                                           *_changed_at(context)):
        context.skip = True
        return
    line = context.current_line_index + 1
    args = tests_for(context.filename, context.source, line)
    context.config.test_command = " ".join([RUNNER, *map(shlex.quote, args)])
