"""A quote's content, format-neutral: what a counselor hands a client. Pure: no I/O.

The HTML and Markdown renderers in `ketcost.render.quote` lay this out; they decide nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from ketcost import wording
from ketcost.documents.gfe import old_prices
from ketcost.domain.plan import Plan
from ketcost.domain.result import Estimate
from ketcost.engine.timeline import Timeline
from ketcost.io.planfile import QuoteInfo

TITLE = "Estimated cost of ketamine treatment"

# The Good Faith Estimate and the $400 dispute threshold are the No Surprises Act's
# patient-provider dispute resolution rules (45 CFR 149.610 and 149.620), as the issue states them.
BEFORE_YOU_START = (
    "A medical and psychiatric screening comes first: the clinic decides whether this treatment "
    "suits you, and the route and schedule are set with your clinician.",
    "Confirm coverage with your insurer before starting, including whether prior authorization "
    "is required (it commonly is for esketamine).",
    "Gather records of earlier treatments for depression; insurers often ask for them.",
    "In the US, if you are uninsured or paying for yourself, you are entitled to a written Good "
    "Faith Estimate from the provider, and you may dispute a bill that comes in $400 or more "
    "above it.",
)

CRISIS_LINE = "If you are in crisis, call or text 988 (US), the Suicide & Crisis Lifeline."

# Said near the top of every counselor's estimate, so it is never taken for the provider's
# document the No Surprises Act requires (45 CFR 149.610).
NOT_A_GFE = (
    "This is not a Good Faith Estimate under the No Surprises Act. If you are uninsured or paying "
    "for yourself, ask the provider for one before scheduling: it is the provider's own list of "
    "expected charges, and it gives you the right to dispute a bill $400 or more above it. This "
    "estimate is for planning and comparing options, from published price ranges."
)


@dataclass(frozen=True)
class Quote:
    """Everything a quote shows."""

    title: str
    issued: date
    reference: str
    details: QuoteInfo
    estimate: Estimate
    timeline: Timeline
    schedule: tuple[str, ...]
    terms: tuple[str, ...]
    assumptions: tuple[str, ...]  # the estimate's, in words for the client (`for_clients`)
    caution: str | None = None  # the price sheet is over a year old (`old_prices`)
    before_you_start: tuple[str, ...] = BEFORE_YOU_START
    crisis_line: str = CRISIS_LINE
    not_a_gfe: str = NOT_A_GFE


def reference(plan: Plan, result: Estimate) -> str:
    """The estimate's own id, derived from the inputs and the sheet: same inputs, same id."""
    payload = {
        "plan": plan.model_dump(mode="json", by_alias=True),
        "sheet": {
            "name": result.price_sheet.name,
            "as_of": result.price_sheet.as_of.isoformat(),
            "source": result.price_sheet.source,
        },
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()
    return f"KC-{digest[:8].upper()}"


def _schedule(result: Estimate) -> tuple[str, ...]:
    return tuple(
        f"{phase.name.capitalize()}: {phase.schedule} ({wording.span(phase.sessions)} sessions)"
        for phase in result.phases
    )


def _terms(plan: Plan, result: Estimate) -> tuple[str, ...]:
    """Insurance, discount, assistance and installments in words."""
    money = result.currency
    lines = []
    if result.insurance is not None:
        terms = result.insurance
        parts = [
            f"deductible remaining {wording.money(terms.deductible, money)}",
            f"coinsurance {wording.number(terms.coinsurance)}%",
            f"copay {wording.money(terms.copay, money)}",
        ]
        if terms.oop_max is not None:
            parts.append(f"out-of-pocket maximum remaining {wording.money(terms.oop_max, money)}")
        covered = "covered" if terms.covered else "not covered"
        lines.append(f"Insurance: {', '.join(parts)}; treatment sessions counted as {covered}.")
        lines.extend(wording.plan_year_lines(result))
    else:
        lines.append("Insurance: none applied (self-pay).")
    if plan.discount:
        lines.append(f"Discount: {wording.number(plan.discount)}% off each treatment-session fee.")
    if plan.assistance:
        lines.append(f"Financial assistance: {wording.money(plan.assistance, money)}.")
    if result.installments is not None:
        plan_of = result.installments
        each = wording.money_span(plan_of.payment, money)
        last = wording.money_span(plan_of.last_payment, money)
        lines.append(
            f"Installments: {plan_of.count} monthly payments of {each}"
            + ("" if plan_of.last_payment == plan_of.payment else f" (the last {last})")
            + "."
        )
    return tuple(lines)


def build_quote(plan: Plan, timeline: Timeline, details: QuoteInfo, today: date) -> Quote:
    """The quote for `plan`, priced in `timeline`, issued `today`."""
    result = timeline.estimate
    return Quote(
        title=TITLE,
        issued=today,
        reference=reference(plan, result),
        details=details,
        estimate=result,
        timeline=timeline,
        schedule=_schedule(result),
        terms=_terms(plan, result),
        assumptions=for_clients(result.assumptions),
        caution=old_prices(result.price_sheet.as_of, today),
    )


# The terminal's assumption lines name the option that changes them; a client cannot act on an
# option, so a document says the same in words (each terminal phrase and its client wording).
CLIENT_WORDING = (
    (
        "; add --maintenance-months N to include N months of it, or --months N for a course of "
        "N months in all.",
        "; ask the clinic about maintenance sessions.",
    ),
    (" (--plan-year-renews sets yours)", "; your plan's own date may differ"),
    (
        " (a plan usually allows less: --allowed AMOUNT or PCT% sets it).",
        "; a plan usually allows less: ask yours what it allows.",
    ),
    (" mg (--dose).", " mg."),
    (" (--pretax-limit sets what yours holds)", ""),
    (
        "; its cost is not included (--ride AMOUNT adds it per session).",
        "; its cost is not included.",
    ),
    (" plan may have one: --oop-max)", " plan may have one)"),
    ("; it is usually lower (--allowed sets it).", "; it is usually lower."),
    (" as the clinic said (--medication included).", " as the clinic said."),
    ("; --covered overrides.", "; ask the insurer whether your plan covers them."),
    (" because --covered was given.", " as the plan's terms say."),
    (
        " (the same as now; --annual-deductible and --annual-oop-max set them).",
        " (taken to be the same as now; your plan's may differ).",
    ),
    (
        "; give --deductible and --coinsurance for your plan's terms.",
        "; ask your plan for its terms.",
    ),
)


def for_clients(lines: tuple[str, ...]) -> tuple[str, ...]:
    """Assumption lines as a client's document says them: with no command-line option."""
    worded = []
    for line in lines:
        for terminal, client in CLIENT_WORDING:
            line = line.replace(terminal, client)
        worded.append(line)
    return tuple(worded)
