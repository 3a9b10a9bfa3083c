"""The No Surprises Act's rules for self-pay patients, as ketcost applies them: when a Good Faith
Estimate is due (45 CFR 149.610) and when a bill may be disputed (45 CFR 149.620). Pure: no I/O.

Sources: 45 CFR 149.620 (a bill "substantially in excess": at least $400 more than one provider's
expected charges); CMS, www.cms.gov/nosurprises/consumers (a bill dated within the last 120
calendar days; a $25 fee to start the process); DuPage County Health Department's PPDR page
(2023-04-24: "There is a $25 non-refundable fee to initiate this process")."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ketcost.errors import InputError

DISPUTE_THRESHOLD = Decimal(400)  # 45 CFR 149.620: at least $400 over one provider's charges
DISPUTE_DAYS = 120  # calendar days from the bill's date to start dispute resolution
DISPUTE_FEE = Decimal(25)  # the administrative fee to start it, not refunded
DISPUTE_RULE = "45 CFR 149.620"
DISPUTE_PAGE = "https://www.cms.gov/nosurprises/consumers"
WHERE_TO_DISPUTE = (
    "To learn how to start patient-provider dispute resolution, visit www.cms.gov/nosurprises "
    "or call the No Surprises Help Desk at 1-800-985-3059."
)
FEE_NOTE = (
    f"Starting the process costs a ${DISPUTE_FEE} administrative fee, which is not refunded "
    f"({DISPUTE_RULE}; {DISPUTE_PAGE})."
)
# When a provider must give the estimate (45 CFR 149.610(b)), as CMS's notice to patients says it.
TIMING = (
    "When a service is scheduled at least 3 business days ahead, the Good Faith Estimate is due "
    "within 1 business day of scheduling; at least 10 business days ahead, within 3 business "
    "days of scheduling; and within 3 business days of a request."
)
OLDEST_BIRTH = date(1900, 1, 1)


def last_day_to_dispute(bill_date: date) -> date:
    """The last day dispute resolution can be started for a bill dated `bill_date`."""
    return bill_date + timedelta(days=DISPUTE_DAYS)


def bill_dates(bill_date: date, issued: date, today: date, what: str) -> None:
    """A bill checked against an estimate comes after the estimate and is not from the future;
    else an InputError saying which date is wrong."""
    if bill_date < issued:
        raise InputError(
            f"--bill-date {bill_date.isoformat()} is before {what} was issued "
            f"({issued.isoformat()}): a bill is checked against the estimate it followed"
        )
    if bill_date > today:
        raise InputError(
            f"--bill-date {bill_date.isoformat()} is after today ({today.isoformat()}); give "
            "the date printed on the bill"
        )


def gfe_dates(issued: date, scheduled: date | None, birth: date | None) -> None:
    """A Good Faith Estimate's dates: care scheduled on or after the day it is issued, a date of
    birth from 1900 to the issue date; else an InputError naming the value."""
    if scheduled is not None and scheduled < issued:
        raise InputError(
            f"--scheduled {scheduled.isoformat()} is before the Good Faith Estimate's issue date "
            f"({issued.isoformat()}): it estimates care still to come"
        )
    if birth is not None and not OLDEST_BIRTH <= birth <= issued:
        raise InputError(
            f"--client-dob {birth.isoformat()} is not a date of birth: give one from "
            f"{OLDEST_BIRTH.isoformat()} to {issued.isoformat()}"
        )
