"""A format-neutral report (title, columns, rows, notes) built from results; pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from ketcost import wording
from ketcost.domain.money import to_cents
from ketcost.domain.result import Cases, Count, Estimate, LineItem, Money
from ketcost.domain.sheet import Addon, PriceSheet, Route
from ketcost.domain.sourced import Sourced
from ketcost.domain.values import Range

if TYPE_CHECKING:
    from ketcost.engine.timeline import Timeline

Cell = str | Range[int] | Range[Decimal] | Count | Money | Cases | None
Kind = Literal["text", "count", "money"]


@dataclass(frozen=True)
class Column:
    """A column: its heading for people, its key for CSV, and what its cells hold."""

    header: str
    key: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Report:
    """What every tabular format shows: a table, total rows (the last one the most prominent)
    and notes below."""

    title: str
    currency: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    totals: tuple[tuple[Cell, ...], ...] = ()
    notes_title: str = "Notes"
    notes: tuple[str, ...] = ()
    footer: str | None = None
    # A bar chart of low-high ranges (label, low, high), drawn by the terminal table only.
    bars: tuple[tuple[str, Decimal, Decimal], ...] = ()


def _itemized(result: Estimate) -> bool:
    """Whether anything beyond the sessions themselves is billed, discounted or paid by others."""
    return (
        any(item.kind != "session" for item in result.line_items)
        or result.insurance is not None
        or result.assistance.high > 0
    )


def _item_row(item: LineItem, result: Estimate) -> tuple[Cell, ...]:
    if item.kind == "session":
        phase = next(p for p in result.phases if p.name == item.label)
        schedule = phase.schedule
    elif item.kind == "addon":
        # Line items carry quantities, not `per`: a course add-on is the one billed once.
        once = item.quantity == Count(1, 1) and result.sessions != item.quantity
        schedule = "once" if once else "each session"
    elif item.kind == "medication":  # "SPRAVATO 28 mg nasal spray devices: 56 mg first, ..."
        label, _, schedule = item.label.partition(": ")
        return (label, schedule or "each session", item.quantity, item.unit_price, item.amount)
    elif item.kind == "package":
        schedule = "once" if item.amount.low > 0 else "its sessions"
    else:
        schedule = "each session"
    return (item.label, schedule, item.quantity, item.unit_price, item.amount)


def _payment_rows(result: Estimate) -> tuple[tuple[Cell, ...], ...]:
    rows: list[tuple[Cell, ...]] = [("Total billed", None, result.sessions, None, result.total)]
    if result.insurance is not None:
        rows.append(("Insurance pays", None, None, None, result.insurance.insurer_pays))
        if result.insurance.savings_program_pays is not None:
            program = result.insurance.savings_program_pays
            rows.append(("Savings program pays", None, None, None, program))
        if result.insurance.provider_writeoff.high > 0:  # in network, above the allowed amount
            writeoff = result.insurance.provider_writeoff
            rows.append(("Provider write-off", None, None, None, writeoff))
    if result.assistance.high > 0:
        rows.append(("Assistance", None, None, None, result.assistance))
    rows.append(("Out of pocket", None, None, None, result.out_of_pocket))
    if (pre := result.pre_tax) is not None:
        rows.append((f"{pre.account.upper()} after tax", None, None, None, pre.after_tax))
    return tuple(rows)


def _installments_note(result: Estimate) -> tuple[str, ...]:
    if result.installments is None:
        return ()
    plan = result.installments
    each = wording.money_span(plan.payment, result.currency)
    note = f"In {plan.count} equal monthly payments: {each} a month"
    if plan.last_payment != plan.payment:
        note += f", the last {wording.money_span(plan.last_payment, result.currency)}"
    return (note + " (the last payment absorbs the rounding).",)


def _about(
    result: Estimate,
    columns: tuple[Column, ...],
    rows: tuple[tuple[Cell, ...], ...],
    totals: tuple[tuple[Cell, ...], ...],
) -> Report:
    """An estimate's report: its title, the given table, then installments, assumptions and the
    disclaimer."""
    return Report(
        title=f"{result.route_label}: {result.protocol_label} (estimate)",
        currency=result.currency,
        columns=columns,
        rows=rows,
        totals=totals,
        notes_title="Assumptions",
        notes=(*wording.plan_year_lines(result), *_installments_note(result), *result.assumptions),
        footer=result.disclaimer,
    )


ITEM_COLUMNS = (
    Column("Item", "item"),
    Column("Schedule", "schedule"),
    Column("Count", "count", "count"),
    Column("Each", "unit_price", "money"),
    Column("Amount", "amount", "money"),
)
PHASE_COLUMNS = (
    Column("Phase", "phase"),
    Column("Schedule", "schedule"),
    Column("Sessions", "sessions", "count"),
    Column("Per session", "price_per_session", "money"),
    Column("Cost", "cost", "money"),
)


def itemized_report(result: Estimate) -> Report:
    """Every billed line, then the billed total, what others pay and the out-of-pocket range."""
    rows = tuple(_item_row(item, result) for item in result.line_items)
    return _about(result, ITEM_COLUMNS, rows, _payment_rows(result))


def estimate_report(result: Estimate) -> Report:
    """Phases and a total row; with add-ons, a discount, insurance or assistance, the itemized
    report instead. Then the assumptions and the disclaimer."""
    if _itemized(result):
        return itemized_report(result)
    rows = tuple(
        (p.name, p.schedule, p.sessions, p.price_per_session, p.cost) for p in result.phases
    )
    return _about(
        result, PHASE_COLUMNS, rows, (("Total", None, result.sessions, None, result.total),)
    )


def timeline_report(months: Timeline) -> Report:
    """A row per month, a total row, and the cumulative range as chart bars."""
    result = months.estimate
    return Report(
        title=f"{result.route_label}: {result.protocol_label}, month by month (estimate)",
        currency=result.currency,
        columns=(
            Column("Month", "month"),
            Column("Sessions", "sessions", "count"),
            Column("Cost", "cost", "money"),
            Column("You pay", "out_of_pocket", "money"),
            Column("You pay, running total", "cumulative_out_of_pocket", "money"),
        ),
        rows=tuple(
            (
                m.calendar_month or str(m.month),
                Cases(low=Decimal(m.sessions.low), high=Decimal(m.sessions.high)),
                m.cost,
                m.out_of_pocket,
                m.cumulative_out_of_pocket,
            )
            for m in months.months
        ),
        totals=(("Total", result.sessions, result.total, result.out_of_pocket, None),),
        notes_title="Assumptions",
        notes=(
            (
                "Months are calendar months from the first session"
                if result.start
                else "Months are 52/12 weeks"
            )
            + "; sessions are spread evenly over each phase, one phase after another; low and "
            "high cases are each computed on their own, so a month's range spans both (the high "
            "case may hold fewer sessions in a month than the low case).",
            *wording.plan_year_lines(result),
            *_installments_note(result),
            *result.assumptions,
        ),
        footer=result.disclaimer,
        bars=tuple(
            (
                m.calendar_month or f"Month {m.month}",
                m.cumulative_out_of_pocket.low,
                m.cumulative_out_of_pocket.high,
            )
            for m in months.months
        ),
    )


def comparison_report(results: list[Estimate]) -> Report:
    """One row per option in the given order, the first (cheapest worst case) marked."""
    sheets = {(r.price_sheet.name, r.price_sheet.as_of) for r in results}

    def option(result: Estimate) -> str:
        name = result.route
        if len(sheets) > 1:
            name = f"{name} ({result.price_sheet.name})"
        return name

    notes = ["* the lowest out-of-pocket cost in the worst (high) case."]
    labels = dict.fromkeys((r.route, r.route_label, r.protocol_label) for r in results)
    protocols = {r.protocol for r in results}
    if len(protocols) > 1:
        notes.extend(f"{route}: {label}, {schedule}" for route, label, schedule in labels)
    else:
        notes.extend(f"{route}: {label}" for route, label, _ in labels)
    uncovered = [r.route for r in results if r.insurance is not None and not r.insurance.covered]
    if uncovered:
        notes.append(
            f"Not covered by the insurance terms: {', '.join(dict.fromkeys(uncovered))} "
            "(usually not covered; --covered overrides)."
        )
    notes.extend(
        f'Price sheet: "{name}", as of {as_of.isoformat()}.'
        for name, as_of in dict.fromkeys((r.price_sheet.name, r.price_sheet.as_of) for r in results)
    )
    notes.append(
        "Each option uses the same options (schedule, add-ons, discount, insurance and "
        "assistance) on its route's own protocol unless --protocol names one; `ketcost "
        "estimate` with the same options lists an option's assumptions."
    )
    notes.append(
        "Routes differ in approval, eligibility and evidence and are not interchangeable: "
        "which one fits is a clinical decision, made with a clinician."
    )
    title = (
        results[0].protocol_label if results and len(protocols) == 1 else "each route's protocol"
    )
    return Report(
        title=f"Options compared: {title} (estimates)",
        currency=results[0].currency if results else "USD",
        columns=(
            Column("", "cheapest"),
            Column("Option", "option"),
            Column("Sessions", "sessions", "count"),
            Column("Per session", "price_per_session", "money"),
            Column("Billed total", "total", "money"),
            Column("You pay", "out_of_pocket", "money"),
        ),
        rows=tuple(
            (
                "*" if index == 0 else "",
                option(r),
                r.sessions,
                r.phases[0].price_per_session if r.phases else None,
                r.total,
                r.out_of_pocket,
            )
            for index, r in enumerate(results)
        ),
        notes_title="Notes",
        notes=tuple(notes),
        footer=results[0].disclaimer if results else None,
    )


def _sheet_note(sheet: PriceSheet) -> str:
    return f'Price sheet: "{sheet.name}", as of {sheet.as_of.isoformat()}. Source: {sheet.source}'


def _minutes(sheet: PriceSheet, route_id: str) -> str:
    route = sheet.routes[route_id]
    length = wording.span(route.session_minutes) if route.session_minutes else "not listed"
    if route.observation_minutes is None:
        return length
    return f"{length} + {wording.span(route.observation_minutes)} observed"


def source_text(item: Sourced) -> str:
    """A source with its address and date when the sheet gives them."""
    text = item.source
    if item.url:
        text += f" <{item.url}>"
    if item.published:
        text += f" (published {item.published.isoformat()})"
    elif item.retrieved:
        text += f" (read {item.retrieved.isoformat()})"
    return text


def _source_notes(sheet: PriceSheet, items: Mapping[str, Route | Addon]) -> list[str]:
    """The sheet's own source, then each item's source and notes."""
    notes = [_sheet_note(sheet)]
    for key, item in items.items():
        notes.append(f"{key}: {source_text(item)}")
        if item.notes:
            notes.append(f"{key}: {item.notes}")
    return notes


def routes_report(sheet: PriceSheet) -> Report:
    """Each route with its price, session length and insurance eligibility; sources as notes."""
    notes = _source_notes(sheet, sheet.routes)
    return Report(
        title="Routes",
        currency=sheet.currency,
        columns=(
            Column("Route (names)", "route"),
            Column("Label", "label"),
            Column("Per session", "price_per_session", "money"),
            Column("Minutes", "minutes"),
            Column("Insurance", "insurance"),
        ),
        rows=tuple(
            (
                ", ".join((route_id, *route.aliases)),
                route.label,
                Range[Decimal].of(
                    to_cents(route.session_price.low), to_cents(route.session_price.high)
                ),
                _minutes(sheet, route_id),
                "eligible" if route.insurance_eligible else "not eligible",
            )
            for route_id, route in sheet.routes.items()
        ),
        notes_title="Sources",
        notes=tuple(notes),
    )


def protocols_report(sheet: PriceSheet) -> Report:
    """Each protocol's phases in words; labels, routes and sources as notes."""
    rows: list[tuple[Cell, ...]] = []
    notes = [_sheet_note(sheet)]
    for protocol_id, protocol in sheet.protocols.items():
        for index, phase in enumerate(protocol.phases):
            rows.append(
                (protocol_id if index == 0 else "", phase.name, wording.schedule(phase, None))
            )
        route = f"route {protocol.route}" if protocol.route else "any route"
        notes.append(f"{protocol_id}: {protocol.label} ({route}). Source: {source_text(protocol)}")
    return Report(
        title="Protocols",
        currency=sheet.currency,
        columns=(
            Column("Protocol", "protocol"),
            Column("Phase", "phase"),
            Column("Schedule", "schedule"),
        ),
        rows=tuple(rows),
        notes_title="Sources",
        notes=tuple(notes),
    )


def addons_report(sheet: PriceSheet) -> Report:
    """Each add-on with its price, how often it is billed and whether insurance may cover it."""
    notes = _source_notes(sheet, sheet.addons)

    def insurance(addon: Addon) -> str:
        if addon.insurance_eligible:
            return "eligible"
        if addon.insurance_eligible_routes:
            return f"with {', '.join(addon.insurance_eligible_routes)}"
        return "not eligible"

    return Report(
        title="Add-ons (--with NAME)",
        currency=sheet.currency,
        columns=(
            Column("Add-on", "addon"),
            Column("Label", "label"),
            Column("Price", "price", "money"),
            Column("Per", "per"),
            Column("Insurance", "insurance"),
        ),
        rows=tuple(
            (
                addon_id,
                addon.label,
                Range[Decimal].of(to_cents(addon.price.low), to_cents(addon.price.high)),
                "course (once)" if addon.per == "course" else "session",
                insurance(addon),
            )
            for addon_id, addon in sheet.addons.items()
        ),
        notes_title="Sources",
        notes=tuple(notes),
    )
