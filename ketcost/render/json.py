"""Results as JSON: the documented contract, money as strings with two decimals."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ketcost.models import Estimate, PriceSheet, Range
from ketcost.payment import to_cents
from ketcost.wording import schedule

if TYPE_CHECKING:
    from ketcost.timeline import Timeline

SCHEMA_VERSION = 1


def _dumps(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def estimate_payload(result: Estimate) -> dict[str, Any]:
    """The estimate as plain JSON data (Decimals become strings, dates ISO text)."""
    return result.model_dump(mode="json")


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
            **{k: payload[k] for k in ("total", "out_of_pocket", "installments", "disclaimer")},
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


def render_routes(sheet: PriceSheet) -> str:
    """The sheet's routes with prices in cents and their sources."""
    routes = []
    for route_id, route in sheet.routes.items():
        data = route.model_dump(mode="json")
        data["session_price"] = _money(route.session_price)
        routes.append({"id": route_id, **data})
    return _dumps({**_sheet(sheet), "routes": routes})


def render_protocols(sheet: PriceSheet) -> str:
    """The sheet's protocols, each phase with its schedule in words."""
    protocols = []
    for protocol_id, protocol in sheet.protocols.items():
        data = protocol.model_dump(mode="json", exclude={"phases"})
        data["phases"] = [
            {**p.model_dump(mode="json", exclude_none=True), "schedule": schedule(p, None)}
            for p in protocol.phases
        ]
        protocols.append({"id": protocol_id, **data})
    return _dumps({**_sheet(sheet), "protocols": protocols})


def render_addons(sheet: PriceSheet) -> str:
    """The sheet's add-ons with prices in cents and their sources."""
    addons = []
    for addon_id, addon in sheet.addons.items():
        data = addon.model_dump(mode="json")
        data["price"] = _money(addon.price)
        addons.append({"id": addon_id, **data})
    return _dumps({**_sheet(sheet), "addons": addons})
