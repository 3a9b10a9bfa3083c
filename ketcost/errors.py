"""One small exception hierarchy; the CLI maps each class to an exit code."""

from __future__ import annotations


class KetcostError(Exception):
    """An expected problem a person can fix; its message is one line naming what was wrong."""

    exit_code = 1


class InputError(KetcostError):
    """Invalid command-line or plan input: an unknown route, a bad range, conflicting options."""

    exit_code = 2


class FileProblemsError(KetcostError):
    """A file that cannot be read or is not valid; `problems` holds one line each."""

    def __init__(self, path: str, problems: list[str]) -> None:
        super().__init__(problems[0] if len(problems) == 1 else f"{path}: {len(problems)} problems")
        self.path = path
        self.problems = problems


class SheetError(FileProblemsError):
    """A price sheet that cannot be read or is not valid."""

    exit_code = 1


class PlanError(FileProblemsError):
    """A plan file that cannot be read or is not valid: invalid input, like a bad option."""

    exit_code = 2


class OutputClosed(KetcostError):  # noqa: N818 - an event, not a mistake
    """Whoever reads our standard output has gone (e.g. `| head`): stop quietly."""

    exit_code = 141  # what a shell reports for a process ended by SIGPIPE

    def __init__(self) -> None:
        super().__init__("")


class OutputFailed(KetcostError):  # noqa: N818 - named for what happened, like OutputClosed
    """Standard output cannot be written (a full disk, /dev/full): reported once, exit 1."""


class Terminated(BaseException):
    """SIGTERM arrived: unwind (so temporary files are removed) and exit."""
