"""The assumption lines of what a patient pays beside the sessions and insurance: a clinic
package, a ride to each session, money from a pre-tax account."""

from __future__ import annotations

from decimal import Decimal

from ketcost import wording
from ketcost.domain.money import cents, decimal
from ketcost.domain.payers import accounts
from ketcost.domain.plan import Plan
from ketcost.domain.sheet import Route

PRETAX_LIMIT_OPTION = " (--pretax-limit sets what yours holds)"


def pretax_lines(plan: Plan, currency: str, years: int) -> tuple[str, ...]:
    """Paying from a pre-tax account: what it is, its limit and where the limit comes from, and
    the deduction as the alternative."""
    if plan.pretax is None or plan.tax_rate is None:
        return ()
    kinds, deduction = accounts()
    account = kinds[plan.pretax]
    if plan.pretax_limit is not None:
        limit = f"the {wording.money(decimal(cents(plan.pretax_limit)), currency)} it holds"
    else:
        limit = f"its {account.year} limit of {wording.money(account.limit, currency)}"
        if account.family_limit is not None:
            family = wording.money(account.family_limit, currency)
            limit += f" for self-only coverage ({family} for family coverage)"
        limit += PRETAX_LIMIT_OPTION
    each = "in each plan year" if years > 1 else "for the course"
    return (
        f"Paid from an {plan.pretax.upper()} ({account.label}): medical care is an eligible "
        "expense (IRS Publication 502); confirm with your plan what it pays for. The account "
        f"pays at most {limit} {each}, and what it pays saves your tax rate of "
        f"{wording.number(plan.tax_rate)}% on it. Source: {account.source} <{account.url}>",
        "Instead, medical expenses above "
        f"{wording.number(deduction.share_of_income)}% of adjusted gross income may be "
        "deducted on Schedule A (IRS Publication 502): an alternative for large "
        "out-of-pocket costs. This is not tax advice.",
    )


def package_line(route: Route, name: str | None, currency: str) -> str | None:
    """The clinic package priced: what it costs, what it pays for, where the figure is from."""
    found = None if name is None else route.find_package(name)
    if found is None:
        return None
    source = found.source.rstrip(". ")
    if found.url:
        source += f" <{found.url}>"
    return (
        f"The package {found.label} is {wording.money(found.price, currency)} for the course's "
        f"first {found.sessions} sessions, in place of their fees (source: {source})."
    )


RIDE_UNPRICED = "; its cost is not included (--ride AMOUNT adds it per session)."


def ride_line(route: Route, ride: Decimal | None, currency: str) -> str | None:
    """A route after which the patient may not drive: every session needs a ride."""
    if not route.needs_ride:
        return None
    source = (route.needs_ride_source or "").rstrip(". ")
    line = f"Every session needs a ride home ({source})"
    if ride is None:
        return line + RIDE_UNPRICED
    return line + f"; it is priced at {wording.money(decimal(cents(ride)), currency)} a session."
