"""Functions written to a module file and imported: srcgrad reads source from files."""

import importlib.util
import itertools

counter = itertools.count()  # unique names: a module is imported once per name


def load(tmp_path, text, stem="mod"):
    """Write `text` to a new module file and import it (srcgrad reads source from files)."""
    path = tmp_path / f"{stem}_{next(counter)}.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
