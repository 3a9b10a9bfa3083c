"""JSON Schemas (draft 2020-12) generated from the models, for plans, estimates and price sheets.

The models accept friendlier input than their own field types say (`"2-4"` for a range, `"1,000"`
for an amount); the plan schema is widened to match, so that every input the CLI accepts is valid.
"""

from __future__ import annotations

import json
from typing import Any

from ketcost.models import Estimate, Plan, PriceSheet
from ketcost.planfile import QuoteInfo

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


def plan_schema() -> dict[str, Any]:
    """A plan file or a batch record."""
    schema = Plan.model_json_schema(by_alias=True)
    props = schema["properties"]
    for key in ("weeks", "per_week", "sessions"):
        props[key] = {"anyOf": [_RANGE_INPUT, {"type": "null"}], "default": None}
    props["maintenance_months"] = {
        "anyOf": [_WHOLE, {"type": "string", "pattern": r"^\s*[0-9]+\s*$"}],
        "default": 0,
    }
    props["installments"]["anyOf"].insert(1, {"type": "string", "pattern": r"^\s*[0-9]+\s*$"})
    props["extra"]["items"] = {"anyOf": [_EXTRA_TEXT, {"$ref": "#/$defs/Extra"}]}
    quote = QuoteInfo.model_json_schema()
    schema["$defs"]["QuoteInfo"] = quote
    props["prices"] = {"type": "string", "description": "A price sheet, relative to the plan."}
    props["budget"] = props["assistance"] | {"default": None}
    props["quote"] = {"$ref": "#/$defs/QuoteInfo"}
    props["id"] = {"description": "Batch records only: echoed in the output."}
    return schema


def estimate_schema() -> dict[str, Any]:
    """What `estimate --json` prints (and each item of `compare --json` and `batch`)."""
    schema = Estimate.model_json_schema(mode="serialization")
    _drop_closed(schema)
    schema["properties"]["id"] = {"description": "Batch output only: the record's id."}
    return schema


def price_sheet_schema() -> dict[str, Any]:
    """A price-sheet file: ranges may also be written as one number or [low, high]."""
    schema = PriceSheet.model_json_schema(by_alias=True)
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


_SCHEMAS = {"plan": plan_schema, "estimate": estimate_schema, "price-sheet": price_sheet_schema}


def schema(name: str) -> dict[str, Any]:
    """The named schema with its dialect."""
    return {"$schema": DIALECT, **_SCHEMAS[name]()}


def schema_json(name: str) -> str:
    """The named schema as JSON text."""
    return json.dumps(schema(name), indent=2, ensure_ascii=False) + "\n"
