"""The bill check: a bill compared with a Good Faith Estimate, provider by provider (No Surprises
Act, `documents.rules`: a bill at least $400 over one provider's expected charges may be
disputed within 120 days of its date). The estimate is ketcost's JSON, or a paper one given by
its expected charges, provider and issue date. Pure: no I/O."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, PlainSerializer, WithJsonSchema

from ketcost.documents.gfe import EstimateDocument, GoodFaithEstimate
from ketcost.documents.rules import (
    DISPUTE_FEE,
    DISPUTE_PAGE,
    DISPUTE_RULE,
    DISPUTE_THRESHOLD,
    FEE_NOTE,
    WHERE_TO_DISPUTE,
    bill_dates,
    last_day_to_dispute,
)
from ketcost.domain.values import FROZEN, MAX_AMOUNT
from ketcost.errors import InputError

# Money in the check's JSON: text with two decimals, as every other ketcost output writes it.
Cents = Annotated[
    Decimal,
    PlainSerializer(lambda d: f"{d:.2f}", return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$"}, mode="serialization"),
]


class ProviderCheck(BaseModel):
    """One provider's expected charges, what was billed, and the difference."""

    model_config = FROZEN

    provider: str
    npi: str | None
    expected: Cents
    billed: Cents
    difference: Cents
    eligible: bool


class BillCheck(BaseModel):
    """The bill compared with the estimate."""

    model_config = FROZEN

    kind: Literal["good_faith_estimate", "paper_good_faith_estimate", "estimate"]
    estimate_id: str | None  # None: a paper estimate
    issued: date
    bill_date: date
    checked: date  # the day of the check: the 120 days are counted to it
    currency: str
    providers: tuple[ProviderCheck, ...]
    # whether a provider is $400 or more over and the window is still open
    eligible: bool
    over_threshold: bool
    last_day_to_dispute: date | None
    window_closed: bool
    fee: Cents | None  # the fee to start dispute resolution (None: no dispute right)
    rule: str | None
    dispute_page: str | None
    notes: tuple[str, ...]


def check_bill(
    document: dict[str, Any],
    billed: Decimal | None,
    by_provider: dict[str, Decimal],
    bill_date: date,
    today: date,
    origin: str = "the estimate",
) -> BillCheck:
    """Compare a bill with a GFE (per provider, the $400 rule) or with a counselor's estimate
    (its high case; no dispute right follows from it)."""
    if not _amounts_as_ketcost_writes_them(document):
        raise InputError(f"{origin}: {NOT_OURS}")
    if document.get("kind") == "good_faith_estimate":
        gfe = GoodFaithEstimate.model_validate(document)
        bill_dates(bill_date, gfe.issued, today, "the Good Faith Estimate")
        return _check_gfe(gfe, billed, by_provider, bill_date, today)
    if document.get("kind") == "estimate":
        estimate = EstimateDocument.model_validate(document)
        bill_dates(bill_date, estimate.prepared, today, "the estimate")
        return _check_estimate(estimate, billed, bill_date, today)
    raise InputError(f"{origin}: {NOT_OURS}")


def check_paper_bill(
    expected: Decimal,
    provider: str,
    issued: date,
    billed: Decimal,
    bill_date: date,
    today: date,
    currency: str = "USD",
) -> BillCheck:
    """Compare a bill with a provider's paper Good Faith Estimate: its expected charges, the
    provider's name and the day it was issued."""
    bill_dates(bill_date, issued, today, "the Good Faith Estimate")
    row = _row(provider, None, expected, billed)
    return _dispute_result("paper_good_faith_estimate", None, issued, bill_date, today,
                           currency, (row,))  # fmt: skip


def _row(provider: str, npi: str | None, expected: Decimal, billed: Decimal) -> ProviderCheck:
    difference = billed - expected
    return ProviderCheck(
        provider=provider,
        npi=npi,
        expected=expected,
        billed=billed,
        difference=difference,
        eligible=difference >= DISPUTE_THRESHOLD,
    )


def _dispute_result(
    kind: Literal["good_faith_estimate", "paper_good_faith_estimate"],
    estimate_id: str | None,
    issued: date,
    bill_date: date,
    today: date,
    currency: str,
    rows: tuple[ProviderCheck, ...],
) -> BillCheck:
    """A check against a Good Faith Estimate: eligible when a provider is $400 or more over and
    the 120 days from the bill's date have not passed."""
    over = any(row.eligible for row in rows)
    last_day = last_day_to_dispute(bill_date)
    closed = today > last_day
    notes = [
        "Patient-provider dispute resolution is open when a bill is at least $400 over the "
        "expected charges of any one provider in the Good Faith Estimate, within 120 calendar "
        f"days of the bill's date ({DISPUTE_RULE}).",
        FEE_NOTE,
        WHERE_TO_DISPUTE,
        "ketcost does not file a dispute, and this is not legal advice.",
    ]
    return BillCheck(
        kind=kind,
        estimate_id=estimate_id,
        issued=issued,
        bill_date=bill_date,
        checked=today,
        currency=currency,
        providers=rows,
        eligible=over and not closed,
        over_threshold=over,
        last_day_to_dispute=last_day,
        window_closed=closed,
        fee=DISPUTE_FEE,
        rule=DISPUTE_RULE,
        dispute_page=DISPUTE_PAGE,
        notes=tuple(notes),
    )


NOT_OURS = (
    "not an estimate ketcost wrote: expected the JSON of `ketcost quote -f json` "
    "(a Good Faith Estimate or a counselor's estimate)"
)
# ketcost writes money as a string with two decimals, from 0 to 10,000,000; the file may come
# from anyone, so what it compares is read only in that form (not `١٠٠`, `1_000`, `1e400`).
_MONEY = re.compile(r"(?:[0-9]{1,8})\.[0-9]{2}", re.ASCII)


def _amounts_as_ketcost_writes_them(document: dict[str, Any]) -> bool:
    """Whether every amount the check compares is written as ketcost writes money."""
    amounts: list[Any] = []
    if document.get("kind") == "good_faith_estimate":
        amounts.append(document.get("total_expected_charges"))
        for charges in document.get("providers") or [None]:
            if not isinstance(charges, dict):
                return False
            amounts.append(charges.get("expected_charges"))
            for item in charges.get("items") or []:
                if not isinstance(item, dict):
                    return False
                amounts += [item.get("unit_charge"), item.get("expected_charge")]
    elif document.get("kind") == "estimate":
        inner = document.get("estimate")
        total = inner.get("total") if isinstance(inner, dict) else None
        if not isinstance(total, dict):
            return False
        amounts += [total.get("low"), total.get("high")]
    return all(
        isinstance(amount, str)
        and _MONEY.fullmatch(amount) is not None
        and Decimal(amount) <= MAX_AMOUNT
        for amount in amounts
    )


def _check_gfe(
    gfe: GoodFaithEstimate,
    billed: Decimal | None,
    by_provider: dict[str, Decimal],
    bill_date: date,
    today: date,
) -> BillCheck:
    known = {p.provider.npi: p for p in gfe.providers}
    unknown = [npi for npi in by_provider if npi not in known]
    if unknown:
        raise InputError(f"NPI {unknown[0]} is not a provider in {gfe.id}; providers: "
                         f"{', '.join(known)}")  # fmt: skip
    if billed is not None:
        if len(known) > 1:
            raise InputError("the estimate names several providers; give --provider NPI=AMOUNT")
        by_provider = {next(iter(known)): billed}
    if not by_provider:
        raise InputError("give what was billed: --billed AMOUNT or --provider NPI=AMOUNT")
    rows = tuple(
        _row(known[npi].provider.name, npi, known[npi].expected_charges, amount)
        for npi, amount in by_provider.items()
    )
    return _dispute_result("good_faith_estimate", gfe.id, gfe.issued, bill_date, today,
                           gfe.currency, rows)  # fmt: skip


def _check_estimate(
    document: EstimateDocument, billed: Decimal | None, bill_date: date, today: date
) -> BillCheck:
    if billed is None:
        raise InputError("give what was billed: --billed AMOUNT")
    high = document.estimate.total.high
    row = ProviderCheck(
        provider=document.clinic or "the clinic",
        npi=None,
        expected=high,
        billed=billed,
        difference=billed - high,
        eligible=False,
    )
    return BillCheck(
        kind="estimate",
        estimate_id=document.id,
        issued=document.prepared,
        bill_date=bill_date,
        checked=today,
        currency=document.estimate.currency,
        providers=(row,),
        eligible=False,
        over_threshold=False,
        last_day_to_dispute=None,
        window_closed=False,
        fee=None,
        rule=None,
        dispute_page=None,
        notes=(
            "Compared with the high case of a counselor's estimate. Only a provider's Good Faith "
            "Estimate gives the right to dispute a bill; ask the provider for one.",
            "ketcost does not file a dispute, and this is not legal advice.",
        ),
    )
