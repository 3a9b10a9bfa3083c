"""Invariants that hold for every plan and price: checked with hypothesis."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ketcost import Estimate, Plan, PriceSheet, estimate, load_price_sheet
from ketcost.domain.values import Range

SHEET = load_price_sheet()

routes = st.sampled_from(sorted(SHEET.route_names()))
# protocols with a maintenance part: the plans below ask for maintenance months
protocols = st.sampled_from(
    sorted(
        pid
        for pid, p in SHEET.protocols.items()
        if any(phase.course_part == "maintenance" for phase in p.phases)
    )
)
maintenance = st.sampled_from([None, "monthly", "biweekly", "weekly", "monthly-biweekly"])


@st.composite
def ranges(draw: st.DrawFn, lo: int, hi: int) -> tuple[int, int]:
    a, b = draw(st.integers(lo, hi)), draw(st.integers(lo, hi))
    return min(a, b), max(a, b)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    fields: dict[str, object] = {
        "route": draw(routes),
        "protocol": draw(protocols),
        "maintenance": draw(maintenance),
        "maintenance_months": draw(st.integers(0, 120)),
    }
    if draw(st.booleans()):
        fields["weeks"] = draw(ranges(1, 52))
    first = draw(st.sampled_from(["none", "per_week", "sessions"]))
    if first == "per_week":
        fields["per_week"] = draw(ranges(1, 7))
    elif first == "sessions":
        fields["sessions"] = draw(ranges(1, 100))
    return Plan.model_validate(fields)


def priced(sheet: PriceSheet, low: Decimal, high: Decimal) -> PriceSheet:
    """The sheet with every route at the given price per session."""
    price = Range[Decimal].of(low, high)
    routes = {rid: replace(r, session_price=price) for rid, r in sheet.routes.items()}
    return replace(sheet, routes=routes)


def assert_consistent(result: Estimate) -> None:
    for phase in result.phases:
        assert phase.sessions.low <= phase.sessions.high
        assert phase.cost.low <= phase.cost.high
        assert phase.price_per_session.low <= phase.price_per_session.high
    assert result.sessions.low <= result.sessions.high
    assert result.total.low <= result.total.high
    assert result.sessions.low == sum(p.sessions.low for p in result.phases)
    assert result.sessions.high == sum(p.sessions.high for p in result.phases)
    assert result.total.low == sum(i.amount.low for i in result.line_items)
    assert result.total.high == sum(i.amount.high for i in result.line_items)
    assert result.total.low.as_tuple().exponent == -2


@given(plans())
def test_low_never_exceeds_high_and_totals_are_sums(plan: Plan) -> None:
    assert_consistent(estimate(plan, SHEET))


@given(plans(), st.integers(1, 51))
def test_more_weeks_never_lower_the_total(plan: Plan, weeks: int) -> None:
    shorter = plan.model_copy(update={"weeks": Range[int].of(weeks)})
    longer = plan.model_copy(update={"weeks": Range[int].of(weeks + 1)})
    a, b = estimate(shorter, SHEET), estimate(longer, SHEET)
    assert b.total.low >= a.total.low
    assert b.total.high >= a.total.high


@given(plans(), st.integers(1, 99))
def test_more_sessions_never_lower_the_total(plan: Plan, sessions: int) -> None:
    base = plan.model_copy(update={"per_week": None})
    fewer = base.model_copy(update={"sessions": Range[int].of(sessions)})
    more = base.model_copy(update={"sessions": Range[int].of(sessions + 1)})
    a, b = estimate(fewer, SHEET), estimate(more, SHEET)
    assert b.total.low >= a.total.low
    assert b.total.high >= a.total.high


@given(plans(), st.integers(0, 119))
def test_more_months_never_lower_the_total(plan: Plan, months: int) -> None:
    a = estimate(plan.model_copy(update={"maintenance_months": months}), SHEET)
    b = estimate(plan.model_copy(update={"maintenance_months": months + 1}), SHEET)
    assert b.total.low >= a.total.low
    assert b.total.high >= a.total.high


prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)


@given(plans(), prices, prices, prices)
def test_a_higher_price_never_lowers_the_total(
    plan: Plan, low: Decimal, high: Decimal, raise_by: Decimal
) -> None:
    low, high = min(low, high), max(low, high)
    a = estimate(plan, priced(SHEET, low, high))
    b = estimate(plan, priced(SHEET, low + raise_by, high + raise_by))
    assert_consistent(b)
    assert b.total.low >= a.total.low
    assert b.total.high >= a.total.high


@given(
    st.text(
        st.one_of(
            st.characters(),
            st.sampled_from("\x00\x1b\x7f\x85\x9f\u00a0\u00ad\u200d\u202a\u202e\u2066\u2069\u2028"),
        )
    )
)
def test_clean_text_blanks_exactly_the_control_characters(text: str) -> None:
    """Text is cleaned by its pattern only when it has an unprintable character; the result is
    the pattern's, whichever way it is reached (C0, DEL, C1, bidi overrides and line separators
    become spaces; nothing else changes)."""
    import re

    from ketcost.domain.values import clean_text

    control = "[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
    assert clean_text(text) == re.sub(control, " ", text)


@given(st.text("0123456789 -–٣x", max_size=12))
def test_a_count_range_reads_plain_digits_as_its_pattern_does(text: str) -> None:
    """A count written as plain digits ("4") is read without the range pattern; every text gives
    what the pattern gives."""
    from ketcost.domain.values import _range_text, _range_text_problem, parse_count_range

    match = _range_text().fullmatch(text)
    expected: object
    if match is None:
        expected = _range_text_problem(text, 1, 52)
    else:
        low, high = int(match[1]), int(match[2] or match[1])
        expected = (low, high) if low <= high and low >= 1 and high <= 52 else "out"
    try:
        count = parse_count_range(text, 1, 52)
        seen: object = (count.low, count.high)
    except ValueError as error:
        seen = str(error) if match is None else "out"
    assert seen == expected
