"""ketcost: estimate what a course of clinically supervised ketamine therapy costs, low to high.

The typed Python API: `estimate(Plan(...))` gives the same `Estimate` that `ketcost estimate
--json` prints, priced with the shipped sheet unless `sheet=` names another (a PriceSheet or a
path). Everything here is pure except reading a price sheet.
"""

from __future__ import annotations

import os

from ketcost.models import Extra, Insurance, Plan, PriceSheet, Range
from ketcost.pricing import estimate as _price
from ketcost.results import (
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
from ketcost.sheets import load_price_sheet

__version__ = "0.1.0"


def estimate(plan: Plan, sheet: PriceSheet | str | os.PathLike[str] | None = None) -> Estimate:
    """What `plan` costs, low and high: with the shipped price sheet, or `sheet` (a PriceSheet,
    or the path of a price-sheet file). Raises InputError for an unknown route, protocol or
    add-on, and SheetError for a sheet that cannot be read or is not valid."""
    if not isinstance(sheet, PriceSheet):
        sheet = load_price_sheet(sheet)
    return _price(plan, sheet)


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
    "PhaseCost",
    "Plan",
    "PlanYear",
    "PriceSheet",
    "Range",
    "SheetInfo",
    "__version__",
    "estimate",
    "load_price_sheet",
]
