"""pytest for mutmut (2.x), which reads an exit code of 1 as "a test failed, mutant
killed" and any other non-zero one as "survived". A mutant that breaks the import of
srcgrad (which pytest reports as a usage error, 4, from conftest.py) or of a test module
(2, errors while collecting) is killed too. No test selected (5) or a bad command line
stay non-zero and not 1: they show up as survivors, never as kills. Arguments: pytest's
own (mutmut_config.py picks them per mutated line)."""

import pathlib
import sys
import traceback

import pytest

if __name__ == "__main__":
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # this tree's srcgrad
    try:
        import srcgrad  # noqa: F401
    except Exception:
        traceback.print_exc()
        sys.exit(1)
    code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-p", "no:warnings", *sys.argv[1:]])
    sys.exit({0: 0, 1: 1, 2: 1, 3: 1}.get(int(code), 4))
