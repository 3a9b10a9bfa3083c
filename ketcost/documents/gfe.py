"""Good Faith Estimates (No Surprises Act, 45 CFR 149.610) and the bill check. Pure: no I/O.

A GFE is the provider's document for an uninsured or self-pay patient: one expected charge per
item, with service and diagnosis codes, the provider's identifiers, what will be scheduled
separately, and the disclaimers the rule lists. `build_gfe` refuses, naming what is missing,
unless it has every element; `check_bill` compares a bill with it, provider by provider.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator

from ketcost import wording
from ketcost.documents.rules import FEE_NOTE, TIMING, WHERE_TO_DISPUTE, gfe_dates
from ketcost.domain.money import decimal, to_cents
from ketcost.domain.plan import Plan
from ketcost.domain.result import Estimate, SheetInfo
from ketcost.domain.sheet import PriceSheet, Route
from ketcost.domain.values import FROZEN, Clean, Day, Text
from ketcost.engine import course_of, resolve
from ketcost.engine import estimate as price
from ketcost.engine.bill import route_price, session_fee
from ketcost.engine.schedule import WEEKS_PER_MONTH
from ketcost.errors import InputError
from ketcost.io.sheets import is_stale

MAX_MONTHS = 12  # recurring care: a GFE covers at most 12 months, then a new one follows
DISCLAIMERS = (
    "There may be other items or services the provider recommends as part of your care that "
    "must be scheduled or requested separately; they are not in this Good Faith Estimate.",
    "This Good Faith Estimate is an estimate: the items, services and charges you actually "
    "receive may differ. It is based on what was known when it was created.",
    "If you are billed at least $400 more than the expected charges of any one provider or "
    "facility in this Good Faith Estimate, you have the right to start patient-provider dispute "
    "resolution. You must start it within 120 calendar days of the date on the bill. "
    + WHERE_TO_DISPUTE,
    "Starting dispute resolution will not affect the quality of the care you receive. " + FEE_NOTE,
    TIMING,
    "This Good Faith Estimate is not a contract and does not require you to obtain the items or "
    "services from any of the providers or facilities named in it.",
)


def npi_valid(npi: str) -> bool:
    """Whether a 10-digit NPI's last digit is its check digit: the Luhn rule over the first nine
    digits with the prefix 80840 (the NPI standard, 45 CFR 162.406)."""
    if not re.fullmatch(r"[0-9]{10}", npi, re.ASCII):
        return False
    digits = [int(d) for d in "80840" + npi[:9]]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 0:  # every second digit from the right, starting with the rightmost
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return (10 - total % 10) % 10 == int(npi[9])


def _npi(value: Any) -> str:
    text = str(value).strip() if isinstance(value, str | int) else ""
    if not npi_valid(text):
        raise ValueError("an NPI is 10 digits whose last is its check digit (e.g. 1234567893)")
    return text


def _tin(value: Any) -> str:
    text = str(value).strip() if isinstance(value, str | int) else ""
    if not re.fullmatch(r"[0-9]{2}-?[0-9]{7}", text, re.ASCII):
        raise ValueError("a TIN is nine digits, written 12-3456789 or 123456789")
    return f"{text.replace('-', '')[:2]}-{text.replace('-', '')[2:]}"


def _state(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError("a state is its two-letter code in capitals, e.g. CA")
    return value


class ProviderInfo(BaseModel):
    """The provider or facility that issues the GFE."""

    model_config = FROZEN

    name: Text
    npi: Annotated[str, BeforeValidator(_npi)]
    tin: Annotated[str, BeforeValidator(_tin)]
    address: Text
    state: Annotated[Text, AfterValidator(_state)]


class Patient(BaseModel):
    model_config = FROZEN

    name: str
    date_of_birth: date


class GfeItem(BaseModel):
    """One item or service: its codes and one expected charge."""

    model_config = FROZEN

    description: str
    service_codes: tuple[str, ...]
    quantity: int
    unit_charge: Decimal
    expected_charge: Decimal


class ProviderCharges(BaseModel):
    """A provider's items and their expected charges in all."""

    model_config = FROZEN

    provider: ProviderInfo
    items: tuple[GfeItem, ...]
    expected_charges: Decimal


class GoodFaithEstimate(BaseModel):
    """The Good Faith Estimate; also its machine-readable copy (`quote --gfe -f json`)."""

    model_config = FROZEN

    kind: Literal["good_faith_estimate"] = "good_faith_estimate"
    id: Clean
    issued: date
    currency: Clean
    patient: Patient
    primary_service: str
    scheduled: date | None
    diagnosis_codes: tuple[str, ...]
    providers: tuple[ProviderCharges, ...]
    period: str
    follow_up: str | None
    separately_scheduled: tuple[str, ...]
    total_expected_charges: Decimal
    disclaimers: tuple[str, ...]
    price_sheet: SheetInfo


class EstimateDocument(BaseModel):
    """A counselor's estimate's machine-readable copy (`quote -f json`): not a GFE."""

    model_config = FROZEN

    kind: Literal["estimate"] = "estimate"
    id: Clean
    prepared: date
    client: Clean | None
    prepared_by: Clean | None
    clinic: Clean | None
    not_a_gfe: str
    estimate: Estimate


def old_prices(as_of: date, issued: date) -> str | None:
    """A document's own caution when its prices are from a sheet over a year old (the terminal
    warns on stderr, which a client never sees)."""
    if not is_stale(as_of, issued):
        return None
    return (
        f"The prices here are from a price list dated {as_of.isoformat()}, more than 12 months "
        "before this document; they may have changed. Ask the clinic for its current prices."
    )


def _diagnosis(value: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?", code, re.ASCII):
        raise ValueError(f"{value[:20]!r} is not an ICD-10 diagnosis code such as F33.2")
    return code


class GfeInputs(BaseModel):
    """What the provider gives beside the plan: who the patient is and the diagnosis codes."""

    model_config = FROZEN

    client: Clean | None = None
    client_dob: Day | None = None
    scheduled: Day | None = None
    diagnosis: tuple[Annotated[str, AfterValidator(_diagnosis)], ...] = ()
    provider: ProviderInfo | None = None


def _missing(inputs: GfeInputs) -> list[str]:
    wanted = [
        (inputs.client, "the patient's name (--client NAME)"),
        (inputs.client_dob, "the patient's date of birth (--client-dob DATE)"),
        (inputs.diagnosis, "a diagnosis code (--diagnosis CODE, e.g. F33.2)"),
        (inputs.provider, "the provider (--provider FILE, or [provider] in the plan)"),
    ]
    return [what for value, what in wanted if not value]


def _capped(plan: Plan, sheet: PriceSheet) -> tuple[Plan, bool]:
    """The plan for at most the first 12 months, and whether it was cut."""
    length = course_of(plan, sheet).weeks("high")
    if length <= MAX_MONTHS * WEEKS_PER_MONTH:
        return plan, False
    cut = plan.model_copy(update={"months": MAX_MONTHS, "maintenance_months": None})
    return cut, True


def _single(what: str, low: Decimal | int, high: Decimal | int, fix: str) -> None:
    if low != high:
        raise InputError(
            f"a Good Faith Estimate lists one expected charge per item, but {what} is a range "
            f"({low}–{high}); {fix}"
        )


def build_gfe(plan: Plan, sheet: PriceSheet, inputs: GfeInputs, today: date) -> GoodFaithEstimate:
    """The GFE for `plan` under the provider's own sheet, or an InputError naming what is
    missing: an element the rule requires, a price or count that is a range, a service code."""
    missing = _missing(inputs)
    if missing:
        raise InputError(f"a Good Faith Estimate needs {'; '.join(missing)}")
    assert inputs.provider is not None
    assert inputs.client
    assert inputs.client_dob
    gfe_dates(today, inputs.scheduled, inputs.client_dob)
    self_pay = plan.model_copy(update={"insurance": None, "assistance": Decimal(0)})
    capped, was_cut = _capped(self_pay, sheet)
    route_id, protocol_id = resolve(capped, sheet)
    route = sheet.routes[route_id]
    _single(
        f"the price of {route.label}",
        route.session_price.low,
        route.session_price.high,
        "use the clinic's own price sheet with one price (session_price = 450)",
    )
    result = price(capped, sheet)
    _single(
        "the number of sessions",
        result.sessions.low,
        result.sessions.high,
        "give --sessions N, or one --weeks and --per-week, or a protocol with fixed counts",
    )
    items = _items(capped, sheet, route_id, result)
    total = sum((item.expected_charge for item in items), Decimal(0))
    weeks = course_of(capped, sheet).weeks("high")
    period = f"{wording.weeks_span((weeks, weeks))} weeks from the first session"
    chosen = {name.casefold() for name in capped.with_}
    separate = [
        f"{addon.label} (if your care needs it; scheduled separately, not in this estimate)"
        for addon_id, addon in sheet.addons.items()
        if addon_id.casefold() not in chosen
    ]
    separate.append(
        "Psychotherapy or other care by another provider or facility, scheduled separately."
    )
    payload = {"plan": capped.model_dump(mode="json"), "inputs": inputs.model_dump(mode="json")}
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    return GoodFaithEstimate(
        id=f"GFE-{digest[:8].upper()}",
        issued=today,
        currency=sheet.currency,
        patient=Patient(name=inputs.client, date_of_birth=inputs.client_dob),
        primary_service=(
            f"{route.label}, a course of {result.sessions.low} treatment sessions under licensed "
            f"medical supervision ({sheet.protocols[protocol_id].label})"
        ),
        scheduled=inputs.scheduled,
        diagnosis_codes=inputs.diagnosis,
        providers=(ProviderCharges(provider=inputs.provider, items=items, expected_charges=total),),
        period=period,
        follow_up=(
            f"This estimate covers the first {MAX_MONTHS} months of recurring care; a new Good "
            "Faith Estimate will follow for the care after them."
            if was_cut
            else None
        ),
        separately_scheduled=tuple(separate),
        total_expected_charges=total,
        disclaimers=DISCLAIMERS + tuple(filter(None, [old_prices(sheet.as_of, today)])),
        price_sheet=result.price_sheet,
    )


def _sessions_by_code(
    plan: Plan, route: Route, sessions: int
) -> list[tuple[str, tuple[str, ...], int]]:
    """The sessions under each visit code, when the code depends on the dose (`visit_codes`)
    and the dose is one: the first session at the label's first dose, the rest at the dose."""
    medication = route.medication
    if medication is None or not medication.visit_codes or plan.dose is None or not sessions:
        return [("", route.service_codes, sessions)]
    if plan.dose.low != plan.dose.high or plan.dose.low not in medication.visit_codes:
        return [("", route.service_codes, sessions)]
    first = min(medication.first_dose_mg, plan.dose.low)
    doses = (
        [(first, 1), (plan.dose.low, sessions - 1)]
        if first != plan.dose.low
        else [(first, sessions)]
    )
    return [(f", {mg} mg", (medication.visit_codes[mg],), count) for mg, count in doses if count]


def _medication(result: Estimate, route: Route) -> list[GfeItem]:
    """The medication as its own item, when the clinic bills it: one dose for every session
    after the first, one unit price, the units (devices) counted, its code (J0013 is billed per
    1 mg: the description gives the mg)."""
    line = next((i for i in result.line_items if i.kind == "medication"), None)
    if line is None or route.medication is None:
        return []
    _single(
        "the medication's device count, from its dose,",
        line.quantity.low,
        line.quantity.high,
        "give the dose the clinician set (--dose 56 or --dose 84)",
    )
    _single(
        f"the price of a {route.medication.label}",
        line.unit_price.low,
        line.unit_price.high,
        "give the unit one price in the clinic's sheet",
    )
    if not route.medication.service_codes:
        raise InputError(
            "a Good Faith Estimate gives each item a service code, and the price sheet has none "
            f"for {route.medication.label}; add service_codes to the route's medication"
        )
    mg = line.mg.low if line.mg is not None else 0
    label = line.label.partition(": ")[0]
    return [
        GfeItem(
            description=f"{label} ({mg} mg in all)",
            service_codes=route.medication.service_codes,
            quantity=line.quantity.low,
            unit_charge=line.unit_price.low,
            expected_charge=line.amount.low,
        )
    ]


def _items(plan: Plan, sheet: PriceSheet, route_id: str, result: Estimate) -> tuple[GfeItem, ...]:
    route = sheet.routes[route_id]
    if not route.service_codes:
        raise InputError(
            f"a Good Faith Estimate gives each item a service code, and the price sheet has none "
            f"for {route.label}; add service_codes (with service_codes_source) to the route"
        )
    if plan.extra:
        raise InputError(
            "--extra items have no service code for a Good Faith Estimate; add them to the price "
            "sheet as add-ons with service_codes"
        )
    sessions = result.sessions.low
    fee = decimal(session_fee(route_price(route), plan.discount)[0])
    items = [
        GfeItem(
            description=f"{route.label} treatment session{dose}",
            service_codes=codes,
            quantity=count,
            unit_charge=fee,
            expected_charge=to_cents(fee * count),
        )
        for dose, codes, count in _sessions_by_code(plan, route, sessions)
    ]
    items.extend(_medication(result, route))
    chosen = list(dict.fromkeys(sheet.find_addon(n) or n for n in plan.with_))
    for addon_id in chosen:
        addon = sheet.addons[addon_id]
        _single(
            f"the price of {addon.label}",
            addon.price.low,
            addon.price.high,
            "give the add-on one price in the clinic's sheet",
        )
        if not addon.service_codes:
            raise InputError(
                f"a Good Faith Estimate gives each item a service code, and the price sheet has "
                f"none for {addon.label}; add service_codes to the add-on"
            )
        count = sessions if addon.per == "session" else 1
        items.append(
            GfeItem(
                description=addon.label,
                service_codes=addon.service_codes,
                quantity=count,
                unit_charge=to_cents(addon.price.low),
                expected_charge=to_cents(addon.price.low * count),
            )
        )
    return tuple(items)
