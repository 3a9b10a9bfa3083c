"""Values as inputs give them: low-high ranges, and the parsing of amounts, percentages, counts,
dates and text that every entry point shares (money in cents is `domain.money`)."""

import contextlib
import functools
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from ketcost.domain.money import CENT

N = TypeVar("N", int, Decimal)

# defer_build: a model's validator is built the first time it validates, so a run builds only
# the validators it uses (start-up: `estimate --json` validates a Plan and nothing else).
FROZEN = ConfigDict(frozen=True, extra="forbid", defer_build=True)


def _ascii_number(value: Any) -> Any:
    """A number written as text is read only when written with the digits 0-9 (`"400"`,
    `"399.99"`), as everywhere else: Decimal alone would also take `"٤٠٠"` and `"4_00"`."""
    if isinstance(value, str) and not re.fullmatch(r"\s*[0-9]+(\.[0-9]+)?\s*", value, re.ASCII):
        raise ValueError(
            f"write numbers with the digits 0-9, e.g. 400 or 399.99; got {quoted(value)}"
        )
    return value


class Range(BaseModel, Generic[N]):
    """A low–high pair with low <= high; written `[low, high]` or as one number (low = high)."""

    model_config = FROZEN

    low: N
    high: N

    @model_validator(mode="before")
    @classmethod
    def _from_shorthand(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("expected a number or a [low, high] pair, not true/false")
        if isinstance(value, int | Decimal | str):
            return {"low": _ascii_number(value), "high": _ascii_number(value)}
        if isinstance(value, list | tuple):
            if len(value) != 2:
                raise ValueError(f"a range is [low, high] or one number; got {len(value)} values")
            return {"low": _ascii_number(value[0]), "high": _ascii_number(value[1])}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        return self

    @classmethod
    def of(cls, low: N, high: N | None = None) -> "Range[N]":
        """A range built in code, where the values are already known to be valid (pydantic's
        `model_construct`: no validation)."""
        return cls.model_construct(low=low, high=low if high is None else high)


# Quoted: `Range[Any]` written out would make pydantic build a class for it when this module loads
# (about 1 ms of every start-up), for an annotation nothing reads at run time.
def _positive(value: "Range[Any]") -> "Range[Any]":
    if value.low <= 0:
        raise ValueError(f"must be greater than 0, got {quoted(value.low)}")
    return value


def _price(value: "Range[Any]") -> "Range[Any]":
    """A price: above zero, whole cents, at most MAX_AMOUNT (so every total adds up exactly)."""
    _positive(value)
    for end in (value.low, value.high):
        _bounded_amount(end, MAX_AMOUNT, f"got {quoted(end)}", f"must be at most {MAX_AMOUNT:,}")
    return value


# Ranges as inputs give them (a sheet's prices and lengths, a plan's counts); the results' own
# money and counts are `domain.result.Money` and `Count`.
MoneyRange = Range[Decimal]
CountRange = Range[int]
PositiveMoney = Annotated[MoneyRange, AfterValidator(_price)]
PositiveQuantity = Annotated[MoneyRange, AfterValidator(_positive)]
PositiveCount = Annotated[CountRange, AfterValidator(_positive)]


# Control characters (C0, DEL, C1) and bidirectional overrides in text from a sheet, a plan or an
# option would reach a terminal, CSV, Markdown or HTML: each becomes a space, so the text is inert.
# Patterns a run may not use are compiled when first used: compiling costs start-up time (this
# one, with its ranges of Unicode characters, about 0.4 ms).
@functools.cache
def _control() -> re.Pattern[str]:
    return re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def clean_text(value: str) -> str:
    """Text with every control character replaced by a space."""
    if value.isprintable():  # the usual case: every character _control matches is unprintable
        return value
    return _control().sub(" ", value)


Clean = Annotated[str, AfterValidator(clean_text)]
Text = Annotated[str, Field(min_length=1), AfterValidator(clean_text)]


# --- plans -------------------------------------------------------------------------------------


@functools.cache
def _range_text() -> re.Pattern[str]:
    # Leading zeros are no digits of the number: 0004 is 4.
    return re.compile(r"\s*0*([0-9]{1,9})\s*(?:[-–]\s*0*([0-9]{1,9}))?\s*", re.ASCII)


@functools.cache
def _digits() -> re.Pattern[str]:
    return re.compile(r"\s*0*[0-9]{1,9}\s*", re.ASCII)


RANGE_HELP = "a whole number N or a range A-B"


def parse_count_range(value: Any, lo: int, hi: int) -> CountRange:
    """A whole-number range from text ("4", "2-4", "2–4"), an int, a pair or a Range, within bounds.

    Raises ValueError with a message a person can act on.
    """
    if type(value) is int:  # the usual case first: isinstance on a model class is slow
        low = high = value
    elif isinstance(value, Range):
        low, high = value.low, value.high
    elif (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value.lstrip("0")) <= 9
    ):
        low = high = int(value)  # one number, as _range_text reads it, without its pattern
    elif isinstance(value, str):
        match = _range_text().fullmatch(value)
        if match is None:
            raise ValueError(_range_text_problem(value, lo, hi))
        low = int(match[1])
        high = int(match[2]) if match[2] is not None else low
    elif isinstance(value, int) and not isinstance(value, bool):
        low = high = value
    elif isinstance(value, list | tuple) and len(value) == 2:
        low, high = (_whole(v) for v in value)
    else:
        raise ValueError(f"expected {RANGE_HELP} from {lo} to {hi}")
    if low > high:
        raise ValueError(
            f"the low end {low} is above the high end {high}; write it as {high}-{low}"
        )
    if low < lo or high > hi:
        raise ValueError(f"must be from {lo} to {hi}")
    return _count(int(low), int(high))


_COUNTS: dict[tuple[int, int], CountRange] = {}


def _count(low: int, high: int) -> CountRange:
    """The range, one object for each pair (immutable, so plans can share it; the bounds above
    keep the pairs few)."""
    found = _COUNTS.get((low, high))
    if found is None:
        found = _COUNTS[low, high] = CountRange.of(low, high)
    return found


def _whole(value: Any) -> int:
    """A whole number from an int or ASCII digits; `int()` alone would also take "٣" or "1_0"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _digits().fullmatch(value):
        return int(value)
    raise ValueError(f"expected whole numbers written with the digits 0-9, got {quoted(value)}")


def quoted(value: Any, limit: int = 40) -> str:
    """A value as a message quotes it: repr, cut short so a huge input makes a short message."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else f"{text[: limit - 5]}...{text[-1]}"


def _range_text_problem(text: str, lo: int, hi: int) -> str:
    stripped = text.strip()
    if re.fullmatch(r"[0-9]+(\s*[-–]\s*[0-9]+)?", stripped, re.ASCII):
        return f"must be from {lo} to {hi}"  # too many digits for the pattern above
    if any(c.isdigit() and not c.isascii() for c in stripped):
        return f"write numbers with the digits 0-9; expected {RANGE_HELP} from {lo} to {hi}"
    if re.fullmatch(r"-\s*[0-9.]+(\s*[-–]\s*[0-9.]+)?", stripped):
        return f"negative numbers are not allowed; expected {RANGE_HELP} from {lo} to {hi}"
    if re.fullmatch(r"[0-9]*\.[0-9]+(\s*[-–]\s*[0-9.]+)?|[0-9]+\s*[-–]\s*[0-9]*\.[0-9]+", stripped):
        return f"fractions are not allowed; expected {RANGE_HELP} from {lo} to {hi}"
    return f"expected {RANGE_HELP} from {lo} to {hi}"


def bounded_count(lo: int, hi: int) -> Callable[[Any], CountRange]:
    def check(value: Any) -> CountRange:
        return parse_count_range(value, lo, hi)

    return check


def bounded_whole(lo: int, hi: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, str) and _digits().fullmatch(value):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise ValueError(f"expected a whole number from {lo} to {hi}")
        return value

    return check


MAX_AMOUNT = Decimal(10_000_000)
AMOUNT_EXAMPLE = "e.g. 1000, 1,000 or 250.50"
PERCENT_EXAMPLE = "e.g. 20 or 20%"


# Plain digits, or digits grouped in threes by commas (1,000 and 12,500.50; not 12,50 or 1,0,0,0).
@functools.cache
def _money_text() -> re.Pattern[str]:
    return re.compile(r"([0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,12})(\.[0-9]{1,2})?", re.ASCII)


def parse_amount(
    value: Any,
    what: str = "an amount",
    example: str = AMOUNT_EXAMPLE,
    maximum: Decimal = MAX_AMOUNT,
    over: str | None = None,
) -> Decimal:
    """A non-negative amount with at most two decimals and at most `maximum`, from text (a `$`
    in front and thousands separators in their places are fine) or an exact number. `over` is
    the message for an amount above the maximum."""
    if type(value) is int and 0 <= value <= maximum:  # the usual case, checked first
        return Decimal(value)
    expected = f"expected {what}, {example}"
    over = over or f"must be at most {maximum:,}"
    if isinstance(value, bool):
        raise ValueError(expected)
    if isinstance(value, int):
        amount = _bounded_amount(value, maximum, expected, over)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(expected)
        amount = _bounded_amount(value, maximum, expected, over)
    elif isinstance(value, str):
        text = value.strip().removeprefix("$").strip()
        match = _money_text().fullmatch(text)
        if match is None:
            if text.startswith("-"):
                raise ValueError(f"must not be negative; {expected}")
            if re.fullmatch(r"[0-9]+(\.[0-9]+)?", text, re.ASCII) and "." in text:
                raise ValueError(f"at most two decimals (whole cents); {expected}")
            if re.fullmatch(r"[0-9,]+(\.[0-9]+)?", text, re.ASCII) and "," in text:
                raise ValueError(f"commas go between groups of three digits only; {expected}")
            if re.fullmatch(r"[0-9]{13,}(\.[0-9]+)?", text, re.ASCII):
                raise ValueError(over)
            raise ValueError(expected)
        amount = _bounded_amount(Decimal(text.replace(",", "")), maximum, expected, over)
    else:
        raise ValueError(expected)
    return amount


def _bounded_amount(value: int | Decimal, maximum: Decimal, expected: str, over: str) -> Decimal:
    """`value` as an amount of whole cents from 0 to `maximum`, or a ValueError saying why."""
    if value < 0:
        raise ValueError(f"must not be negative; {expected}")
    if value > maximum:
        raise ValueError(over)
    amount = Decimal(value)
    if type(value) is not int and amount != amount.quantize(CENT):
        raise ValueError(f"at most two decimals (whole cents); {expected}")
    return amount


def _percentage(value: Any) -> Decimal:
    if isinstance(value, str):
        if "$" in value:  # `$20` is an amount, not a share: refused, not read as 20%
            raise ValueError(f"a percentage takes no $ sign; expected {PERCENT_EXAMPLE}")
        value = value.strip().removesuffix("%")
    return parse_amount(
        value,
        "a percentage from 0 to 100",
        PERCENT_EXAMPLE,
        Decimal(100),
        over="must be a percentage from 0 to 100",
    )


Amount = Annotated[Decimal, BeforeValidator(parse_amount)]
Percentage = Annotated[Decimal, BeforeValidator(_percentage)]


# Every date ketcost reads is within these, so a date worked out from one (a course's last
# session, a plan year's end, a dispute deadline) is a real calendar date.
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2199, 12, 31)


def parse_date(value: Any) -> date:
    """A calendar date written YYYY-MM-DD (or a TOML date), from 1900 to 2199."""
    when = None
    if isinstance(value, date):
        when = value
    elif isinstance(value, str) and re.fullmatch(
        r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*", value, re.ASCII
    ):
        with contextlib.suppress(ValueError):  # not a calendar date: said below
            when = date.fromisoformat(value.strip())
    if when is None:
        raise ValueError("expected a date written YYYY-MM-DD, e.g. 2026-12-01")
    if not FIRST_DATE <= when <= LAST_DATE:
        raise ValueError(
            f"expected a date from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}"
        )
    return when


def _month_day(value: Any) -> str:
    """A day of the year written MM-DD, e.g. 01-01; 02-29 is refused (it is not in every year)."""
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{2}-[0-9]{2}\s*", value, re.ASCII):
        text = value.strip()
        try:
            date.fromisoformat(f"2023-{text}")
        except ValueError:
            pass
        else:
            return text
    raise ValueError("expected a day of the year written MM-DD, e.g. 01-01 (not 02-29)")


Day = Annotated[date, BeforeValidator(parse_date)]
MonthDay = Annotated[str, BeforeValidator(_month_day)]
