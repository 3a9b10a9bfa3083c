"""A Quote as one self-contained HTML page (Jinja2, autoescaped) or as Markdown. Pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from ketcost import wording
from ketcost.documents.quote import CRISIS_LINE, Quote
from ketcost.render import markdown as md
from ketcost.render.report import Cell, Report, itemized_report, timeline_report
from ketcost.render.table import cell_text

if TYPE_CHECKING:
    from jinja2 import Environment

    from ketcost.documents.gfe import GoodFaithEstimate

CHART_WIDTH, CHART_HEIGHT = 640, 200
PLOT_LEFT, PLOT_BOTTOM, PLOT_TOP = 84, 176, 12


@dataclass(frozen=True)
class Bar:
    """One month in the chart: where its low and high bars stand, in SVG units."""

    label: str
    x: float
    width: float
    low_y: float
    high_y: float
    title: str


@dataclass(frozen=True)
class Chart:
    """The cumulative out-of-pocket chart: bars and the value-axis ticks (y, label)."""

    width: int
    height: int
    left: int
    bottom: int
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, str], ...]


def _nice_top(value: Decimal) -> Decimal:
    """A round number at or above `value` for the top of the axis: 1, 2 or 5 times a power
    of ten."""
    if value <= 0:
        return Decimal(100)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def chart(quote: Quote) -> Chart:
    """Bars of the running out-of-pocket total by month: the high case behind the low case."""
    months = quote.timeline.months
    currency = quote.estimate.currency
    top = _nice_top(max((m.cumulative_out_of_pocket.high for m in months), default=Decimal(0)))
    height = PLOT_BOTTOM - PLOT_TOP
    slot = (CHART_WIDTH - PLOT_LEFT - 8) / max(len(months), 1)

    def y(value: Decimal) -> float:
        return round(PLOT_BOTTOM - float(value / top) * height, 1)

    bars = tuple(
        Bar(
            label=str(m.month),
            x=round(PLOT_LEFT + i * slot + slot * 0.15, 1),
            width=round(slot * 0.7, 1),
            low_y=y(m.cumulative_out_of_pocket.low),
            high_y=y(m.cumulative_out_of_pocket.high),
            title=f"Month {m.month}: "
            + wording.money_cases(
                m.cumulative_out_of_pocket.low, m.cumulative_out_of_pocket.high, currency
            ),
        )
        for i, m in enumerate(months)
    )
    ticks = tuple((y(top * k / 4), wording.money(top * k / 4, currency)[:-3]) for k in range(5))
    return Chart(CHART_WIDTH, CHART_HEIGHT, PLOT_LEFT, PLOT_BOTTOM, bars, ticks)


def _cells(report: Report) -> tuple[list[list[str]], list[list[str]]]:
    def texts(rows: tuple[tuple[Cell, ...], ...]) -> list[list[str]]:
        return [
            [cell_text(c, col, report.currency) for c, col in zip(row, report.columns, strict=True)]
            for row in rows
        ]

    return texts(report.rows), texts(report.totals)


def _templates() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("ketcost", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def option_name(quote: Quote, all_quotes: tuple[Quote, ...]) -> str:
    """How an option is named in a comparison: route and protocol, and the sheet when the
    options come from more than one."""
    result = quote.estimate
    name = f"{result.route_label}, {result.protocol_label}"
    if len({q.estimate.price_sheet.name for q in all_quotes}) > 1:
        name += f" ({result.price_sheet.name})"
    return name


def _option(quote: Quote, all_quotes: tuple[Quote, ...]) -> dict[str, object]:
    """What the template shows of one option."""
    result = quote.estimate
    items = itemized_report(result)
    rows, totals = _cells(items)
    months = timeline_report(quote.timeline)
    month_rows, _ = _cells(months)
    return {
        "q": quote,
        "r": result,
        "name": option_name(quote, all_quotes),
        "sessions": wording.span(result.sessions),
        "headline": wording.money_span(result.out_of_pocket, result.currency),
        "total": wording.money_span(result.total, result.currency),
        "columns": [c.header for c in items.columns],
        "numeric": [c.kind != "text" for c in items.columns],
        "rows": rows,
        "totals": totals,
        "chart": chart(quote),
        "month_columns": [c.header for c in months.columns],
        "month_rows": month_rows,
    }


def html(quote: Quote, *others: Quote) -> str:
    """The quote as one HTML page: inline CSS and SVG, no scripts, nothing fetched. With
    `others`, the options side by side first, then a section for each."""
    all_quotes = (quote, *others)
    return (
        _templates()
        .get_template("quote.html.j2")
        .render(
            q=quote,
            options=[_option(q, all_quotes) for q in all_quotes],
            cautions=cautions(all_quotes),
        )
    )


def cautions(quotes: tuple[Quote, ...]) -> list[str]:
    """Each distinct caution of the options (an old price sheet), once, in order."""
    return list(dict.fromkeys(q.caution for q in quotes if q.caution))


def markdown(quote: Quote, *others: Quote) -> str:
    """The quote as Markdown: the same content, the chart as a month table. With `others`, a
    line per option first, then a section for each."""
    if others:
        return _markdown_options((quote, *others))
    result = quote.estimate
    details = quote.details
    lines = [f"# {quote.title}", ""]
    facts = [
        ("Prepared", quote.issued.isoformat()),
        ("Prices as of", result.price_sheet.as_of.isoformat()),
        ("Estimate ID", quote.reference),
        ("Client", details.client),
        ("Prepared by", details.prepared_by),
        ("Clinic", details.clinic),
    ]
    lines += [f"- **{label}:** {md.escape(value)}" for label, value in facts if value]
    lines += ["", f"> {md.escape(quote.not_a_gfe)}"]
    lines += [f"\n> **Caution:** {md.escape(c)}" for c in cautions((quote,))]
    lines += [
        "",
        f"## You pay: {wording.money_span(result.out_of_pocket, result.currency)}",
        "",
        f"Out-of-pocket estimate, low to high. Total cost of care: "
        f"{wording.money_span(result.total, result.currency)}. "
        f"{md.escape(result.route_label)}, {md.escape(result.protocol_label)}.",
        "",
    ]
    lines += md.render(_without_notes(itemized_report(result), "Itemized estimate")).splitlines()
    lines += ["", "## Terms", ""] + [f"- {md.escape(t)}" for t in quote.terms]
    lines += ["", "## Schedule", ""] + [f"- {md.escape(s)}" for s in quote.schedule]
    lines += [""]
    lines += md.render(_without_notes(timeline_report(quote.timeline), "By month")).splitlines()
    if details.notes:
        lines += ["", "## Notes", "", md.escape(details.notes)]
    lines += ["", "## Assumptions", ""] + [f"- {md.escape(a)}" for a in quote.assumptions]
    sheet = result.price_sheet
    lines += [
        "",
        f'Price sheet: "{md.escape(sheet.name)}", as of {sheet.as_of.isoformat()}. '
        f"Source: {md.escape(sheet.source)}",
        "",
        "## Before you start",
        "",
        *[f"- {md.escape(b)}" for b in quote.before_you_start],
        "",
        f"**{result.disclaimer}**",
        "",
        f"**{quote.crisis_line}**",
    ]
    return "\n".join(lines) + "\n"


def _without_notes(report: Report, title: str) -> Report:
    return replace(report, title=title, notes=(), footer=None, bars=())


def json_text(quote: Quote) -> str:
    """The counselor's estimate as JSON (`kind: estimate`), for scripts and `check-bill`."""
    from ketcost.documents.gfe import EstimateDocument

    document = EstimateDocument(
        id=quote.reference,
        prepared=quote.issued,
        client=quote.details.client,
        prepared_by=quote.details.prepared_by,
        clinic=quote.details.clinic,
        not_a_gfe=quote.not_a_gfe,
        estimate=quote.estimate,
    )
    return document.model_dump_json(indent=2) + "\n"


def gfe_json(gfe: GoodFaithEstimate) -> str:
    """The Good Faith Estimate as JSON (`kind: good_faith_estimate`)."""
    return gfe.model_dump_json(indent=2) + "\n"


def gfe_html(gfe: GoodFaithEstimate) -> str:
    """The Good Faith Estimate as one self-contained HTML page."""
    return (
        _templates()
        .get_template("gfe.html.j2")
        .render(
            g=gfe,
            total=wording.money(gfe.total_expected_charges, gfe.currency),
            money=lambda value: wording.money(value, gfe.currency),
            crisis=CRISIS_LINE,
        )
    )


def gfe_markdown(gfe: GoodFaithEstimate) -> str:
    """The Good Faith Estimate as Markdown: every element the rule requires, in order."""
    money = gfe.currency

    def cash(value: Decimal) -> str:
        return wording.money(value, money)

    scheduled = gfe.scheduled.isoformat() if gfe.scheduled else "not yet scheduled"
    lines = [
        "# Good Faith Estimate",
        "",
        f"- **Issued:** {gfe.issued.isoformat()}",
        f"- **Estimate ID:** {gfe.id}",
        f"- **Patient:** {md.escape(gfe.patient.name)}",
        f"- **Date of birth:** {gfe.patient.date_of_birth.isoformat()}",
        f"- **Primary service:** {md.escape(gfe.primary_service)}",
        f"- **Scheduled:** {scheduled}",
        f"- **Period of care:** {gfe.period}",
        f"- **Diagnosis codes:** {', '.join(gfe.diagnosis_codes)}",
        "",
        f"## Total expected charges: {cash(gfe.total_expected_charges)}",
    ]
    if gfe.follow_up:
        lines += ["", gfe.follow_up]
    for charges in gfe.providers:
        who = charges.provider
        lines += [
            "",
            f"## {md.escape(who.name)}",
            "",
            f"NPI {who.npi}, TIN {who.tin}, {md.escape(who.address)}, {who.state}",
            "",
            "| Item or service | Service codes | Quantity | Each | Expected charge |",
            "| --- | --- | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {md.escape(i.description)} | {', '.join(i.service_codes)} | {i.quantity} | "
            f"{cash(i.unit_charge)} | {cash(i.expected_charge)} |"
            for i in charges.items
        ]
        lines.append(
            f"| **Expected charges, {md.escape(who.name)}** |  |  |  | "
            f"**{cash(charges.expected_charges)}** |"
        )
    lines += ["", "## Items and services scheduled separately", ""]
    lines += [f"- {md.escape(line)}" for line in gfe.separately_scheduled]
    lines += ["", "## Disclaimers", ""] + [f"- {md.escape(line)}" for line in gfe.disclaimers]
    lines += [
        "",
        f'Prices from "{md.escape(gfe.price_sheet.name)}", as of '
        f"{gfe.price_sheet.as_of.isoformat()}.",
        "",
        "**Treatment happens only under licensed medical supervision. This document gives no "
        "medical advice.**",
        "",
        f"**{CRISIS_LINE}**",
    ]
    return "\n".join(lines) + "\n"


def _markdown_options(quotes: tuple[Quote, ...]) -> str:
    """Several options: the comparison, then each option's own quote under its heading."""
    first = quotes[0]
    lines = [
        f"# {first.title}",
        "",
        f"> {md.escape(first.not_a_gfe)}",
        "",
        *[f"> **Caution:** {md.escape(c)}\n" for c in cautions(quotes)],
        "## Options compared",
        "",
    ]
    for number, option in enumerate(quotes, start=1):
        result = option.estimate
        lines.append(
            f"{number}. {md.escape(option_name(option, quotes))}: "
            f"{wording.span(result.sessions)} sessions; total cost of care "
            f"{wording.money_span(result.total, result.currency)}; you pay "
            f"{wording.money_span(result.out_of_pocket, result.currency)}"
        )
    lines += [
        "",
        "Routes differ in approval, eligibility and evidence and are not interchangeable: which "
        "one fits is a clinical decision.",
    ]
    for number, option in enumerate(quotes, start=1):
        body = markdown(option).splitlines()
        body = body[next(i for i, line in enumerate(body) if line.startswith("## You pay")) :]
        # each option's own figures, its headings one level down under the option's title
        lines += ["", f"## Option {number}: {md.escape(option_name(option, quotes))}", ""]
        lines += [("#" + line) if line.startswith("#") else line for line in body]
    return "\n".join(lines) + "\n"
