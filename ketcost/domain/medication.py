"""The medication a route's session bills beside the visit, by the unit, and its manufacturer's
savings program."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ketcost.domain.sourced import CLOSED, Milligrams, ServiceCode, Sourced, Url, sourced_codes
from ketcost.domain.values import Amount, PositiveMoney, Text


@dataclass(frozen=True, slots=True, kw_only=True)
class SavingsProgram:
    """A manufacturer's savings program for the medication: commercial insurance only; the
    patient's share of the medication at most `per_treatment`, up to a yearly maximum."""

    __pydantic_config__ = CLOSED

    label: Text
    per_treatment: Amount
    yearly_max: Amount | None = None  # None: not published with a date; --savings-cap gives it
    source: Text
    url: Url
    retrieved: date  # the day the (undated) page was read


@dataclass(frozen=True, slots=True, kw_only=True)
class Medication(Sourced):
    """The medicine a route's session bills beside the visit, by the unit (a nasal spray device,
    a vial): each session's dose, in mg, takes as many whole units as it needs."""

    __pydantic_config__ = CLOSED

    label: Text
    unit_price: PositiveMoney
    mg_per_unit: Milligrams
    doses_mg: Annotated[tuple[Milligrams, ...], Field(min_length=1)]
    first_dose_mg: Milligrams
    benefit: Literal["pharmacy", "medical"] = "pharmacy"
    service_codes: tuple[ServiceCode, ...] = ()
    service_codes_source: Text | None = None
    savings_program: SavingsProgram | None = None
    # The visit's own service code at each dose, when it depends on the dose (Medicare's G2082
    # up to 56 mg, G2083 over): a Good Faith Estimate lists the sessions under each.
    visit_codes: Mapping[Milligrams, ServiceCode] = field(default_factory=dict)

    def units(self, mg: int) -> int:
        """The whole units a dose of `mg` takes."""
        return -(-mg // self.mg_per_unit)


def medication_rules(medication: Medication) -> Medication:
    """A medication in a sheet file: its doses in order, the first among them, sourced codes."""
    if list(medication.doses_mg) != sorted(set(medication.doses_mg)):
        raise ValueError("doses_mg lists each dose once, smallest first (e.g. [56, 84])")
    if medication.first_dose_mg not in medication.doses_mg:
        raise ValueError(f"first_dose_mg {medication.first_dose_mg} is not one of doses_mg")
    if medication.visit_codes and set(medication.visit_codes) != set(medication.doses_mg):
        raise ValueError("visit_codes names a code for each of doses_mg, and only those")
    sourced_codes(medication.service_codes, medication.service_codes_source)
    return medication


CheckedMedication = Annotated[Medication, AfterValidator(medication_rules)]
