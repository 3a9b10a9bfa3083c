"""Output does not change unless it is meant to: every command in `tests/golden/commands.txt`
and the first 5,000 benchmark records through `batch`, byte for byte (`python tools/golden.py`
writes the files)."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pytest

from ketcost.cli import main

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import golden  # noqa: E402 - the generator lives in tools/

COMMANDS = golden.commands()


@pytest.mark.parametrize(
    ("index", "line"), list(enumerate(COMMANDS)), ids=[f"{i:03d}" for i in range(len(COMMANDS))]
)
def test_command_output_is_golden(index: int, line: str) -> None:
    """Run as the tool that wrote the file runs it (the same pinned terminal, by the fixture)."""
    seen = golden.run(golden.arguments(line))
    assert seen == (golden.GOLDEN / golden.output_name(index)).read_text("utf-8")


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batch_output_is_golden(tmp_path: Path, fmt: str, jobs: str) -> None:
    records = tmp_path / "records.jsonl"
    records.write_bytes(gzip.decompress((golden.GOLDEN / "batch-input.jsonl.gz").read_bytes()))
    out = tmp_path / f"out.{fmt}"
    assert main(["batch", str(records), "-f", fmt, "-o", str(out), "--jobs", jobs]) == 4
    expected = gzip.decompress((golden.GOLDEN / f"batch-output.{fmt}.gz").read_bytes())
    seen = out.read_bytes()
    for number, (a, b) in enumerate(zip(seen.splitlines(), expected.splitlines(), strict=False)):
        assert a == b, f"line {number + 1} differs"
    assert seen == expected
