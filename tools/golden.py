"""Write the golden files `tests/test_golden.py` checks: every command in
`tests/golden/commands.txt` and the first 5,000 benchmark records through `batch`.

    python tools/golden.py

Run it only when a change of output is meant, and say so in the commit.
"""

from __future__ import annotations

import contextlib
import gzip
import importlib.util
import io
import os
import shlex
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
BATCH_RECORDS = 5000


def commands() -> list[str]:
    """The command lines to freeze, in order."""
    text = (GOLDEN / "commands.txt").read_text("utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def arguments(line: str) -> list[str]:
    """A command line's arguments; `{golden}` is this folder (for its test price sheet)."""
    return [arg.replace("{golden}", str(GOLDEN)) for arg in shlex.split(line)]


def output_name(index: int) -> str:
    return f"{index:03d}.out"


def run(args: list[str]) -> str:
    """`ketcost ARGS` in-process with a pinned terminal: its exit code, stdout and stderr."""
    from ketcost.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    text = f"exit {code}\n--- stdout\n{out.getvalue()}--- stderr\n{err.getvalue()}"
    return text.replace(str(GOLDEN), "{golden}")


def batch_input() -> bytes:
    """The benchmark's first records, as the batch test reads them."""
    spec = importlib.util.spec_from_file_location("records", ROOT / "benchmarks" / "records.py")
    assert spec is not None
    assert spec.loader is not None
    records: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(records)
    return "".join(records.lines(BATCH_RECORDS)).encode("utf-8")


def batch_output(records: Path, fmt: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"out.{fmt}"
        run(["batch", str(records), "-f", fmt, "-o", str(out), "--jobs", "1"])
        return out.read_bytes()


def pinned_terminal() -> None:
    # the tests' terminal and today (tests/conftest.py): an insured plan without --start starts then
    os.environ.update(COLUMNS="80", NO_COLOR="1", TERM="dumb", KETCOST_TODAY="2027-03-01")
    os.environ.pop("KETCOST_PRICES", None)


def main() -> None:
    pinned_terminal()
    for old in GOLDEN.glob("*.out"):
        old.unlink()
    for index, line in enumerate(commands()):
        (GOLDEN / output_name(index)).write_text(run(arguments(line)), "utf-8")
    records = GOLDEN / "batch-input.jsonl.gz"
    records.write_bytes(gzip.compress(batch_input(), mtime=0))
    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "records.jsonl"
        plain.write_bytes(gzip.decompress(records.read_bytes()))
        for fmt in ("jsonl", "csv"):
            frozen = gzip.compress(batch_output(plain, fmt), mtime=0)
            (GOLDEN / f"batch-output.{fmt}.gz").write_bytes(frozen)
    print(f"wrote {len(commands())} command outputs and the batch files to {GOLDEN}")


if __name__ == "__main__":
    main()
