"""JSON Schemas (draft 2020-12) generated from the models, for plans, estimates and price sheets.

The models accept friendlier input than their own field types say (`"2-4"` for a range, `"1,000"`
for an amount); the plan schema is widened to match, so that every input the CLI accepts is valid.
"""

from __future__ import annotations

import json
from typing import Any

from ketcost.domain.plan import (
    INSTALLMENTS_BOUNDS,
    MAINTENANCE_MONTHS_BOUNDS,
    MONTHS_BOUNDS,
    PER_WEEK_BOUNDS,
    SESSIONS_BOUNDS,
    WEEKS_BOUNDS,
    Plan,
)
from ketcost.domain.result import Estimate
from ketcost.domain.values import MAX_AMOUNT
from ketcost.io.planfile import QuoteInfo

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_WHOLE = {"type": "integer", "minimum": 0}
_RANGE_INPUT = {
    "description": "A whole number N, a range 'A-B', or [A, B].",
    "anyOf": [
        _WHOLE,
        {"type": "string", "pattern": r"^\s*[0-9]+\s*([-–]\s*[0-9]+\s*)?$"},
        {"type": "array", "items": _WHOLE, "minItems": 2, "maxItems": 2},
    ],
}
_EXTRA_TEXT = {
    "type": "string",
    "pattern": r"^[^=]+=\s*\$?[0-9]+(\.[0-9]{1,2})?"
    r"(\s*[-–]\s*\$?[0-9]+(\.[0-9]{1,2})?)?\s*/\s*(session|course)\s*$",
    "description": "LABEL=PRICE/session or LABEL=LOW-HIGH/course",
}


def _drop_closed(node: Any) -> None:
    """Results may gain keys in later versions: consumers must not reject unknown keys."""
    if isinstance(node, dict):
        node.pop("additionalProperties", None)
        for value in node.values():
            _drop_closed(value)
    elif isinstance(node, list):
        for value in node:
            _drop_closed(value)


def _whole_in(bounds: tuple[int, int]) -> dict[str, Any]:
    low, high = bounds
    return {
        "anyOf": [
            {"type": "integer", "minimum": low, "maximum": high},
            {"type": "string", "pattern": r"^\s*[0-9]+\s*$"},
            {"type": "null"},
        ],
        "description": f"A whole number from {low} to {high}.",
        "default": None,
    }


def _range_in(bounds: tuple[int, int]) -> dict[str, Any]:
    low, high = bounds
    whole = {"type": "integer", "minimum": low, "maximum": high}
    return {
        "description": f"A whole number N, a range 'A-B', or [A, B], from {low} to {high}.",
        "anyOf": [
            whole,
            {"type": "string", "pattern": r"^\s*[0-9]+\s*([-–]\s*[0-9]+\s*)?$"},
            {"type": "array", "items": whole, "minItems": 2, "maxItems": 2},
            {"type": "null"},
        ],
        "default": None,
    }


_AMOUNT = {
    "description": f"An amount from 0 to {MAX_AMOUNT:,} in whole cents: 1000, 1,000 or 250.50.",
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": int(MAX_AMOUNT)},
        {"type": "string", "pattern": r"^\s*\$?\s*[0-9][0-9,]*(\.[0-9]{1,2})?\s*$"},
    ],
}
_PERCENT = {
    "description": "A percentage from 0 to 100: 20 or 20%.",
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": 100},
        {"type": "string", "pattern": r"^\s*[0-9]+(\.[0-9]{1,2})?\s*%?\s*$"},
    ],
}
_DATE = {"type": "string", "pattern": r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$"}


def _insurance(schema: dict[str, Any]) -> None:
    props = schema["$defs"]["Insurance"]["properties"]
    for key in ("deductible", "copay"):
        props[key] = _AMOUNT | {"default": 0}
    for key in ("oop_max", "annual_deductible", "annual_oop_max"):
        props[key] = {"anyOf": [*_AMOUNT["anyOf"], {"type": "null"}], "default": None}
    props["coinsurance"] = _PERCENT | {"default": 0}
    props["plan_year_renews"] = {
        "anyOf": [{"type": "string", "pattern": r"^\s*[0-9]{2}-[0-9]{2}\s*$"}, {"type": "null"}],
        "description": "The day the deductible and out-of-pocket maximum reset, MM-DD.",
        "default": None,
    }


def plan_schema() -> dict[str, Any]:
    """A plan file or a batch record, with the bounds the validator enforces."""
    schema = Plan.model_json_schema(by_alias=True)
    props = schema["properties"]
    props["weeks"] = _range_in(WEEKS_BOUNDS)
    props["per_week"] = _range_in(PER_WEEK_BOUNDS)
    props["sessions"] = _range_in(SESSIONS_BOUNDS)
    props["maintenance_months"] = _whole_in(MAINTENANCE_MONTHS_BOUNDS)
    props["months"] = _whole_in(MONTHS_BOUNDS)
    props["installments"] = _whole_in(INSTALLMENTS_BOUNDS)
    props["start"] = {"anyOf": [_DATE, {"type": "null"}], "default": None}
    props["discount"] = _PERCENT | {"default": 0}
    props["assistance"] = _AMOUNT | {"default": 0}
    for key in ("ride", "pretax_limit"):
        props[key] = {"anyOf": [*_AMOUNT["anyOf"], {"type": "null"}], "default": None}
    props["tax_rate"] = {"anyOf": [*_PERCENT["anyOf"], {"type": "null"}], "default": None}
    _insurance(schema)
    schema["not"] = {
        "required": ["months", "maintenance_months"],
        "description": "months (the whole course) and maintenance_months exclude each other",
    }
    props["extra"]["items"] = {"anyOf": [_EXTRA_TEXT, {"$ref": "#/$defs/Extra"}]}
    quote = QuoteInfo.model_json_schema()
    schema["$defs"]["QuoteInfo"] = quote
    props["prices"] = {"type": "string", "description": "A price sheet, relative to the plan."}
    props["budget"] = {"anyOf": [*_AMOUNT["anyOf"], {"type": "null"}], "default": None}
    props["quote"] = {"$ref": "#/$defs/QuoteInfo"}
    props["id"] = {"description": "Batch records only: echoed in the output."}
    return schema


def estimate_schema() -> dict[str, Any]:
    """What `estimate --json` prints (and each item of `compare --json` and `batch`)."""
    from pydantic import TypeAdapter

    schema: dict[str, Any] = TypeAdapter(Estimate).json_schema(mode="serialization")
    _drop_closed(schema)
    schema["properties"]["id"] = {"description": "Batch output only: the record's id."}
    for key in ("budget", "pre_tax"):  # null if none
        schema["required"].insert(schema["required"].index("disclaimer"), key)
    return schema


def timeline_schema() -> dict[str, Any]:
    """What `timeline --json` prints: the estimate's headline keys and the months."""
    from ketcost.engine.timeline import Month

    estimate = estimate_schema()
    month = Month.model_json_schema(mode="serialization")
    defs = {**estimate.get("$defs", {}), **month.pop("$defs", {}), "Month": month}
    keys = ("schema_version", "currency", "route", "protocol")
    totals = ("total", "out_of_pocket", "installments", "warnings", "budget", "disclaimer")
    properties = {
        **{key: estimate["properties"][key] for key in keys},
        "months": {"type": "array", "items": {"$ref": "#/$defs/Month"}},
        **{key: estimate["properties"][key] for key in totals},
    }
    schema = {
        "title": "Timeline",
        "type": "object",
        "properties": properties,
        "required": [*keys, "months", "total", "out_of_pocket", "warnings", "disclaimer"],
        "$defs": defs,
    }
    _drop_closed(schema)
    return schema


def quote_schema() -> dict[str, Any]:
    """What `quote -f json` writes: a Good Faith Estimate, or a counselor's estimate."""
    from ketcost.documents.gfe import EstimateDocument, GoodFaithEstimate

    gfe = GoodFaithEstimate.model_json_schema(mode="serialization")
    estimate = EstimateDocument.model_json_schema(mode="serialization")
    defs = {**gfe.pop("$defs", {}), **estimate.pop("$defs", {})}
    defs["GoodFaithEstimate"], defs["EstimateDocument"] = gfe, estimate
    schema = {
        "title": "Quote",
        "anyOf": [{"$ref": "#/$defs/GoodFaithEstimate"}, {"$ref": "#/$defs/EstimateDocument"}],
        "$defs": defs,
    }
    _drop_closed(schema)
    return schema


def price_sheet_schema() -> dict[str, Any]:
    """A price-sheet file: ranges may also be written as one number or [low, high]."""
    from ketcost.domain.sheet import PriceSheet
    from ketcost.io.sheetfile import validator

    schema: dict[str, Any] = validator(PriceSheet).json_schema(by_alias=True)
    for name, definition in schema["$defs"].items():
        if name.startswith("Range_"):
            number = {"type": "number"}
            schema["$defs"][name] = {
                "description": "One number, [low, high], or {low, high}.",
                "anyOf": [
                    number,
                    {"type": "array", "items": number, "minItems": 2, "maxItems": 2},
                    definition,
                ],
            }
    return schema


def check_bill_schema() -> dict[str, Any]:
    """What `check-bill --json` prints: amounts as text with two decimals."""
    from ketcost.documents.bill import BillCheck

    schema: dict[str, Any] = BillCheck.model_json_schema(mode="serialization")
    return schema


_SCHEMAS = {
    "plan": plan_schema,
    "estimate": estimate_schema,
    "timeline": timeline_schema,
    "quote": quote_schema,
    "price-sheet": price_sheet_schema,
    "check-bill": check_bill_schema,
}


def schema(name: str) -> dict[str, Any]:
    """The named schema with its dialect."""
    return {"$schema": DIALECT, **_SCHEMAS[name]()}


def schema_json(name: str) -> str:
    """The named schema as JSON text."""
    return json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"
