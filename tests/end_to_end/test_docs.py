"""Every Python block of README.md and docs/*.md runs as shown.

The blocks of one document run in order in one namespace, as cells of a notebook, in a
temporary working directory. Marks, on the line before a block's opening fence:

- `<!-- output -->`: the block is what the code block before it prints; it is compared
  line by line (trailing spaces ignored), and a line `...` stands for any lines.
- `<!-- skip -->`: the block is not run (it needs a file or a program the reader has,
  or it defines a rule the registry already holds).

Blocks in other languages (```bash, ```text without a mark) are not run.
"""

import contextlib
import io
import os
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
_FENCE = re.compile(r"^```(\w*)\s*$")


def blocks(path):
    """[(kind, language, first line number, text)] of a Markdown file: kind is "code",
    "output" or "skip"."""
    found, lines, i = [], path.read_text().splitlines(), 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        before = next((line.strip() for line in reversed(lines[:i]) if line.strip()), "")
        kind = {"<!-- output -->": "output", "<!-- skip -->": "skip"}.get(before, "code")
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        found.append((kind, match.group(1), i + 1, "\n".join(lines[i + 1:end])))
        i = end + 1
    return found


def matches(expected: str, got: str) -> bool:
    """`got` has the lines of `expected`, where a line `...` stands for any lines."""
    pattern = "\n".join(".*?" if line.strip() == "..." else re.escape(line.rstrip())
                        for line in expected.strip("\n").splitlines())
    got = "\n".join(line.rstrip() for line in got.strip("\n").splitlines())
    return re.fullmatch(pattern, got, flags=re.DOTALL) is not None


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_every_python_block_runs_as_shown(path, tmp_path):
    namespace = {"__name__": f"doc_{path.stem}"}
    printed = None
    previous = os.getcwd()
    os.chdir(tmp_path)
    try:
        for kind, language, line, text in blocks(path):
            if kind == "output":
                assert printed is not None, f"{path.name}:{line}: output of no block"
                assert matches(text, printed), (
                    f"{path.name}:{line}: the block before prints\n{printed}\nnot\n{text}")
                continue
            if kind == "skip" or language != "python":
                continue
            out = io.StringIO()
            file = tmp_path / f"{path.stem}_line_{line}.py"  # srcgrad reads the source
            file.write_text(text + "\n")
            with contextlib.redirect_stdout(out):
                exec(compile(text, str(file), "exec"), namespace)  # noqa: S102 (the docs' code)
            printed = out.getvalue()
    finally:
        os.chdir(previous)


def test_the_marks_are_understood():
    text = "```python\nprint(1)\nprint('a')\n```\n\n<!-- output -->\n```text\n1\n...\n```\n"
    path = pathlib.Path(pytest.importorskip("tempfile").mkdtemp()) / "doc.md"
    path.write_text(text)
    assert [(k, lang) for k, lang, _, _ in blocks(path)] == [("code", "python"),
                                                             ("output", "text")]
    assert matches("1\n...", "1\na\n") and not matches("2\n...", "1\n")
