"""`python -m srcgrad`: the srcgrad command line (see srcgrad/cli/)."""

from .cli import main

raise SystemExit(main())
