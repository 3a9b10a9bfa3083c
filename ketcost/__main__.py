"""`python -m ketcost` runs the same CLI as the `ketcost` command."""

from ketcost.cli import run

run()
