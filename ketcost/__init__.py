"""ketcost: estimate what a course of clinically supervised ketamine therapy costs, low to high."""

from __future__ import annotations

from ketcost.models import Estimate, Plan, PriceSheet, Range
from ketcost.pricing import estimate
from ketcost.sheets import load_price_sheet

__version__ = "0.1.0"

__all__ = ["Estimate", "Plan", "PriceSheet", "Range", "__version__", "estimate", "load_price_sheet"]
