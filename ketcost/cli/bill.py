"""`check-bill`: a bill compared with a Good Faith Estimate (ketcost's JSON or a paper one) or
with a counselor's estimate."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError

from ketcost import wording
from ketcost.cli.base import EXIT_BUDGET, EXIT_OK
from ketcost.domain.values import clean_text, parse_amount, parse_date
from ketcost.errors import InputError
from ketcost.io.files import ReadProblem, read_text, to_stdout

if TYPE_CHECKING:
    from ketcost.documents.bill import BillCheck


def check_bill(
    estimate_file: Annotated[
        str | None,
        typer.Argument(
            metavar="[FILE]",
            help="The estimate's JSON (`ketcost quote -f json`), a GFE or not; none with "
            "--expected.",
            show_default=False,
        ),
    ] = None,
    bill_date: Annotated[
        str | None, typer.Option(metavar="DATE", help="The date on the bill, YYYY-MM-DD.")
    ] = None,
    billed: Annotated[
        str | None,
        typer.Option(metavar="AMOUNT", help="What was billed in all (one provider)."),
    ] = None,
    provider: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NPI=AMOUNT|NAME",
            help="What one provider billed, by NPI (repeatable); with --expected, the "
            "provider's name.",
        ),
    ] = None,
    expected: Annotated[
        str | None,
        typer.Option(
            metavar="AMOUNT",
            help="A paper Good Faith Estimate's expected charges (with --provider NAME and "
            "--issued DATE).",
        ),
    ] = None,
    issued: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="With --expected: the day the estimate was issued."),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="The day of the check (default: today)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the check as JSON.")] = False,
) -> int:
    """Check a bill against a Good Faith Estimate: $400 or more over any one provider's expected
    charges opens patient-provider dispute resolution, within 120 days of the bill's date.

    Exit 0 when no provider is $400 over or the 120 days have passed, 3 when the bill may be
    disputed, 2 for bad input. Against a counselor's estimate (not a GFE) it compares with the
    high case; only a GFE gives the dispute right.

    \b
    Examples:
      ketcost check-bill gfe.json --billed 4050 --bill-date 2027-02-01
      ketcost check-bill --expected 3600 --provider "Example Clinic" --issued 2027-01-10 \\
          --billed 4050 --bill-date 2027-02-01
    """
    from ketcost.documents.bill import check_bill as compare_bill
    from ketcost.domain.plan import today as current_day

    if bill_date is None:
        raise InputError("missing option '--bill-date': the date printed on the bill")
    try:
        when = parse_date(bill_date)
        checked = current_day() if today is None else parse_date(today)
        total = None if billed is None else parse_amount(billed)
    except ValueError as error:
        raise InputError(f"invalid value: {error}") from None
    if expected is not None:
        paper = _paper_check(estimate_file, expected, provider, issued, total, when, checked)
        return _bill_result(paper, as_json)
    if estimate_file is None:
        raise InputError(
            "give the estimate: its JSON file (`ketcost quote -f json`), or a paper one with "
            "--expected AMOUNT --provider NAME --issued DATE"
        )
    if issued is not None:
        raise InputError("--issued is for a paper estimate (--expected); a file has its own date")
    try:
        document = json.loads(read_text(estimate_file), parse_float=Decimal)
    except ReadProblem as problem:
        raise InputError(f"{estimate_file}: {problem}") from None
    except (json.JSONDecodeError, RecursionError):
        raise InputError(
            f"{estimate_file}: not JSON; give the JSON of `ketcost quote -f json`"
        ) from None
    if not isinstance(document, dict):
        raise InputError(f"{estimate_file}: not an estimate ketcost wrote")
    try:
        by_provider = dict(_provider_amount(item) for item in provider or ())
    except ValueError as error:
        raise InputError(f"invalid value: {error}") from None
    try:
        checked_bill = compare_bill(document, total, by_provider, when, checked, estimate_file)
    except ValidationError:
        raise InputError(f"{estimate_file}: not an estimate ketcost wrote") from None
    return _bill_result(checked_bill, as_json)


def _paper_check(
    estimate_file: str | None,
    expected: str,
    provider: list[str] | None,
    issued: str | None,
    total: Decimal | None,
    when: date,
    checked: date,
) -> BillCheck:
    """The bill checked against a paper estimate, or an InputError naming what is missing or
    extra."""
    from ketcost.documents.bill import check_paper_bill

    if estimate_file is not None:
        raise InputError("give the estimate's file or --expected for a paper one, not both")
    names = provider or []
    if len(names) != 1 or issued is None or total is None:
        raise InputError(
            "a paper Good Faith Estimate is checked with --expected AMOUNT, --provider NAME "
            "(once), --issued DATE and --billed AMOUNT"
        )
    name = clean_text(names[0])
    if not name:
        raise InputError("--provider: give the provider's name as the estimate writes it")
    try:
        amount = parse_amount(expected)
        day = parse_date(issued)
    except ValueError as error:
        raise InputError(f"invalid value: {error}") from None
    return check_paper_bill(amount, name, day, total, when, checked)


def _bill_result(result: BillCheck, as_json: bool) -> int:
    to_stdout(result.model_dump_json(indent=2) + "\n" if as_json else _bill_text(result))
    return EXIT_BUDGET if result.eligible else EXIT_OK


def _provider_amount(text: str) -> tuple[str, Decimal]:
    npi, equals, amount = text.partition("=")
    if not equals:
        raise ValueError(f"{text[:40]!r} for --provider: expected NPI=AMOUNT, e.g. 1234567893=4050")
    return npi.strip(), parse_amount(amount)


def _bill_text(result: BillCheck) -> str:
    money = result.currency
    against = {
        "good_faith_estimate": f"{result.estimate_id} (Good Faith Estimate)",
        "paper_good_faith_estimate": (
            f"the paper Good Faith Estimate of {result.issued.isoformat()}"
        ),
        "estimate": f"{result.estimate_id} (an estimate)",
    }[result.kind]
    lines = [f"Bill of {result.bill_date.isoformat()} against {against}:"]
    for row in result.providers:
        who = f"{row.provider} (NPI {row.npi})" if row.npi else row.provider
        expected = "high case" if result.kind == "estimate" else "expected"
        lines.append(
            f"- {who}: {expected} {wording.money(row.expected, money)}, billed "
            f"{wording.money(row.billed, money)}, difference "
            f"{'-' if row.difference < 0 else ''}{wording.money(abs(row.difference), money)}"
            + (" (at least $400 over)" if row.eligible else "")
        )
    last = result.last_day_to_dispute
    if result.kind != "estimate" and last is not None:
        if result.window_closed:
            lines.append(
                f"Not eligible: the 120 days to start dispute resolution closed on "
                f"{last.isoformat()}, so the dispute process is no longer open for this bill."
            )
        elif result.eligible:
            lines.append(
                "Eligible for patient-provider dispute resolution: start it by "
                f"{last.isoformat()} (120 days from the bill's date)."
            )
        else:
            lines.append("Not eligible for dispute resolution: no provider is $400 or more over.")
    lines.extend(result.notes)
    return "\n".join(lines) + "\n"
