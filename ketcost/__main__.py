"""`python -m ketcost` runs the same CLI as the `ketcost` command."""

import sys

from ketcost.cli import main

sys.exit(main())
