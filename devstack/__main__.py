"""`python -m devstack`: the embedded stack behind `make run` (see devstack/run.py)."""

import sys

from devstack.run import main

sys.exit(main())
