"""`ketcost quote`: content, escaping, self-contained HTML, references, and safe file writing."""

from __future__ import annotations

import html
import json
import os
import re
import stat
from datetime import date
from pathlib import Path

import pytest

from ketcost import Plan, estimate
from ketcost.documents.quote import build_quote, reference
from ketcost.domain.sheet import PriceSheet
from ketcost.engine.timeline import timeline
from ketcost.errors import KetcostError
from ketcost.io.files import write_text
from ketcost.io.planfile import QuoteInfo
from ketcost.render import quote as render

from .conftest import TODAY, RunCli

INSURED = [
    "-r", "esketamine", "--weeks", "4", "--deductible", "1000", "--coinsurance", "20",
    "--oop-max", "3000", "--installments", "6",
]  # fmt: skip
EVIL = "<script>alert(1)</script>"


def make_quote(cli: RunCli, tmp_path: Path, *args: str, name: str = "q.html") -> str:
    path = tmp_path / name
    run = cli("quote", *INSURED, *args, "-o", str(path))
    assert (run.code, run.out) == (0, ""), run.err
    return path.read_text()


def test_html_quote_content(cli: RunCli, tmp_path: Path) -> None:
    page = make_quote(
        cli, tmp_path, "--client", "Ana Díaz", "--prepared-by", "J. Counselor", "--clinic",
        "Example Clinic",
    )  # fmt: skip
    today = date.fromisoformat(TODAY)  # the tests' today: a quote is dated by $KETCOST_TODAY
    assert "Valid until" not in page
    for text in (
        "Estimated cost of ketamine treatment",
        "This is not a Good Faith Estimate under the No Surprises Act",
        today.isoformat(),
        "Prices as of</b> 2026-11-01",
        "Ana Díaz",
        "J. Counselor",
        "Example Clinic",
        "$2,544.00–$3,000.00",  # the headline: out of pocket
        "Total cost of care: $8,720.00–$13,985.00",
        "Insurance pays",
        "coinsurance 20%",
        "6 monthly payments of $424.00–$500.00",
        "2 sessions a week for 4 weeks",
        "prior authorization",
        "Good Faith Estimate",
        "$400 or more",
        "not a bill",
        "licensed medical supervision",
        "call or text 988",
        "ketcost default US price ranges",
    ):
        assert text in page, text
    assert re.search(r"Estimate ID</b> KC-[0-9A-F]{8}", page)


def test_user_text_is_escaped(cli: RunCli, tmp_path: Path) -> None:
    page = make_quote(cli, tmp_path, "--client", EVIL, "--clinic", 'A & B "Clinic"')
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "A &amp; B &#34;Clinic&#34;" in page
    markdown = make_quote(cli, tmp_path, "--client", EVIL, name="q.md")
    assert "<script" not in markdown


def test_html_is_self_contained(cli: RunCli, tmp_path: Path) -> None:
    page = make_quote(cli, tmp_path)
    assert "<svg" in page
    assert "<rect" in page
    lowered = page.lower()
    for forbidden in ("<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import"):
        assert forbidden not in lowered, forbidden
    # the only address is the SVG namespace, which is a name, not something fetched
    assert re.findall(r"https?://[^\s\"']+", page) == ["http://www.w3.org/2000/svg"]


def test_markdown_quote_has_the_same_content(cli: RunCli, tmp_path: Path) -> None:
    text = make_quote(cli, tmp_path, "--client", "Ana", name="quote.md")
    assert text.startswith("# Estimated cost of ketamine treatment\n")
    assert "## You pay: $2,544.00–$3,000.00" in text
    assert "- **Client:** Ana" in text
    # the month table: calendar months, the course starting today (the tests' 2027-03-01)
    assert "| 2027-03 | 8 | $8,720.00–$13,985.00 | $2,544.00–$3,000.00 |" in text
    assert "call or text 988" in text


def test_same_inputs_same_reference(sheet: PriceSheet) -> None:
    plan = Plan(route="iv", weeks=4)
    first = reference(plan, estimate(plan, sheet))
    assert first == reference(Plan(route="iv", weeks="4"), estimate(plan, sheet))
    other = Plan(route="iv", weeks=5)
    assert first != reference(other, estimate(other, sheet))


def test_quote_dates_come_from_the_issue_date(sheet: PriceSheet) -> None:
    """A quote built for a given day says that day, whatever today is, and no validity date."""
    plan = Plan(route="oral", weeks=4)
    result = estimate(plan, sheet)
    months = timeline(plan, sheet, result)
    built = build_quote(plan, months, QuoteInfo(client="X"), date(2026, 1, 2))
    for text in (render.html(built), render.markdown(built)):
        assert "2026-01-02" in text
        assert "2026-02-01" not in text
        assert reference(plan, result) in text


def test_bad_quote_details(cli: RunCli, tmp_path: Path) -> None:
    plan = tmp_path / "p.toml"
    plan.write_text('route = "iv"\n[quote]\nclient = 5\n')
    run = cli("quote", "--plan", str(plan), "-o", str(tmp_path / "q.md"))
    assert (run.code, run.out) == (2, "")
    assert "quote.client" in run.err
    assert not (tmp_path / "q.md").exists()


def test_quote_to_stdout(cli: RunCli) -> None:
    run = cli("quote", "-r", "iv", "--weeks", "4", "-o", "-")
    assert run.code == 0
    assert run.out.startswith("# Estimated cost")  # Markdown unless --format html
    html = cli("quote", "-r", "iv", "--weeks", "4", "-o", "-", "--format", "html")
    assert html.out.startswith("<!DOCTYPE html>")


def test_format_follows_the_extension(cli: RunCli, tmp_path: Path) -> None:
    run = cli("quote", "-r", "iv", "-o", str(tmp_path / "q.pdf"))
    assert run.code == 2
    assert "give --format html, markdown or json" in run.err
    assert not (tmp_path / "q.pdf").exists()


def test_existing_file_is_untouched_without_force(cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "q.html"
    path.write_text("keep me")
    run = cli("quote", "-r", "iv", "-o", str(path))
    assert (run.code, run.out) == (1, "")
    assert run.err == f"error: {path}: already exists; give --force to overwrite it\n"
    assert path.read_text() == "keep me"
    assert cli("quote", "-r", "iv", "-o", str(path), "--force").code == 0
    assert path.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["q.html"]  # no temporary files left


def test_ordinary_permissions(cli: RunCli, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        cli("quote", "-r", "iv", "-o", str(tmp_path / "q.html"))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "q.html").stat().st_mode) == 0o644


def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(KetcostError, match="no space left on the device"):
        write_text(str(tmp_path / "q.html"), "x" * 100_000)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(KetcostError, match="does not exist"):
        write_text(str(tmp_path / "no" / "q.html"), "x")


def test_quote_from_a_plan_file(cli: RunCli, tmp_path: Path) -> None:
    plan = tmp_path / "client.toml"
    plan.write_text(
        'route = "oral"\nweeks = 4\n[quote]\nclient = "From Plan"\nclinic = "Plan Clinic"\n'
        'notes = "Bring a driver."\n'
    )
    out = tmp_path / "q.md"
    run = cli("quote", "--plan", str(plan), "--client", "From Option", "-o", str(out))
    assert run.code == 0, run.err
    text = out.read_text()
    assert "From Option" in text
    assert "From Plan" not in text
    assert "Plan Clinic" in text
    assert "Bring a driver." in text


def _visible(document: str) -> str:
    """What a reader of the document sees: HTML without its styles and tags."""
    document = re.sub(r"(?s)<style.*?</style>", "", document)
    return html.unescape(re.sub(r"<[^>]+>", " ", document))


QUOTE_SCENARIOS = [
    "-r esketamine --weeks 4 --deductible 1000 --coinsurance 20",
    "-r iv --weeks 4 --deductible 100",
    "-r iv --months 14 --deductible 100 --coinsurance 10",
    "-r iv --weeks 4 --deductible 100 --covered",
    "-r oral --weeks 4 --covered",
    "-r iv --months 3 --start 2026-12-01 --plan-year-renews 01-01 --deductible 10",
    "-r iv -r esketamine --weeks 4 --deductible 500 --coinsurance 20",
]


@pytest.mark.parametrize("fmt", ["markdown", "html"])
@pytest.mark.parametrize("args", QUOTE_SCENARIOS)
def test_client_documents_name_no_command_line_option(cli: RunCli, args: str, fmt: str) -> None:
    """A client cannot act on a flag: quotes say what a flag would change in words."""
    run = cli("quote", *args.split(), "--client", "A. Client", "-f", fmt)
    assert run.code == 0, run.err
    flags = re.findall(r"--[a-z][a-z-]*", _visible(run.out))
    assert flags == [], flags
    assert "ask the clinic about maintenance" in run.out or "--months" in args


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_a_good_faith_estimate_names_no_command_line_option(
    cli: RunCli, tmp_path: Path, fmt: str
) -> None:
    from .test_gfe import CLINIC, PROVIDER

    (tmp_path / "clinic.toml").write_text(CLINIC)
    (tmp_path / "provider.toml").write_text(PROVIDER)
    run = cli(
        "quote", "--gfe", "--prices", str(tmp_path / "clinic.toml"), "-r", "esketamine",
        "--client", "Ana Díaz", "--client-dob", "1980-04-02", "--diagnosis", "F33.2",
        "--provider", str(tmp_path / "provider.toml"), "-f", fmt,
    )  # fmt: skip
    assert run.code == 0, run.err
    assert re.findall(r"--[a-z][a-z-]*", _visible(run.out)) == []


CAUTION = (
    "The prices here are from a price list dated 2026-11-01, more than 12 months before this "
    "document; they may have changed. Ask the clinic for its current prices."
)


@pytest.mark.parametrize("fmt", ["markdown", "html"])
@pytest.mark.parametrize("routes", [["-r", "iv"], ["-r", "iv", "-r", "oral"]])
def test_an_old_price_sheet_is_cautioned_in_the_document(
    cli: RunCli, monkeypatch: pytest.MonkeyPatch, fmt: str, routes: list[str]
) -> None:
    """The terminal's warning goes to stderr, which a client never sees: the document says it."""
    fresh = cli("quote", *routes, "-f", fmt)
    assert "more than 12 months" not in fresh.out
    monkeypatch.setenv("KETCOST_TODAY", "2028-01-15")  # the shipped sheet is dated 2026-11-01
    run = cli("quote", *routes, "-f", fmt)
    assert run.code == 0
    assert run.err.startswith("warning: price sheet ")
    assert " ".join(_visible(run.out).replace("**", "").split()).count(f"Caution: {CAUTION}") == 1
    assert re.findall(r"--[a-z][a-z-]*", _visible(run.out)) == []


def test_an_old_price_sheet_is_in_the_quote_json_and_the_gfe(
    cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_gfe import CLINIC, PROVIDER, gfe_args

    (tmp_path / "clinic.toml").write_text(CLINIC)  # dated 2026-11-01 too
    (tmp_path / "provider.toml").write_text(PROVIDER)
    paths = {"sheet": str(tmp_path / "clinic.toml"), "provider": str(tmp_path / "provider.toml")}
    monkeypatch.setenv("KETCOST_TODAY", "2028-01-15")
    data = json.loads(cli("quote", "-r", "iv", "-f", "json").out)
    assert data["estimate"]["warnings"][0].endswith("12 months ago; prices may have changed")
    args = gfe_args(paths)
    args[args.index("--scheduled") + 1] = "2028-02-01"  # care after the estimate's day
    gfe = json.loads(cli(*args, "-f", "json").out)
    assert gfe["disclaimers"][-1] == CAUTION
    assert CAUTION in cli(*args, "-f", "markdown").out
