"""`python -m srcgrad`: the srcgrad command line (see srcgrad/cli.py)."""

from .cli import main

raise SystemExit(main())
