"""The bill check: a bill compared with a Good Faith Estimate, provider by provider (No Surprises
Act: a bill at least $400 over one provider's expected charges may be disputed within 120 days of
its date). Pure: no I/O."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from ketcost.documents.gfe import (
    DISPUTE_DAYS,
    DISPUTE_THRESHOLD,
    WHERE_TO_DISPUTE,
    EstimateDocument,
    GoodFaithEstimate,
)
from ketcost.domain.values import FROZEN, MAX_AMOUNT
from ketcost.errors import InputError


class ProviderCheck(BaseModel):
    """One provider's expected charges, what was billed, and the difference."""

    model_config = FROZEN

    provider: str
    npi: str | None
    expected: Decimal
    billed: Decimal
    difference: Decimal
    eligible: bool


class BillCheck(BaseModel):
    """The bill compared with the estimate."""

    model_config = FROZEN

    kind: Literal["good_faith_estimate", "estimate"]
    estimate_id: str
    bill_date: date
    currency: str
    providers: tuple[ProviderCheck, ...]
    eligible: bool
    last_day_to_dispute: date | None
    notes: tuple[str, ...]


def check_bill(
    document: dict[str, Any],
    billed: Decimal | None,
    by_provider: dict[str, Decimal],
    bill_date: date,
    origin: str = "the estimate",
) -> BillCheck:
    """Compare a bill with a GFE (per provider, the $400 rule) or with a counselor's estimate
    (its high case; no dispute right follows from it)."""
    if not _amounts_as_ketcost_writes_them(document):
        raise InputError(f"{origin}: {NOT_OURS}")
    if document.get("kind") == "good_faith_estimate":
        gfe = GoodFaithEstimate.model_validate(document)
        return _check_gfe(gfe, billed, by_provider, bill_date)
    if document.get("kind") == "estimate":
        estimate = EstimateDocument.model_validate(document)
        return _check_estimate(estimate, billed, bill_date)
    raise InputError(f"{origin}: {NOT_OURS}")


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
    origin: str = "the estimate",
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
    rows = []
    for npi, amount in by_provider.items():
        charges = known[npi]
        difference = amount - charges.expected_charges
        rows.append(
            ProviderCheck(
                provider=charges.provider.name,
                npi=npi,
                expected=charges.expected_charges,
                billed=amount,
                difference=difference,
                eligible=difference >= DISPUTE_THRESHOLD,
            )
        )
    eligible = any(row.eligible for row in rows)
    notes = [
        "Patient-provider dispute resolution is open when a bill is at least $400 over the "
        "expected charges of any one provider in the Good Faith Estimate, within 120 days of "
        "the bill's date.",
        WHERE_TO_DISPUTE,
        "ketcost does not file a dispute, and this is not legal advice.",
    ]
    return BillCheck(
        kind="good_faith_estimate",
        estimate_id=gfe.id,
        bill_date=bill_date,
        currency=gfe.currency,
        providers=tuple(rows),
        eligible=eligible,
        last_day_to_dispute=bill_date + timedelta(days=DISPUTE_DAYS),
        notes=tuple(notes),
    )


def _check_estimate(
    document: EstimateDocument, billed: Decimal | None, bill_date: date
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
        bill_date=bill_date,
        currency=document.estimate.currency,
        providers=(row,),
        eligible=False,
        last_day_to_dispute=None,
        notes=(
            "Compared with the high case of a counselor's estimate. Only a provider's Good Faith "
            "Estimate gives the right to dispute a bill; ask the provider for one.",
            "ketcost does not file a dispute, and this is not legal advice.",
        ),
    )
