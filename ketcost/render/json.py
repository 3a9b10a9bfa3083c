"""Results as JSON: the documented contract, money as strings with two decimals.

An estimate is written straight from its result objects, field by field in the order of
`ketcost.domain.result` (the schema's order), without an intermediate dict: a batch run writes
hundreds of thousands of them. The pretty form (`--json`) re-indents that same text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ketcost.domain.medication import Medication, SavingsProgram
from ketcost.domain.money import to_cents
from ketcost.domain.result import (
    CaseCount,
    Cases,
    Count,
    Estimate,
    LineItem,
    Money,
    PhaseCost,
    PlanYear,
)
from ketcost.domain.sheet import Addon, Package, Phase, PriceSheet, Protocol, Route
from ketcost.domain.values import Range
from ketcost.wording import schedule

if TYPE_CHECKING:
    from ketcost.engine.timeline import Timeline

SCHEMA_VERSION = 1


def _dumps(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


# Characters JSON may hold raw but that other tools take as line breaks or terminal controls:
# written as \u escapes (they only ever occur inside strings), so one record is one line.
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029]")


def escaped(text: str) -> str:
    """JSON text with raw C1 controls, U+2028 and U+2029 written as \\u escapes."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda match: f"\\u{ord(match[0]):04x}", text)


# The engine's texts are ASCII but for the en dash of its ranges ("2–4 weeks"), and one such
# character makes Python hold a whole record's text at two bytes a character and encode it to
# UTF-8 one character at a time. So while an estimate is written, each en dash is held as a NUL,
# which JSON text never holds raw (json.dumps writes it \u0000), and they are put back once, at
# the end: by `estimate_json` in the text, by `encoded` in the bytes. The output is the same.
_DASH = "\u2013"
_HELD = "\x00"
_DASH_BYTES = _DASH.encode()


def encoded(text: str) -> bytes:
    """JSON text written by `estimate_held` (and any other JSON text: one with no NUL is
    unchanged) as UTF-8 bytes, its en dashes put back."""
    return text.encode("utf-8").replace(b"\x00", _DASH_BYTES)


@lru_cache(maxsize=8192)
def _text(value: str) -> str:
    """A JSON string; texts repeat (labels, schedules, assumptions), so each is escaped once."""
    return escaped(json.dumps(value, ensure_ascii=False)).replace(_DASH, _HELD)


# Decimals are written with `!s`: str() is exact (the engine's amounts have two places) and
# several times faster than format(), which an f-string field calls otherwise.


def _amount(value: Decimal | None) -> str:
    return "null" if value is None else f'"{value!s}"'


def _pair(value: Money | Cases) -> str:
    return f'{{"low":"{value.low!s}","high":"{value.high!s}"}}'


def _count(value: Count | CaseCount) -> str:
    return f'{{"low":{value.low!s},"high":{value.high!s}}}'


def _when(value: date | int | None) -> str:
    if value is None:
        return "null"
    return f'"{value.isoformat()}"' if isinstance(value, date) else str(value)


def _plan_year(year: PlanYear) -> str:
    return (
        f'{{"starts":{_when(year.starts)},"ends":{_when(year.ends)},'
        f'"sessions":{_count(year.sessions)},"out_of_pocket":{_pair(year.out_of_pocket)},'
        f'"insurer_pays":{_pair(year.insurer_pays)}}}'
    )


@lru_cache(maxsize=64)
def _sheet_info(name: str, as_of: date, source: str) -> str:
    return f'{{"name":{_text(name)},"as_of":"{as_of.isoformat()}","source":{_text(source)}}}'


def _phase(p: PhaseCost) -> str:
    return (
        f'{{"name":{_text(p.name)},"part":"{p.part}","schedule":{_text(p.schedule)},'
        f'"sessions":{_count(p.sessions)},"price_per_session":{_pair(p.price_per_session)},'
        f'"cost":{_pair(p.cost)}}}'
    )


def _item(i: LineItem) -> str:
    return (
        f'{{"label":{_text(i.label)},"kind":"{i.kind}","quantity":{_count(i.quantity)},'
        f'"unit_price":{_pair(i.unit_price)},"amount":{_pair(i.amount)},'
        f'"devices":{_optional_count(i.devices)},"mg":{_optional_count(i.mg)}}}'
    )


def _optional_pair(value: Money | None) -> str:
    return "null" if value is None else _pair(value)


def _optional_count(value: Count | None) -> str:
    return "null" if value is None else _count(value)


def estimate_json(result: Estimate, record_id: str | None = None) -> str:
    """The estimate as compact JSON text, keys in the schema's order; a batch record's `id`
    (its JSON text) first when given."""
    return estimate_held(result, record_id).replace(_HELD, _DASH)


def estimate_held(result: Estimate, record_id: str | None = None) -> str:
    """`estimate_json`'s text with its en dashes held as NULs, for `encoded` (see `_HELD`)."""
    phases = ",".join([_phase(p) for p in result.phases])
    items = ",".join([_item(i) for i in result.line_items])
    cover = result.insurance
    if cover is None:
        insurance = "null"
    else:
        years = ",".join([_plan_year(y) for y in cover.plan_years])
        insurance = (
            f'{{"payer":"{cover.payer}","covered":{"true" if cover.covered else "false"},'
            f'"deductible":{_amount(cover.deductible)},"coinsurance":{_amount(cover.coinsurance)},'
            f'"copay":{_amount(cover.copay)},"oop_max":{_amount(cover.oop_max)},'
            f'"insurer_pays":{_pair(cover.insurer_pays)},'
            f'"annual_deductible":{_amount(cover.annual_deductible)},'
            f'"annual_oop_max":{_amount(cover.annual_oop_max)},'
            f'"plan_year_renews":{_text(cover.plan_year_renews)},'
            f'"plan_years":[{years}],'
            f'"allowed":{_optional_pair(cover.allowed)},'
            f'"provider_writeoff":{_pair(cover.provider_writeoff)},'
            f'"out_of_network":{"true" if cover.out_of_network else "false"},'
            f'"savings_program_pays":{_optional_pair(cover.savings_program_pays)}}}'
        )
    plan = result.installments
    installments = (
        "null"
        if plan is None
        else f'{{"count":{plan.count!s},"payment":{_pair(plan.payment)},'
        f'"last_payment":{_pair(plan.last_payment)}}}'
    )
    assumptions = ",".join([_text(line) for line in result.assumptions])
    warnings = ",".join([_text(line) for line in result.warnings])
    check = result.budget
    budget = "null"
    if check is not None:
        exceeded = "true" if check.exceeded else "false"
        budget = f'{{"limit":{_amount(check.limit)},"exceeded":{exceeded}}}'
    pre = result.pre_tax
    pre_tax = "null"
    if pre is not None:
        pre_tax = (
            f'{{"account":"{pre.account}","tax_rate":{_text(str(pre.tax_rate))},'
            f'"limit":{_amount(pre.limit)},"from_account":{_pair(pre.from_account)},'
            f'"after_tax":{_pair(pre.after_tax)}}}'
        )
    head = _head(result) if record_id is None else f'{{"id":{record_id},{_head(result)[1:]}'
    return (
        f"{head}{phases}],"
        f'"sessions":{_count(result.sessions)},"line_items":[{items}],'
        f'"total":{_pair(result.total)},"insurance":{insurance},'
        f'"assistance":{_pair(result.assistance)},"out_of_pocket":{_pair(result.out_of_pocket)},'
        f'"installments":{installments},"maintenance_months":{result.maintenance_months!s},'
        f'"months":{"null" if result.months is None else result.months},'
        f'"start":{_when(result.start)},"assumptions":[{assumptions}],'
        f'"warnings":[{warnings}],"budget":{budget},"pre_tax":{pre_tax},'
        f'"disclaimer":{_text(result.disclaimer)}}}'
    )


def _head(result: Estimate) -> str:
    """Everything before the phases: the same for every estimate of one route and protocol."""
    sheet = result.price_sheet
    return _head_text(
        result.schema_version, result.currency, result.route, result.route_label,
        result.protocol, result.protocol_label, sheet.name, sheet.as_of, sheet.source,
    )  # fmt: skip


@lru_cache(maxsize=256)
def _head_text(
    version: int,
    currency: str,
    route: str,
    route_label: str,
    protocol: str,
    protocol_label: str,
    name: str,
    as_of: date,
    source: str,
) -> str:
    return (
        f'{{"schema_version":{version!s},"currency":{_text(currency)},'
        f'"route":{_text(route)},"route_label":{_text(route_label)},'
        f'"protocol":{_text(protocol)},"protocol_label":{_text(protocol_label)},'
        f'"price_sheet":{_sheet_info(name, as_of, source)},"phases":['
    )


def estimate_payload(result: Estimate) -> dict[str, Any]:
    """The estimate as plain JSON data (money as strings, dates ISO text)."""
    data: dict[str, Any] = json.loads(estimate_json(result))
    return data


def render_estimate(result: Estimate) -> str:
    """One JSON object for one estimate."""
    return _dumps(estimate_payload(result))


def render_comparison(results: list[Estimate]) -> str:
    """A JSON array of estimate objects, in the order given (the cheapest worst case first),
    each with `cheapest_worst_case`: true for the first, the option marked `*` in the table."""
    return _dumps(
        [
            {**estimate_payload(r), "cheapest_worst_case": index == 0}
            for index, r in enumerate(results)
        ]
    )


def render_timeline(months: Timeline) -> str:
    """The month-by-month object: `months`, each with {low, high} pairs, and the totals."""
    payload = estimate_payload(months.estimate)
    return _dumps(
        {
            **{k: payload[k] for k in ("schema_version", "currency", "route", "protocol")},
            "months": [m.model_dump(mode="json") for m in months.months],
            **{k: payload[k] for k in ("total", "out_of_pocket", "installments")},
            **{k: payload[k] for k in ("warnings", "budget", "pre_tax", "disclaimer")},
        }
    )


def _sheet(sheet: PriceSheet) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "currency": sheet.currency,
        "price_sheet": {
            "name": sheet.name,
            "as_of": sheet.as_of.isoformat(),
            "source": sheet.source,
        },
    }


def _money(value: Range[Decimal]) -> dict[str, str]:
    return {"low": str(to_cents(value.low)), "high": str(to_cents(value.high))}


def _fields(
    item: Route | Medication | Addon | Protocol | Phase, drop_none: bool = False
) -> dict[str, Any]:
    """An item of the sheet as JSON data, key by key in the sheet's order: ranges as {low, high},
    amounts as text (as written: `"2"`, `"0.5"`), dates as YYYY-MM-DD (`phases` are the
    caller's to write)."""
    data = {}
    for name in item.__dataclass_fields__:
        value = getattr(item, name)
        if name != "phases" and not (drop_none and value is None):
            data[name] = _plain_json(value)
    return data


def _plain_json(value: Any) -> Any:
    if isinstance(value, Medication):
        return {**_fields(value), "unit_price": _money(value.unit_price)}
    if isinstance(value, SavingsProgram | Package):
        return {name: _plain_json(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, Mapping):
        return {key: _plain_json(item) for key, item in value.items()}
    if isinstance(value, Range):
        return {"low": _plain_json(value.low), "high": _plain_json(value.high)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_plain_json(item) for item in value]
    return value


def render_routes(sheet: PriceSheet) -> str:
    """The sheet's routes with prices in cents and their sources."""
    routes = []
    for route_id, route in sheet.routes.items():
        data = _fields(route)
        data["session_price"] = _money(route.session_price)
        routes.append({"id": route_id, **data})
    return _dumps({**_sheet(sheet), "routes": routes})


def render_protocols(sheet: PriceSheet) -> str:
    """The sheet's protocols, each phase with its schedule in words."""
    protocols = []
    for protocol_id, protocol in sheet.protocols.items():
        data = _fields(protocol)
        data["phases"] = [
            {**_fields(p, drop_none=True), "schedule": schedule(p, None)} for p in protocol.phases
        ]
        protocols.append({"id": protocol_id, **data})
    return _dumps({**_sheet(sheet), "protocols": protocols})


def render_addons(sheet: PriceSheet) -> str:
    """The sheet's add-ons with prices in cents and their sources."""
    addons = []
    for addon_id, addon in sheet.addons.items():
        data = _fields(addon)
        data["price"] = _money(addon.price)
        addons.append({"id": addon_id, **data})
    return _dumps({**_sheet(sheet), "addons": addons})
