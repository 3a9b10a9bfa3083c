"""ketcost: estimate what a course of clinically supervised ketamine therapy costs, low to high.

The typed Python API: `estimate(Plan(...))` gives the same `Estimate` that `ketcost estimate
--json` prints, priced with the shipped sheet unless `sheet=` names another (a PriceSheet or a
path). Everything here is pure except reading a price sheet, and today's date for an insured
plan that gives no start date (its plan years follow the calendar; $KETCOST_TODAY pins it).

The names below are loaded when first used (PEP 562), so that importing a part of ketcost, as
the command line does before it knows its command, does not import the whole engine.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ketcost.api import price_records, price_table
    from ketcost.domain.plan import Extra, Insurance, Plan
    from ketcost.domain.result import (
        CaseCount,
        Cases,
        Count,
        Estimate,
        Installments,
        InsuranceResult,
        LineItem,
        Money,
        PhaseCost,
        PlanYear,
        SheetInfo,
    )
    from ketcost.domain.sheet import PriceSheet
    from ketcost.domain.values import Range
    from ketcost.io.records import Outcome
    from ketcost.io.sheets import load_price_sheet

__version__ = "0.1.0"

# Each public name and the module it comes from.
_MODELS = ("Extra", "Insurance", "Plan")
_RESULTS = (
    "CaseCount", "Cases", "Count", "Estimate", "Installments", "InsuranceResult", "LineItem",
    "Money",
    "Outcome", "PhaseCost", "PlanYear", "SheetInfo",
)  # fmt: skip
_WHERE = {
    **dict.fromkeys(_MODELS, "ketcost.domain.plan"),
    **dict.fromkeys(_RESULTS, "ketcost.domain.result"),
    "Range": "ketcost.domain.values",
    "PriceSheet": "ketcost.domain.sheet",
    "load_price_sheet": "ketcost.io.sheets",
    "Outcome": "ketcost.io.records",
    "price_records": "ketcost.api",
    "price_table": "ketcost.api",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value  # found once; later lookups are plain attribute reads
        return value
    raise AttributeError(f"module 'ketcost' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def estimate(plan: Plan, sheet: PriceSheet | str | os.PathLike[str] | None = None) -> Estimate:
    """What `plan` costs, low and high: with the shipped price sheet, or `sheet` (a PriceSheet,
    or the path of a price-sheet file). Raises InputError for an unknown route, protocol or
    add-on, and SheetError for a sheet that cannot be read or is not valid."""
    from ketcost.domain.plan import Plan, with_start
    from ketcost.domain.sheet import PriceSheet
    from ketcost.engine import estimate as price
    from ketcost.io.sheets import load_price_sheet

    if not isinstance(plan, Plan):
        raise TypeError(f"estimate() takes a ketcost.Plan, not {type(plan).__name__}")
    if not isinstance(sheet, PriceSheet):
        sheet = load_price_sheet(sheet)
    return price(with_start(plan), sheet)


__all__ = [
    "CaseCount",
    "Cases",
    "Count",
    "Estimate",
    "Extra",
    "Installments",
    "Insurance",
    "InsuranceResult",
    "LineItem",
    "Money",
    "Outcome",
    "PhaseCost",
    "Plan",
    "PlanYear",
    "PriceSheet",
    "Range",
    "SheetInfo",
    "__version__",
    "estimate",
    "load_price_sheet",
    "price_records",
    "price_table",
]
