"""The commands, by area; `ketcost.cli` builds the app from them.

Only what the command line needs before it knows the command lives here: the exit codes and the
live progress displays to stop. Importing it imports nothing else of ketcost's.
"""

from __future__ import annotations

from collections.abc import Callable

EXIT_OK, EXIT_FILE, EXIT_USAGE, EXIT_BUDGET = 0, 1, 2, 3

# Live displays (batch's progress bar) to stop before the process exits, however it exits.
LIVE_PROGRESS: list[Callable[[], None]] = []
