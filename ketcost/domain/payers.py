"""Payers: what Original Medicare and Medicaid preset for an estimate, read once from the shipped
`data/payers.toml`, where each figure has its source, address and date.

A commercial plan presets nothing: its terms are the ones given. A preset is a default; a term
the user gives wins.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal, NamedTuple

Payer = Literal["commercial", "medicare", "medicaid"]
PAYERS = ("self-pay", "commercial", "medicare", "medicaid")  # what --payer takes


class Preset(NamedTuple):
    """A payer's preset terms and where they come from."""

    label: str
    deductible: Decimal
    deductible_year: int | None
    coinsurance: Decimal
    source: str
    url: str
    published: date


@functools.cache
def presets() -> dict[str, Preset]:
    """The payers with presets (medicare, medicaid), from the shipped data file."""
    import tomllib  # here: most runs price no Medicare or Medicaid plan

    text = Path(__file__).parent.parent.joinpath("data", "payers.toml").read_text("utf-8")
    data = tomllib.loads(text, parse_float=Decimal)
    return {
        name: Preset(
            label=item["label"],
            deductible=Decimal(item["deductible"]),
            deductible_year=item.get("deductible_year"),
            coinsurance=Decimal(item["coinsurance"]),
            source=item["source"],
            url=item["url"],
            published=item["published"],
        )
        for name, item in data.items()
        if name != "accounts"
    }


class Account(NamedTuple):
    """A pre-tax account's yearly limit (self-only; `family_limit` for family coverage) and
    where it comes from."""

    label: str
    limit: Decimal
    family_limit: Decimal | None
    year: int
    source: str
    url: str
    published: date


class Deduction(NamedTuple):
    """The medical expense deduction: expenses above a share of adjusted gross income."""

    share_of_income: Decimal
    source: str
    url: str


@functools.cache
def accounts() -> tuple[dict[str, Account], Deduction]:
    """The pre-tax accounts (hsa, fsa) and the medical expense deduction, from the data file."""
    import tomllib

    text = Path(__file__).parent.parent.joinpath("data", "payers.toml").read_text("utf-8")
    data = tomllib.loads(text, parse_float=Decimal)["accounts"]
    kinds = {
        name: Account(
            label=item["label"],
            limit=Decimal(item["limit"]),
            family_limit=None if "family_limit" not in item else Decimal(item["family_limit"]),
            year=item["year"],
            source=item["source"],
            url=item["url"],
            published=item["published"],
        )
        for name, item in data.items()
        if name != "deduction"
    }
    deduction = data["deduction"]
    return kinds, Deduction(
        Decimal(deduction["share_of_income"]), deduction["source"], deduction["url"]
    )
