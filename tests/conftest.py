"""Shared test fixtures: a pinned terminal, the default sheet and a way to run the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ketcost import PriceSheet, load_price_sheet
from ketcost.cli import main

COMMANDS = (
    "estimate",
    "compare",
    "timeline",
    "quote",
    "plan init",
    "prices init",
    "routes",
    "addons",
    "protocols",
    "check-prices",
    "check-bill",
    "batch",
    "schema",
)  # every command a person can run


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich output is deterministic: 80 columns, no colour, no user price sheet."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.delenv("KETCOST_PRICES", raising=False)
    # An insured plan without --start starts today: the tests' today is fixed, so their figures
    # are the same on every day (tests/test_calendar.py checks the real today).
    monkeypatch.setenv("KETCOST_TODAY", TODAY)


TODAY = "2027-03-01"


@pytest.fixture(scope="session")
def sheet() -> PriceSheet:
    return load_price_sheet()


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


RunCli = Callable[..., Run]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """Run `ketcost ARGS...` in-process through the same main() the console script calls."""

    def run(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a text file under the test's temporary directory."""

    def write_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write_file
