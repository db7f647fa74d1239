"""The `srcgrad` command line, run as a real process against tests/data/cli_example.py."""

import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # tests/
EXAMPLE = os.path.join(HERE, "data", "cli_example.py")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(*args, env=None, executable=None):
    command = [executable] if executable else [sys.executable, "-m", "srcgrad"]
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update(env or {})
    return subprocess.run(command + list(args), capture_output=True, text=True, timeout=60,
                          env=environment)


def target(name):
    return f"{EXAMPLE}:{name}"


def file_line(text):
    """The line number of `text` in the example file."""
    with open(EXAMPLE, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip() == text:
                return number
    raise AssertionError(text)


def assert_one_line_error(proc):
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("srcgrad")
    assert "Traceback" not in proc.stderr
    return lines[0]


# --- show ----------------------------------------------------------------------------


def test_show_prints_the_generated_code():
    proc = run("show", target("loss"), "--wrt", "w,b")
    assert proc.returncode == 0, proc.stderr
    assert "def loss_forward(w, b, x, y):" in proc.stdout
    assert "def loss_backward(" in proc.stdout
    assert "if cond" in proc.stdout
    assert "return (d_w, d_b)" in proc.stdout
    assert not ANSI.search(proc.stdout)  # piped: plain
    compile(proc.stdout, "<generated>", "exec")


def test_show_no_color_is_plain_and_color_highlights():
    pytest.importorskip("pygments")
    plain = run("show", target("loss"), "--no-color")
    assert plain.returncode == 0 and not ANSI.search(plain.stdout)
    colored = run("show", target("loss"), "--color")
    assert colored.returncode == 0 and ANSI.search(colored.stdout)
    assert ANSI.sub("", colored.stdout) == plain.stdout


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_show_on_a_terminal_is_highlighted_unless_no_color():
    pytest.importorskip("pygments")

    def on_tty(*args):
        primary, secondary = os.openpty()
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        proc = subprocess.Popen([sys.executable, "-m", "srcgrad", *args], stdout=secondary,
                                stderr=subprocess.PIPE, env=env)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the terminal closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(primary)
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
        proc.stderr.close()
        return b"".join(chunks).decode()

    assert ANSI.search(on_tty("show", target("square")))
    assert not ANSI.search(on_tty("show", target("square"), "--no-color"))


def test_show_diff_numbers_the_users_lines_and_the_generated_ones():
    proc = run("show", target("loss"), "--diff")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    first = file_line("def loss(w, b, x, y):")
    assert re.search(rf"^\s*{first}  def loss\(w, b, x, y\):$", out, re.M)
    doubled = file_line("err = err * 2.0")
    assert re.search(rf"^\s*{doubled}\s+err = err \* 2\.0$", out, re.M)  # the user's line
    assert re.search(rf"^\s*{doubled}\s+err_1 = err \* 2\.0$", out, re.M)  # forward
    assert re.search(rf"^\s*{doubled}\s+# line {doubled}: err = err \* 2\.0$", out, re.M)
    assert out.index("def loss(w, b, x, y):") < out.index("def loss_forward")
    assert "def loss_backward" in out


def test_show_uses_the_wrt_of_a_decorated_function():
    proc = run("show", target("decorated"))
    assert proc.returncode == 0, proc.stderr
    assert "return d_x" in proc.stdout
    assert "return d_w" in run("show", target("decorated"), "--wrt", "0").stdout


def test_show_forward_mode_and_hessian_vector_products():
    proc = run("show", target("loss"), "--mode", "fwd")
    assert proc.returncode == 0, proc.stderr
    assert "def loss_jvp(" in proc.stdout and "_dot" in proc.stdout
    proc = run("show", target("loss"), "--mode", "hvp")
    assert proc.returncode == 0, proc.stderr
    assert "def loss_gradient_jvp(" in proc.stdout


# --- graph ---------------------------------------------------------------------------

NODE = re.compile(r'^\s*"([^"]+)" \[label="([^"]*)"')
EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)"')
CLUSTER = re.compile(r'^\s*subgraph "(cluster[^"]*)" \{')


def parse_dot(text):
    """{node id: (label, cluster)}, [(source, target)], {cluster id: label}."""
    nodes, edges, clusters, stack = {}, [], {}, []
    for line in text.splitlines():
        if m := CLUSTER.match(line):
            stack.append(m.group(1))
        elif stack and (m := re.match(r'^\s*label="([^"]*)";$', line)):
            clusters[stack[-1]] = m.group(1)
        elif line.strip() == "}" and stack:
            stack.pop()
        elif m := EDGE.match(line):
            edges.append(m.groups())
        elif m := NODE.match(line):
            nodes[m.group(1)] = (m.group(2), stack[-1] if stack else None)
    return nodes, edges, clusters


def test_graph_writes_dot_with_parameters_dataflow_and_branch_clusters(tmp_path):
    out = tmp_path / "loss.dot"
    proc = run("graph", target("loss"), "--wrt", "w,b", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stdout
    nodes, edges, clusters = parse_dot(out.read_text(encoding="utf-8"))
    labels = {node_id: label for node_id, (label, _) in nodes.items()}
    for name in ("w", "b", "x", "y"):
        assert labels[f"param_{name}"] == name
    matmul = next(i for i, label in labels.items() if label.startswith("@"))
    assert ("param_x", matmul) in edges and ("param_w", matmul) in edges
    assert sorted(clusters.values()) == ["else", "if cond"]
    by_cluster = {label: [labels[i] for i, (_, c) in nodes.items() if c == cid]
                  for cid, label in clusters.items()}
    assert any(label.startswith("*") for label in by_cluster["if cond"])
    assert any(label.startswith("-") for label in by_cluster["else"])
    successors = {}
    for source, dest in edges:
        successors.setdefault(source, set()).add(dest)
    seen, todo = set(), ["param_w"]
    while todo:
        for nxt in successors.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert "result" in seen


def test_graph_to_stdout_with_adjoint_edges():
    proc = run("graph", target("loss"), "--adjoint")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith('digraph "loss"')
    assert 'style="dashed", color="firebrick"' in proc.stdout


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_graph_svg(tmp_path):
    pytest.importorskip("graphviz")
    out = tmp_path / "loss.svg"
    proc = run("graph", target("loss"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "<svg" in out.read_text(encoding="utf-8")


def test_graph_svg_without_graphviz_says_what_to_install(tmp_path):
    out = tmp_path / "loss.svg"
    proc = run("graph", target("loss"), "-o", str(out), env={"PATH": str(tmp_path)})
    line = assert_one_line_error(proc)
    assert "apt-get install graphviz" in line and ".dot" in line
    assert not out.exists()


# --- check ---------------------------------------------------------------------------


def test_check_prints_a_table_and_exits_0():
    proc = run("check", target("loss"), "--wrt", "w,b",
               "--args", "np.ones(2), 0.5, np.arange(6.0).reshape(3, 2) / 6, np.zeros(3)")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("argument"))
    assert [c.strip() for c in lines[header].split("|")] == [
        "argument", "shape", "max abs err", "max rel err", "ok"]
    rows = [[c.strip() for c in line.split("|")] for line in lines[header + 2:header + 4]]
    assert [(r[0], r[1], r[4]) for r in rows] == [("w", "(2,)", "yes"), ("b", "()", "yes")]


def test_check_a_scalar_float_and_keywords():
    proc = run("check", target("square"), "--args", "3.0")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^x\s+\|\s+\(\)\s+\|.*\|\s+yes$", proc.stdout, re.M)
    proc = run("check", target("loss"), "--wrt", "y", "--args", "np.ones(2), 0.5, np.eye(2)",
               "--kwargs", "dict(y=np.zeros(2))")
    assert proc.returncode == 0, proc.stderr


def test_check_exits_1_when_the_gradient_disagrees():
    proc = run("check", target("step"), "--args", "np.zeros(3)")
    assert proc.returncode == 1, proc.stderr
    assert "NO" in proc.stdout and "MISMATCH" in proc.stdout


# --- errors, help, the console script ------------------------------------------------


@pytest.mark.parametrize("args, expected", [
    (["show", target("nope")], "has no function 'nope'"),
    (["show", os.path.join(HERE, "data", "missing.py") + ":f"], "no such file"),
    (["show", EXAMPLE], "FILE.py:FUNC"),
    (["show", target("NOT_A_FUNCTION")], "not a function"),
    (["show", target("loss"), "--wrt", "z"], "not an argument"),
    (["check", target("loss"), "--args", "undefined_name"], "NameError"),
    (["check", target("loss"), "--args", "np.ones(2)"], "missing a required argument"),
    (["check", target("loss")], "--args"),
    (["show", target("loss"), "--bogus"], "--bogus"),
])
def test_errors_exit_2_with_one_line(args, expected):
    assert expected in assert_one_line_error(run(*args))


def test_a_refusal_shows_where_and_what_to_write_instead():
    proc = run("show", target("refused"))
    assert proc.returncode == 2
    line = file_line('with open("log.txt") as fh:')
    assert "cannot differentiate a `with` statement" in proc.stderr
    assert f"line {line}, in refused" in proc.stderr
    assert "^" in proc.stderr and "Instead:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_verbose_adds_the_traceback():
    proc = run("show", target("refused"), "--verbose")
    assert proc.returncode == 2
    assert "Traceback" in proc.stderr and "Instead:" in proc.stderr


def test_an_error_in_the_generated_code_keeps_the_users_line():
    proc = run("check", target("loss"), "--args", "np.ones(3), 0.5, np.ones((3, 2)), np.zeros(3)")
    assert proc.returncode == 2
    assert "ValueError" in proc.stderr
    assert "cli_example.py" in proc.stderr and "which computes line" in proc.stderr


def test_a_function_in_a_module_by_its_dotted_name(tmp_path):
    package = tmp_path / "models"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "linear.py").write_text(
        "import numpy as np\n\n\ndef loss(w):\n    return np.sum(w ** 2)\n")
    command = [sys.executable, "-m", "srcgrad", "show", "models.linear:loss"]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [os.path.dirname(HERE)] + os.environ.get("PYTHONPATH", "").split(os.pathsep))}
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          env=environment)
    assert proc.returncode == 0, proc.stderr
    assert "def loss_backward" in proc.stdout
    proc = subprocess.run(command[:-1] + ["models.nothere:loss"], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, env=environment)
    assert proc.returncode == 2 and "no such file or module" in proc.stderr


def test_version():
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("srcgrad ")


def test_help_documents_every_subcommand_with_examples():
    proc = run("--help")
    assert proc.returncode == 0
    for word in ("show", "graph", "check", "--args", "--wrt", "examples:"):
        assert word in proc.stdout
    for command, options in [("show", ("--diff", "--no-color", "--mode")),
                             ("graph", ("-o", "--adjoint", "pip install graphviz")),
                             ("check", ("--args", "np.ones(3), 2.0", "--rtol"))]:
        sub = run(command, "--help")
        assert sub.returncode == 0 and "examples:" in sub.stdout
        for option in options:
            assert option in sub.stdout


def test_console_script():
    executable = shutil.which("srcgrad")
    if executable is None:
        pytest.skip("the srcgrad console script is not installed (pip install -e .)")
    proc = run("show", target("square"), executable=executable)
    assert proc.returncode == 0, proc.stderr
    assert "def square_backward(" in proc.stdout
