"""Tables in a colour terminal: the same layout as plain text, in a renderer and in a real
pseudo-terminal running the installed `ketcost`."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path

import pytest

from ketcost import Insurance, Plan, estimate, load_price_sheet
from ketcost.engine import rank
from ketcost.engine.timeline import timeline
from ketcost.render import (
    OutputFormat,
    render_comparison,
    render_estimate,
    render_routes,
    render_timeline,
)

SHEET = load_price_sheet()
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TERMS = Insurance(deductible="1000", coinsurance="20", oop_max="3000")


def renderers() -> dict[str, Callable[[int, bool], str]]:
    """Each table a person meets, drawn at a width, with or without colour."""
    one = estimate(Plan(route="esketamine", weeks=4, insurance=TERMS), SHEET)
    every = rank([estimate(Plan(route=r, weeks=4, insurance=TERMS), SHEET) for r in SHEET.routes])
    course = Plan(route="iv", weeks=4, maintenance_months=3)
    months = timeline(course, SHEET, estimate(course, SHEET))
    table = OutputFormat.TABLE
    return {
        "estimate": lambda w, c: render_estimate(one, table, width=w, color=c),
        "compare": lambda w, c: render_comparison(every, table, width=w, color=c),
        "timeline": lambda w, c: render_timeline(months, table, width=w, color=c),
        "routes": lambda w, c: render_routes(SHEET, table, width=w, color=c),
    }


@pytest.mark.parametrize("name", sorted(renderers()))
@pytest.mark.parametrize("width", [60, 80, 100, 120])
def test_colour_keeps_the_layout(name: str, width: int) -> None:
    draw = renderers()[name]
    plain, coloured = draw(width, False), draw(width, True)
    assert "\x1b[" in coloured
    assert ANSI.sub("", coloured) == plain


HEADERS = {
    "estimate": ["Item", "Schedule", "Count", "Each", "Amount"],
    "compare": ["Option", "Sessions", "Per session", "You pay"],
    "timeline": ["Month", "Sessions", "Cost", "You pay"],
}


@pytest.mark.parametrize("width", [80, 100, 120])
@pytest.mark.parametrize("name", sorted(HEADERS))
def test_colour_draws_a_table_not_blocks(name: str, width: int) -> None:
    """At 80 columns and wider these tables fit: every heading on one header row (stacked
    blocks put each heading on a line of its own)."""
    lines = ANSI.sub("", renderers()[name](width, True)).splitlines()
    assert any(all(h in line for h in HEADERS[name]) for line in lines), "\n".join(lines)


def run_in_terminal(args: list[str], columns: int) -> str:
    """`ketcost ARGS` as a person runs it: in a pseudo-terminal of `columns`, colour on."""
    script = shutil.which("ketcost", path=str(Path(sys.executable).parent)) or "ketcost"
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    child = subprocess.Popen(
        [script, *args], stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed its side
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert child.wait(timeout=30) == 0
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize(
    ("args", "header"),
    [
        (["compare", "--weeks", "4"], ["Option", "Sessions", "Per session", "You pay"]),
        (["estimate", "-r", "iv", "--weeks", "4"], ["Phase", "Schedule", "Sessions", "Cost"]),
    ],
)
def test_header_row_is_one_line_in_a_real_terminal(
    args: list[str], header: list[str], columns: int
) -> None:
    drawn = run_in_terminal(args, columns)
    assert "\x1b[" in drawn  # colour really was on
    lines = ANSI.sub("", drawn).splitlines()
    assert any(all(word in line for word in header) for line in lines), drawn
    assert max(len(line.rstrip()) for line in lines) <= columns


def test_batch_progress_shows_a_total_and_is_cleared_before_the_summary(tmp_path: Path) -> None:
    records = tmp_path / "in.jsonl"
    line = '{"route": "iv", "insurance": {"deductible": 500, "coinsurance": 20}}\n'
    records.write_text(line * 20_000)
    args = ["batch", str(records), "-o", str(tmp_path / "out.jsonl"), "--jobs", "1"]
    drawn = run_in_terminal(args, 100)
    assert "records priced" in drawn
    assert "of 20,000" in drawn  # a file's size is known: its lines are the total
    # the progress line is erased (cursor up, erase line) and the summary starts a clean line
    assert "\x1b[1A\x1b[2Kbatch: 20000 records, 20000 estimated, 0 failed\n" in drawn
    assert drawn.endswith(f"wrote {tmp_path / 'out.jsonl'}\n")
