"""Schedules and numbers in words, for tables and assumptions (pure, no I/O)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

from ketcost.domain.sheet import Phase
from ketcost.domain.values import Range

if TYPE_CHECKING:
    from ketcost.domain.result import Estimate

DASH = "–"


def number(value: Decimal | int) -> str:
    """`2`, `2.5`, `1,000`: no exponent, no trailing zeros."""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value.normalize():,f}"


class Ends(Protocol):
    """Anything with a low and a high end: a sheet's range or a result's."""

    @property
    def low(self) -> Any: ...

    @property
    def high(self) -> Any: ...


def span(value: Ends) -> str:
    """`2–4`, or `4` when both ends are equal."""
    if value.low == value.high:
        return number(value.low)
    return f"{number(value.low)}{DASH}{number(value.high)}"


def _plural(value: Ends, unit: str) -> str:
    return f"{span(value)} {unit}{'' if value.high == 1 else 's'}"


# Named frequencies: (key, sessions per unit) -> name.
_NAMED = {
    ("per_week", Decimal(1)): "weekly",
    ("per_month", Decimal(1)): "monthly",
    ("per_year", Decimal(12)): "monthly",
    ("per_year", Decimal(26)): "every 2 weeks",
    ("per_year", Decimal(52)): "weekly",
    ("every_weeks", Decimal(1)): "weekly",
}
_UNIT = {"per_week": "week", "per_month": "month", "per_year": "year"}


def _end_name(key: str, value: Decimal) -> str | None:
    if key == "every_weeks" and value != 1:
        return f"every {number(value)} weeks"
    return _NAMED.get((key, value))


def frequency(phase: Phase) -> str:
    """`2–3 sessions a week`, `monthly to every 2 weeks`, `every 2–6 weeks`."""
    for key in ("per_week", "per_month", "per_year", "every_weeks"):
        rate: Range[Decimal] | None = getattr(phase, key)
        if rate is None:
            continue
        # every_weeks: the low case is the rarer end, the larger number of weeks.
        low, high = (rate.high, rate.low) if key == "every_weeks" else (rate.low, rate.high)
        low_name, high_name = _end_name(key, low), _end_name(key, high)
        if low == high and low_name:
            return low_name
        if key == "every_weeks" and low != 1 and high != 1:
            return f"every {span(rate)} weeks"
        if low_name and high_name:
            return f"{low_name} to {high_name}"
        return f"{_plural(rate, 'session')} a {_UNIT[key]}"
    assert phase.sessions is not None  # a phase has a frequency or a fixed count
    return _plural(phase.sessions, "session")


def schedule(phase: Phase, maintenance_months: int | None = None) -> str:
    """A phase in words; an open-ended phase lasts `maintenance_months` (None: not yet chosen)."""
    how_often = frequency(phase)
    if phase.sessions is not None:
        over = phase.weeks and f" over {_plural(phase.weeks, 'week')}"
        over = over or (phase.months and f" over {_plural(phase.months, 'month')}")
        return f"{how_often}{over or ''}"
    if phase.weeks is not None:
        return f"{how_often} for {_plural(phase.weeks, 'week')}"
    if phase.months is not None:
        return f"{how_often} for {_plural(phase.months, 'month')}"
    if maintenance_months is None:
        return f"{how_often}, for --maintenance-months"
    return f"{how_often} for {_plural(Range[int].of(maintenance_months), 'month')}"


def _weeks_number(weeks: Fraction) -> str:
    """Weeks as people say them: `4`, `21.7` (one decimal when not whole)."""
    if weeks.denominator == 1:
        return number(weeks.numerator)
    exact = Decimal(weeks.numerator) / Decimal(weeks.denominator)
    return number(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def weeks_span(weeks: tuple[Fraction, Fraction]) -> str:
    """`4`, `9–11` or `13.7`: a span of weeks (or months), low end first."""
    low, high = sorted(weeks)
    low_text, high_text = _weeks_number(low), _weeks_number(high)
    return low_text if low_text == high_text else f"{low_text}{DASH}{high_text}"


def _length(weeks: tuple[Fraction, Fraction]) -> str:
    """`3 months` when both ends are whole months, else `22 weeks` or `9–11 weeks`."""
    months = tuple(w * 12 / 52 for w in weeks)
    if all(m.denominator == 1 for m in months) and months[0] == months[1]:
        count = months[0].numerator
        return f"{number(count)} month{'' if count == 1 else 's'}"
    text = weeks_span(weeks)
    return f"{text} week{'' if text == '1' else 's'}"


def scheduled(phase: Phase, weeks: tuple[Fraction, Fraction], whole: bool) -> str:
    """A phase in words as a course schedules it: its own schedule when it runs its full length
    (`whole`), else its frequency over the weeks it has (an open-ended phase, or one cut short
    at the end of the course)."""
    if whole:
        return schedule(phase)
    if phase.sessions is not None:
        return f"{frequency(phase)} over {_length(weeks)}"
    return f"{frequency(phase)} for {_length(weeks)}"


_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def money(amount: Decimal, currency: str) -> str:
    """`$3,200.00`; currencies without a symbol here read `CAD 3,200.00`."""
    figure = f"{amount:,.2f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{figure}" if symbol else f"{currency} {figure}"


def money_span(value: Ends, currency: str) -> str:
    """`$400.00–$800.00`, or one figure when both ends are equal."""
    return money_cases(value.low, value.high, currency)


def money_cases(low: Decimal, high: Decimal, currency: str) -> str:
    """Low and high case: `$400.00–$800.00`; `-$80.00 to -$360.00` when either is negative."""
    if low == high:
        return _signed(low, currency)
    if low < 0 or high < 0:
        return f"{_signed(low, currency)} to {_signed(high, currency)}"
    if low > high:  # cases computed on their own (a month of a timeline): the range they span
        return f"{money(high, currency)}{DASH}{money(low, currency)}"
    return f"{money(low, currency)}{DASH}{money(high, currency)}"


def _signed(amount: Decimal, currency: str) -> str:
    return f"-{money(-amount, currency)}" if amount < 0 else money(amount, currency)


def plan_year_lines(result: Estimate) -> tuple[str, ...]:
    """A line per plan year, when the course spans more than one."""
    if result.insurance is None or len(result.insurance.plan_years) < 2:
        return ()
    lines = []
    for number, year in enumerate(result.insurance.plan_years, start=1):
        if isinstance(year.starts, date) and isinstance(year.ends, date):
            when = f"{year.starts.isoformat()} to {year.ends.isoformat()}"
        else:
            when = f"weeks {year.starts}–{year.ends}"
        sessions = Range[int].of(*sorted((year.sessions.low, year.sessions.high)))
        pays = money_cases(year.out_of_pocket.low, year.out_of_pocket.high, result.currency)
        insurer = money_cases(year.insurer_pays.low, year.insurer_pays.high, result.currency)
        lines.append(
            f"Plan year {number} ({when}): {span(sessions)} sessions; you pay {pays}, "
            f"insurance pays {insurer}."
        )
    return tuple(lines)
