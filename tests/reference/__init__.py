"""The differential test's reference: the engine as it was before integer cents, kept in the
tests so the fast engine never costs a cent.

`pricing`, `payment` and `planyear` here are the straightforward Decimal and Fraction engine:
every charge walked in Decimal, sessions counted with exact fractions, results as pydantic models
written with `model_dump` and `json.dumps`. `ketcost` itself must write exactly these bytes.
"""

from __future__ import annotations

import json

from ketcost.models import Plan
from ketcost.pricesheet import PriceSheet

from . import pricing


def estimate_json(plan: Plan, sheet: PriceSheet) -> str:
    """The estimate as compact JSON, as the batch command writes it."""
    result = pricing.estimate(plan, sheet)
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
