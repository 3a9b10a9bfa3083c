"""The HTML quote in a real browser: printed to PDF by headless Chromium and read back with
pdftotext, and a screenshot whose chart is drawn.

These need Debian's chromium and poppler-utils, which `.ci/run` installs. Elsewhere they are
skipped, unless KETCOST_BROWSER_TESTS=required (as in CI), when a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import RunCli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRED = os.environ.get("KETCOST_BROWSER_TESTS") == "required"

if not REQUIRED and not (CHROMIUM and shutil.which("pdftotext")):
    pytest.skip("chromium and pdftotext are not installed", allow_module_level=True)

LOW_BAR = (0x2A, 0x5D, 0x8F)  # the chart's low-case colour in the template


def chromium(tmp_path: Path, *args: str) -> None:
    assert CHROMIUM, "chromium is required (KETCOST_BROWSER_TESTS=required)"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", *args,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip


@pytest.fixture
def standard_quote(cli: RunCli, tmp_path: Path) -> Path:
    """A standard plan's quote: esketamine on its label schedule with insurance."""
    path = tmp_path / "quote.html"
    run = cli(
        "quote", "-r", "esketamine", "-p", "spravato-label", "--maintenance-months", "6",
        "--with", "consultation", "--deductible", "1000", "--coinsurance", "20",
        "--oop-max", "3000", "--installments", "12", "--client", "Ana Díaz",
        "--prepared-by", "J. Counselor", "--clinic", "Example Clinic", "-o", str(path),
    )  # fmt: skip
    assert run.code == 0, run.err
    return path


def test_printed_quote_reads_back(standard_quote: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "quote.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", standard_quote.as_uri())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Ana Díaz" in flat
    # out of pocket: the $3,000 cap in both cases (the evaluation is covered with esketamine)
    assert "$3,000.00" in flat
    assert "not a bill" in flat
    assert "licensed medical supervision" in flat
    assert "call or text 988" in flat
    assert 1 <= pages(pdf) <= 2
    first_page = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    assert len(first_page.split()) > 250  # the first page is not left half empty


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])


def printed(tmp_path: Path, page: Path) -> tuple[str, int]:
    """The page printed by Chromium to PDF: its text (flattened) and its page count."""
    pdf = tmp_path / f"{page.stem}.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split()), pages(pdf)


def test_printed_comparison_has_every_option(cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "options.html"
    run = cli("quote", "-r", "iv", "-r", "esketamine", "--weeks", "4", "-o", str(path))
    assert run.code == 0, run.err
    flat, count = printed(tmp_path, path)
    assert "Options compared" in flat
    assert "Option 1: IV infusion" in flat
    assert "Option 2: Intranasal esketamine (Spravato)" in flat
    assert "not a Good Faith Estimate" in flat
    assert count <= 4  # two options, each at most two pages


def test_printed_gfe_carries_the_required_texts(cli: RunCli, tmp_path: Path) -> None:
    from .test_gfe import CLINIC, ELEMENTS, PROVIDER

    (tmp_path / "clinic.toml").write_text(CLINIC)
    (tmp_path / "provider.toml").write_text(PROVIDER)
    path = tmp_path / "gfe.html"
    run = cli(
        "quote", "--gfe", "--prices", str(tmp_path / "clinic.toml"), "-r", "esketamine",
        "--client", "Ana Díaz", "--client-dob", "1980-04-02", "--diagnosis", "F33.2",
        "--provider", str(tmp_path / "provider.toml"), "--scheduled", "2027-03-15",
        "-o", str(path),
    )  # fmt: skip
    assert run.code == 0, run.err
    flat, count = printed(tmp_path, path)
    assert count <= 2
    for element, needles in ELEMENTS.items():
        for needle in needles:
            assert needle in flat, (element, needle)


def test_screenshot_draws_the_chart(standard_quote: Path, tmp_path: Path) -> None:
    from PIL import Image

    png = tmp_path / "quote.png"
    chromium(tmp_path, "--window-size=900,1400", f"--screenshot={png}", standard_quote.as_uri())
    image = Image.open(png).convert("RGB")
    colours = {colour: count for count, colour in image.getcolors(maxcolors=1 << 24) or []}
    bar_pixels = colours.get(LOW_BAR, 0)
    # the legend swatch alone is about 100 pixels; eight bars are thousands
    assert bar_pixels > 5000
