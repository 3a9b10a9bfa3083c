"""ketcost: estimate what a course of clinically supervised ketamine therapy costs, low to high.

The typed Python API: `estimate(Plan(...), load_price_sheet())` gives the same `Estimate` that
`ketcost estimate --json` prints. Everything here is pure except `load_price_sheet`, which reads.
"""

from __future__ import annotations

from ketcost.models import (
    Cases,
    Estimate,
    Extra,
    Installments,
    Insurance,
    InsuranceResult,
    LineItem,
    PhaseCost,
    Plan,
    PriceSheet,
    Range,
    SheetInfo,
)
from ketcost.pricing import estimate
from ketcost.sheets import load_price_sheet

__version__ = "0.1.0"

__all__ = [
    "Cases",
    "Estimate",
    "Extra",
    "Installments",
    "Insurance",
    "InsuranceResult",
    "LineItem",
    "PhaseCost",
    "Plan",
    "PriceSheet",
    "Range",
    "SheetInfo",
    "__version__",
    "estimate",
    "load_price_sheet",
]
