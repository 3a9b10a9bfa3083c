"""A Quote as one self-contained HTML page (Jinja2, autoescaped) or as Markdown. Pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from ketcost import wording
from ketcost.quote import Quote
from ketcost.render import markdown as md
from ketcost.render.report import Cell, Report, itemized_report, timeline_report
from ketcost.render.table import cell_text

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


def html(quote: Quote) -> str:
    """The quote as one HTML page: inline CSS and SVG, no scripts, nothing fetched."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("ketcost", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    items = itemized_report(quote.estimate)
    rows, totals = _cells(items)
    result = quote.estimate
    return env.get_template("quote.html.j2").render(
        q=quote,
        r=result,
        headline=wording.money_span(result.out_of_pocket, result.currency),
        total=wording.money_span(result.total, result.currency),
        columns=[c.header for c in items.columns],
        numeric=[c.kind != "text" for c in items.columns],
        rows=rows,
        totals=totals,
        chart=chart(quote),
    )


def markdown(quote: Quote) -> str:
    """The quote as Markdown: the same content, the chart as a month table."""
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
    lines += ["", "## Assumptions", ""] + [f"- {md.escape(a)}" for a in result.assumptions]
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
