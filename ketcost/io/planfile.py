"""Plan files: a client's scenario as TOML, read exactly and written back. Also the quote details.

A plan holds every input `estimate` takes (the Plan fields), `prices` (a path relative to the plan
file), `budget`, and a `[quote]` table. Problems name the file, the line where one is known, and
the key, e.g. `client.toml: line 3: weeks: must be from 1 to 52`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from ketcost.documents.gfe import ProviderInfo
from ketcost.domain.plan import Plan, with_start
from ketcost.domain.values import Amount, Clean, Day, Range, bounded_whole
from ketcost.errors import PlanError
from ketcost.io.files import ReadProblem, read_text
from ketcost.io.sheets import TOO_DEEP, key_path, load_toml

VALID_DAYS_BOUNDS = (1, 365)


class QuoteInfo(BaseModel):
    """Who a quote is for and from, and how long it holds."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    client: Clean | None = None
    prepared_by: Clean | None = None
    clinic: Clean | None = None
    client_dob: Day | None = None  # for a Good Faith Estimate
    scheduled: Day | None = None
    diagnosis: tuple[str, ...] = ()
    # Accepted so that older plan files still read; an estimate is not a price quote, so it
    # names no validity date.
    valid_days: Annotated[int, BeforeValidator(bounded_whole(*VALID_DAYS_BOUNDS))] = 30
    notes: Clean | None = None


class _Extras(BaseModel):
    """The plan-file keys that are not Plan fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    prices: str | None = None
    budget: Amount | None = None
    quote: QuoteInfo = QuoteInfo()
    provider: ProviderInfo | None = None


_EXTRA_KEYS = ("prices", "budget", "quote", "provider")
_MESSAGES = {"extra_forbidden": "unknown key (check the spelling)"}


@dataclass(frozen=True)
class PlanFile:
    """A plan file's contents: Plan fields as written (checked), and the other keys."""

    fields: dict[str, Any] = field(default_factory=dict)
    prices: str | None = None
    budget: Decimal | None = None
    quote: QuoteInfo = field(default_factory=QuoteInfo)
    provider: ProviderInfo | None = None


def read_plan(path: str | Path) -> PlanFile:
    """The plan file at `path`; a PlanError lists every problem. `prices` comes back resolved
    against the plan file's folder."""
    origin = str(path)
    try:
        text = read_text(path)
    except ReadProblem as problem:
        raise PlanError(origin, [f"{origin}: {problem}" if origin else str(problem)]) from None
    plan = parse_plan(text, origin)
    if plan.prices is not None and not Path(plan.prices).is_absolute():
        # The same folder `--save-plan` made the path relative to: the real one, links resolved.
        resolved = str(Path(origin).resolve().parent / plan.prices)
        plan = PlanFile(plan.fields, resolved, plan.budget, plan.quote, plan.provider)
    return plan


def parse_plan(text: str, origin: str) -> PlanFile:
    """A checked PlanFile from TOML text; `origin` names the file in problems."""
    data = load_toml(text, origin, PlanError)
    fields = {k: v for k, v in data.items() if k not in _EXTRA_KEYS}
    others = {k: v for k, v in data.items() if k in _EXTRA_KEYS}
    problems: list[str] = []
    extras = _Extras()
    try:
        Plan.model_validate(fields)
    except ValidationError as error:
        problems += _problems(error, text, origin)
    except RecursionError:
        problems.append(f"{origin}: {TOO_DEEP}")
    try:
        extras = _Extras.model_validate(others)
    except ValidationError as error:
        problems += _problems(error, text, origin)
    if problems:
        raise PlanError(origin, problems)
    return PlanFile(fields, extras.prices, extras.budget, extras.quote, extras.provider)


def plan_from_mapping(data: dict[str, Any], day: date | None = None) -> tuple[Plan, str | None]:
    """A Plan and its `prices` path from plan-file keys (e.g. one batch record); the other
    plan-file keys are checked too. An insured plan without a start starts on `day` (None:
    today). Raises ValidationError."""
    others = {k: data[k] for k in _EXTRA_KEYS if k in data}
    if not others:  # the usual case: the record is the plan
        return with_start(Plan.model_validate(data), day), None
    extras = _Extras.model_validate(others)
    fields = {k: v for k, v in data.items() if k not in _EXTRA_KEYS}
    return with_start(Plan.model_validate(fields), day), extras.prices


def key_problem(detail: ErrorDetails) -> str:
    """One validation problem as `key.path: message`, as plan files and batch records say it;
    a known key in the wrong place says where it belongs."""
    path = key_path(detail["loc"])
    message = _MESSAGES.get(detail["type"], detail["msg"].removeprefix("Value error, "))
    if detail["type"] == "extra_forbidden":
        message = _misplaced(detail["loc"]) or message
    return f"{path}: {message}" if path else message


def _misplaced(loc: tuple[int | str, ...]) -> str | None:
    from ketcost.domain.plan import Insurance

    key = loc[-1]
    if len(loc) == 1 and key in Insurance.model_fields:
        return "not a top-level key; it belongs under insurance ([insurance] in a plan file)"
    if len(loc) == 1 and key in QuoteInfo.model_fields:
        return "not a top-level key; it belongs under quote ([quote] in a plan file)"
    top = {field.alias or name for name, field in Plan.model_fields.items()} | set(_EXTRA_KEYS)
    if len(loc) == 2 and loc[0] in ("insurance", "quote") and key in top:
        return f"not a key of {loc[0]}; it belongs at the top level"
    return None


def _problems(error: ValidationError, text: str, origin: str) -> list[str]:
    lines = []
    for detail in error.errors():
        where = _line_of(text, detail["loc"])
        place = f"{origin}: line {where}" if where else origin
        lines.append(f"{place}: {key_problem(detail)}")
    return lines


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """The line where the key at `loc` is written: `key =` at the top level, or inside its
    `[table]` for a nested key. None when it cannot be told."""
    keys = [part for part in loc if isinstance(part, str)]
    if not keys:
        return None
    table = keys[0] if len(keys) > 1 else None
    key = keys[-1]
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.fullmatch(r"\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?", line)
        if header:
            current = header[1]
            continue
        if current == table and re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
        if table and current is None and re.match(rf"\s*{re.escape(table)}\s*=", line):
            return number  # an inline table
    return None


# --- writing -----------------------------------------------------------------------------------


def _number(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral_value() else value


def _range(value: Range[int]) -> int | list[int]:
    return value.low if value.low == value.high else [value.low, value.high]


def plan_data(
    plan: Plan,
    *,
    prices: str | None = None,
    budget: Decimal | None = None,
    quote: QuoteInfo | None = None,
) -> dict[str, Any]:
    """The plan as plan-file data: only what was given, ranges as `4` or `[2, 4]`."""
    data: dict[str, Any] = {}
    for key in ("route", "protocol"):
        if getattr(plan, key) is not None:
            data[key] = getattr(plan, key)
    for key in ("weeks", "per_week", "sessions"):
        value = getattr(plan, key)
        if value is not None:
            data[key] = _range(value)
    if plan.maintenance is not None:
        data["maintenance"] = str(plan.maintenance)
    for key in ("maintenance_months", "months", "start"):
        if getattr(plan, key) is not None:
            data[key] = getattr(plan, key)
    if plan.with_:
        data["with"] = list(plan.with_)
    if plan.extra:
        # As tables, not LABEL=PRICE/per text: a label may hold any character and still read back.
        data["extra"] = [
            {"label": e.label, "price": _amounts(e.price), "per": e.per} for e in plan.extra
        ]
    for key in ("discount", "assistance"):
        if getattr(plan, key):
            data[key] = _number(getattr(plan, key))
    for key in ("ride", "tax_rate", "pretax_limit"):
        if getattr(plan, key) is not None:
            data[key] = _number(getattr(plan, key))
    for key in ("package", "pretax"):
        if getattr(plan, key) is not None:
            data[key] = getattr(plan, key)
    if plan.installments is not None:
        data["installments"] = plan.installments
    if prices is not None:
        data["prices"] = prices
    if budget is not None:
        data["budget"] = _number(budget)
    if plan.insurance is not None:
        # What was given (a payer preset's figures count as given: they reproduce the estimate),
        # not the defaults filled in after it.
        terms = plan.insurance.model_dump(exclude_unset=True, exclude_none=True)
        data["insurance"] = {
            k: _number(v) if isinstance(v, Decimal) else v for k, v in terms.items()
        }
    if quote is not None:
        given = quote.model_dump(exclude_unset=True, exclude_none=True)
        if given:
            data["quote"] = given
    return data


def _amounts(price: Range[Decimal]) -> int | Decimal | list[int | Decimal]:
    if price.low == price.high:
        return _number(price.low)
    return [_number(price.low), _number(price.high)]


def plan_text(data: dict[str, Any]) -> str:
    """Plan-file data as TOML text with a header comment: keys, then one table each for the
    nested ones; arrays on one line (`weeks = [2, 4]`), extras as inline tables."""
    header = "# A ketcost plan: `ketcost estimate --plan THIS_FILE`; options given there win.\n"
    lines = [f"{key} = {_toml_value(v)}" for key, v in data.items() if not isinstance(v, dict)]
    for key, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{key}]", *(f"{k} = {_toml_value(v)}" for k, v in table.items())]
    return header + "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    """One TOML value on one line; scalars as tomli_w writes them, so strings are escaped."""
    import tomli_w

    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


PLAN_TEMPLATE = """\
# A ketcost plan: one client's scenario. Use it with
#   ketcost estimate --plan THIS_FILE      (also compare, timeline and quote)
# Options given on the command line override what is here. Remove the `#` to use a line.
# Ranges are a whole number (4) or [low, high] or "2-4"; amounts are numbers (1000, 250.50).

route = "iv"                    # iv, esketamine or oral (see `ketcost routes`)
# protocol = "standard"         # see `ketcost protocols` (default: the route's own)
weeks = [2, 4]                  # weeks of the first phase
# per_week = [2, 3]             # sessions a week in the first phase
# sessions = 6                  # or a fixed number of sessions instead
# maintenance = "monthly"       # monthly, biweekly, weekly or monthly-biweekly
maintenance_months = 0          # months of maintenance after the induction
# months = 6                    # or: the whole course, in months (not with maintenance_months)
# start = 2026-12-01            # the date of the first session
# with = ["consultation"]       # add-ons from the price sheet
# extra = ["psychotherapy=150-250/session"]
# discount = 10                 # percent off session fees
# assistance = 500              # financial assistance or a grant
# installments = 6              # split what you pay into monthly payments
# budget = 5000                 # warn (exit 3) when the cost may exceed it
# prices = "my-clinic.toml"     # a price sheet, relative to this file

# [insurance]                   # leave out when there is no insurance
# deductible = 1000             # what remains of the deductible
# coinsurance = 20              # your share after the deductible, percent
# copay = 0                     # per covered charge
# oop_max = 3000                # what remains of the out-of-pocket maximum
# covered = true                # default: the route's usual coverage
# plan_year_renews = "01-01"    # when the deductible and cap reset (default: every 52 weeks)
# annual_deductible = 1500      # the deductible after each renewal (default: deductible)
# annual_oop_max = 4000         # the cap after each renewal (default: oop_max)

[quote]
# client = "A. Client"
# prepared_by = "Your name"
# clinic = "Clinic name"
# notes = "Anything the client should know."
# client_dob = 1980-04-02       # for a Good Faith Estimate (quote --gfe), with:
# diagnosis = ["F33.2"]         # ICD-10 codes, from the provider
# scheduled = 2026-12-01

# [provider]                    # for a Good Faith Estimate: who issues it
# name = "Example Clinic"
# npi = "1234567893"
# tin = "12-3456789"
# address = "1 Main Street, Springfield"
# state = "IL"
"""
