"""The scenario a command prices: its options laid over a plan file, with the price sheet and
the budget to use."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ketcost.cli.options import PlanInputs, make_plan, warn_inputs
from ketcost.domain.plan import Plan
from ketcost.domain.values import parse_amount, quoted
from ketcost.errors import InputError

if TYPE_CHECKING:
    from ketcost.documents.gfe import ProviderInfo
    from ketcost.io.planfile import QuoteInfo


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything a command prices: the plan, the price sheet to use, the budget, quote details."""

    plan: Plan
    prices: str | None
    budget: Decimal | None
    quote: QuoteInfo | None  # None: no plan file, so no quote details
    provider: ProviderInfo | None = None  # a plan file's [provider], for a Good Faith Estimate
    start_given: bool = False  # False: an insured plan's start is today's date, not the user's
    warnings: tuple[str, ...] = ()  # the inputs' warnings, printed already

    def plan_to_save(self) -> Plan:
        """The plan as given, for --save-plan: without a start date it did not give."""
        return self.plan if self.start_given else self.plan.model_copy(update={"start": None})


def budget_amount(text: str | None) -> Decimal | None:
    """The --budget value as an amount."""
    if text is None:
        return None
    try:
        return parse_amount(text)
    except ValueError as error:
        raise InputError(f"invalid value {quoted(text)} for --budget: {error}") from None


def scenario(
    inputs: PlanInputs,
    *,
    route: str | None = None,
    prices: str | None = None,
    budget: str | None = None,
    installments: str | None = None,
) -> Scenario:
    """The plan file (if any) with the options laid over it. Price sheet: --prices, else the
    plan's `prices`, else $KETCOST_PRICES, else the shipped sheet."""
    limit = budget_amount(budget)
    if inputs.plan_file is None:  # the common case; plan files are read only when given
        plan = make_plan(inputs, route=route, installments=installments)
        said = warn_inputs(inputs, plan)
        chosen = prices or os.environ.get("KETCOST_PRICES") or None
        given = inputs.start is not None
        return Scenario(
            plan=plan, prices=chosen, budget=limit, quote=None, start_given=given, warnings=said
        )
    from ketcost.io.planfile import read_plan

    file = read_plan(inputs.plan_file)
    plan = make_plan(inputs, file.fields, route=route, installments=installments)
    said = warn_inputs(inputs, plan, inputs.plan_file)
    return Scenario(
        plan=plan,
        prices=prices or file.prices or os.environ.get("KETCOST_PRICES") or None,
        budget=file.budget if limit is None else limit,
        quote=file.quote,
        provider=file.provider,
        start_given=inputs.start is not None or "start" in file.fields,
        warnings=said,
    )
