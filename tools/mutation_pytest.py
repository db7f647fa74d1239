"""pytest for mutmut (2.x), which reads an exit code of 1 as "a test failed, mutant
killed" and any other non-zero one as "survived". A mutant that breaks an import makes
pytest exit with 2 (errors while collecting): it is killed too. No test selected (5) or
a bad command line (4) stay non-zero and not 1, so they show up as survivors, never as
kills. Arguments: pytest's own (mutmut_config.py picks them per mutated line)."""

import pathlib
import sys

import pytest

if __name__ == "__main__":
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # this tree's srcgrad
    code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-p", "no:warnings", "-p",
                        "no:randomly", *sys.argv[1:]])
    sys.exit({0: 0, 1: 1, 2: 1, 3: 1}.get(int(code), 4))
