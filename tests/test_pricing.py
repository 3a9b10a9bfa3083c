"""The arithmetic: worked examples from the issue and each rounding and frequency rule."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from ketcost import Plan, PriceSheet, estimate
from ketcost.domain.money import cents, discounted, half_up, to_cents
from ketcost.domain.sheet import CheckedPhase, CheckedProtocol, Phase, Protocol
from ketcost.engine.schedule import Schedule, course, own_weeks, weekly_rate
from ketcost.errors import InputError
from ketcost.io.sheetfile import validated
from ketcost.wording import Ends


def counts(result_range: Ends) -> tuple[int, int]:
    return result_range.low, result_range.high


def money(result_range: Ends) -> tuple[str, str]:
    return str(result_range.low), str(result_range.high)


def test_iv_four_weeks(sheet: PriceSheet) -> None:
    """ketcost estimate --route iv --weeks 4: 8–12 sessions, $3,200.00–$9,600.00."""
    result = estimate(Plan(route="iv", weeks=4), sheet)
    assert counts(result.sessions) == (8, 12)
    assert money(result.total) == ("3200.00", "9600.00")
    assert [p.name for p in result.phases] == ["induction"]


def test_esketamine_with_three_months_maintenance(sheet: PriceSheet) -> None:
    """Induction 4–12, maintenance 3–7, total 7–19 sessions: visits $3,500.00–$17,100.00, the
    medication 7 x 2 = 14 devices low and 2 + 18 x 3 = 56 high at $295."""
    plan = Plan(route="esketamine", protocol="standard", weeks="2-4", maintenance_months=3)
    result = estimate(plan, sheet)
    assert [counts(p.sessions) for p in result.phases] == [(4, 12), (3, 7)]
    assert counts(result.sessions) == (7, 19)
    assert money(result.total) == ("7630.00", "33620.00")
    medication = result.line_items[2]
    assert (medication.kind, counts(medication.quantity)) == ("medication", (14, 56))
    assert medication.mg is not None
    assert counts(medication.mg) == (14 * 28, 56 + 18 * 84)


def test_spravato_label_six_months(sheet: PriceSheet) -> None:
    """Six months of maintenance from week 5: 8 + 4 + 11–22 = 23–34 sessions,
    visits $11,500.00–$30,600.00, the medication 46 and 101 devices at $295; the alias finds
    the route."""
    result = estimate(
        Plan(route="spravato", protocol="spravato-label", maintenance_months=6), sheet
    )
    assert result.route == "esketamine"
    assert [counts(p.sessions) for p in result.phases] == [(8, 8), (4, 4), (11, 22)]
    assert [p.part for p in result.phases] == ["induction", "maintenance", "maintenance"]
    assert counts(result.sessions) == (23, 34)
    assert money(result.total) == ("25070.00", "60395.00")


def test_protocol_route_used_when_no_route_given(sheet: PriceSheet) -> None:
    result = estimate(Plan(protocol="iv-series", maintenance_months=6), sheet)
    assert result.route == "iv"
    # 6 fixed infusions, then every 6 to every 2 weeks for 26 weeks: 26/6 = 4.33 -> 4, 13.
    assert [counts(p.sessions) for p in result.phases] == [(6, 6), (4, 13)]
    assert money(result.total) == ("4000.00", "15200.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(13, 2), 7),  # 6.5 rounds up
        (Fraction(5, 2), 3),  # halves always up, not to even
        (Fraction(249, 100), 2),
        (Fraction(251, 100), 3),
        (Fraction(0), 0),
        (Fraction(26, 6), 4),
    ],
)
def test_half_up(value: Fraction, expected: int) -> None:
    """The engine's one rounding of a fraction (sessions, shares, discounts), in whole numbers."""
    assert half_up(value.numerator, value.denominator) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("400", "400.00")],
)
def test_money_rounds_to_cents_half_up(amount: str, expected: str) -> None:
    assert str(to_cents(Decimal(amount))) == expected


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        ({"per_week": [2, 3]}, (Fraction(2), Fraction(3))),
        ({"per_month": 1}, (Fraction(12, 52), Fraction(12, 52))),
        ({"per_year": [12, 26]}, (Fraction(12, 52), Fraction(26, 52))),
        ({"every_weeks": [6, 2]}, (Fraction(1, 6), Fraction(1, 2))),
        ({"every_weeks": [2, 6]}, (Fraction(1, 6), Fraction(1, 2))),
    ],
)
def test_weekly_rate(frequency: dict[str, object], expected: tuple[Fraction, Fraction]) -> None:
    assert weekly_rate(phase_of({"name": "p", "weeks": 1, **frequency})) == expected


def phase_of(data: dict[str, Any]) -> Phase:
    """A phase from a sheet's keys, validated as a sheet file's is."""
    phase: Phase = validated(CheckedPhase, data)
    return phase


def protocol_of(data: dict[str, Any]) -> Protocol:
    """A protocol from a sheet's keys, validated as a sheet file's is."""
    protocol: Protocol = validated(CheckedProtocol, data)
    return protocol


def phase_counts(phases: list[dict[str, Any]], **plan: object) -> list[tuple[int, int]]:
    """The sessions of each phase a course of these phases prices under the plan."""
    protocol = protocol_of({"label": "t", "source": "s", "phases": phases})
    priced = course("t", protocol, Schedule.of(Plan.model_validate({"route": "iv", **plan})))
    return [counts(item.sessions) for item in priced.phases]


def test_months_are_52_over_12_weeks() -> None:
    phase = phase_of({"name": "p", "months": [1, 3], "per_week": 1})
    assert own_weeks(phase) == (Fraction(52, 12), Fraction(52, 4))
    # 3 months weekly = 13 weeks = 13 sessions exactly.
    assert phase_counts([{"name": "p", "months": [1, 3], "per_week": 1}]) == [(4, 13)]


def test_open_ended_phase_lasts_maintenance_months() -> None:
    open_ended = [{"name": "m", "per_year": [12, 26]}]
    assert phase_counts(open_ended, maintenance_months=3) == [(3, 7)]  # 3 x 26/12 = 6.5 -> 7
    assert phase_counts(open_ended) == []  # no maintenance asked for: not priced


def test_fixed_sessions_are_used_as_is() -> None:
    assert phase_counts([{"name": "s", "sessions": [5, 7], "weeks": 3}]) == [(5, 7)]


def test_a_fixed_maintenance_phase_cut_by_the_course_counts_pro_rata() -> None:
    phases = [
        {"name": "i", "weeks": 4, "per_week": 2},
        {"name": "m", "weeks": 8, "sessions": 6, "part": "maintenance"},
        {"name": "open", "every_weeks": 2},
    ]
    # 1 month of maintenance = 52/12 weeks of the 8-week phase: 6 x (13/3)/8 = 3.25 -> 3
    assert phase_counts(phases, maintenance_months=1) == [(8, 8), (3, 3)]
    # 3 months: the fixed phase whole (6), then 13 - 8 = 5 weeks every 2 weeks: 2.5 -> 3
    assert phase_counts(phases, maintenance_months=3) == [(8, 8), (6, 6), (3, 3)]


def test_session_fee_after_a_discount_rounds_half_up_to_the_cent() -> None:
    """12.5% off $99.99 is $87.49125 -> $87.49; 50% off $10.01 is $5.005 -> $5.01 (in cents)."""
    low, high = cents(Decimal("99.99")), cents(Decimal("10.01"))
    assert discounted(low, Decimal("12.5")) == 8749
    assert discounted(high, Decimal("12.5")) == 876  # 10.01 x 0.875 = 8.75875
    assert discounted(low, Decimal("50")) == 5000  # 49.995 -> 50.00
    assert discounted(high, Decimal("50")) == 501


@pytest.mark.parametrize(
    ("maintenance", "expected"),
    [
        ("monthly", (6, 6)),
        ("biweekly", (13, 13)),
        ("weekly", (26, 26)),
        ("monthly-biweekly", (6, 13)),
    ],
)
def test_maintenance_choices_over_six_months(
    sheet: PriceSheet, maintenance: str, expected: tuple[int, int]
) -> None:
    plan = Plan.model_validate(
        {"route": "oral", "maintenance": maintenance, "maintenance_months": 6}
    )
    assert counts(estimate(plan, sheet).phases[-1].sessions) == expected


def test_per_week_and_sessions_replace_the_first_phase(sheet: PriceSheet) -> None:
    per_week = estimate(Plan(route="oral", weeks=3, per_week=1), sheet)
    assert counts(per_week.sessions) == (3, 3)
    fixed = estimate(Plan(route="oral", sessions="6-8"), sheet)
    assert counts(fixed.sessions) == (6, 8)
    assert fixed.phases[0].schedule == "6–8 sessions over 2–4 weeks"


def test_weeks_on_a_fixed_series_keeps_the_count(sheet: PriceSheet) -> None:
    result = estimate(Plan(protocol="iv-series", weeks=4), sheet)
    assert counts(result.sessions) == (6, 6)
    assert result.phases[0].schedule == "6 sessions over 4 weeks"


def test_maintenance_not_included_says_how_to_add_it(sheet: PriceSheet) -> None:
    result = estimate(Plan(route="iv"), sheet)
    assert any("--maintenance-months" in line for line in result.assumptions)
    assert all(p.name != "maintenance" for p in result.phases)


def test_observation_time_is_an_assumption_for_esketamine(sheet: PriceSheet) -> None:
    result = estimate(Plan(route="esketamine"), sheet)
    assert any("120 minutes of observation" in line for line in result.assumptions)


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        (Plan(route="ivv"), "unknown route 'ivv'"),
        (Plan(route="iv", protocol="nope"), "unknown protocol 'nope'"),
        (Plan(), "give --route: which route to price"),
    ],
)
def test_unknown_names_are_input_errors(sheet: PriceSheet, plan: Plan, message: str) -> None:
    with pytest.raises(InputError, match=message):
        estimate(plan, sheet)


def test_maintenance_needs_an_open_ended_phase(sheet: PriceSheet) -> None:
    standard = sheet.protocols["standard"]
    short = replace(standard, phases=standard.phases[:1])
    fixed_only = replace(sheet, protocols={"short": short})
    with pytest.raises(InputError, match="has no maintenance part"):
        estimate(Plan(route="iv", protocol="short", maintenance_months=2), fixed_only)
