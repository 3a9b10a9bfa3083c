"""The insurance options, declared once: `cli.options` adds them to every command that prices a
plan, after the schedule and cost options."""

from typing import Annotated, Any

import typer

from ketcost.domain.payers import PAYERS

INSURANCE_OPTIONS: dict[str, Any] = {
    "payer": Annotated[
        str | None,
        typer.Option(
            metavar="|".join(PAYERS),
            help="Who pays: self-pay (no insurance), a commercial plan (its terms as given), "
            "medicare (Original Medicare Part B: the 2026 deductible, 20%, no cap) or medicaid "
            "(covered, no deductible) [default: self-pay, or commercial with insurance terms].",
        ),
    ],
    "deductible": Annotated[
        str | None,
        typer.Option(
            metavar="AMOUNT", help="Insurance: what remains of the deductible [default: 0]."
        ),
    ],
    "coinsurance": Annotated[
        str | None,
        typer.Option(
            metavar="PCT", help="Insurance: your share after the deductible, 0–100 [default: 0]."
        ),
    ],
    "copay": Annotated[
        str | None,
        typer.Option(metavar="AMOUNT", help="Insurance: copay per covered charge [default: 0]."),
    ],
    "oop_max": Annotated[
        str | None,
        typer.Option(
            metavar="AMOUNT", help="Insurance: what remains of the out-of-pocket maximum."
        ),
    ],
    "covered": Annotated[
        bool | None,
        typer.Option(
            "--covered/--not-covered",
            help="Insurance: whether sessions are covered [default: the route's eligibility].",
        ),
    ],
    "plan_year_renews": Annotated[
        str | None,
        typer.Option(
            metavar="MM-DD",
            help="Insurance: the day the deductible and out-of-pocket maximum reset [default: "
            "01-01, January 1].",
        ),
    ],
    "annual_deductible": Annotated[
        str | None,
        typer.Option(
            metavar="AMOUNT",
            help="Insurance: the deductible after each renewal [default: --deductible].",
        ),
    ],
    "annual_oop_max": Annotated[
        str | None,
        typer.Option(
            metavar="AMOUNT",
            help="Insurance: the out-of-pocket maximum after each renewal [default: --oop-max].",
        ),
    ],
    "allowed": Annotated[
        str | None,
        typer.Option(
            metavar="AMOUNT|PCT%",
            help="Insurance: what the plan allows for each session's medical charges together "
            "(AMOUNT), or a share of each covered medical charge (PCT%) [default: the billed "
            "amount].",
        ),
    ],
    "out_of_network": Annotated[
        bool | None,
        typer.Option(
            "--out-of-network/--in-network",
            help="Insurance: an out-of-network provider bills you what the plan does not allow "
            "[default: in network: written off].",
        ),
    ],
    "savings_program": Annotated[
        bool | None,
        typer.Option(
            "--savings-program",
            help="Insurance: the medication's manufacturer savings program (commercial "
            "insurance only; esketamine: SPRAVATO withMe, as little as $10 a treatment for the "
            "medication up to a yearly maximum).",
        ),
    ],
    "savings_cap": Annotated[
        str | None,
        typer.Option(
            metavar="AMOUNT",
            help="Insurance: the savings program's yearly maximum (required: none is published "
            "with a date).",
        ),
    ],
    "authorized_months": Annotated[
        str | None,
        typer.Option(
            metavar="N",
            help="Insurance: the months from the start that prior authorization approves, 1–120; "
            "later sessions are priced as not covered [default: the whole course].",
        ),
    ],
    "rx_deductible": Annotated[
        str | None,
        typer.Option(metavar="AMOUNT", help="Insurance: the pharmacy benefit's own deductible."),
    ],
    "rx_coinsurance": Annotated[
        str | None,
        typer.Option(
            metavar="PCT", help="Insurance: the pharmacy benefit's own coinsurance, 0–100."
        ),
    ],
    "rx_copay": Annotated[
        str | None,
        typer.Option(
            metavar="AMOUNT",
            help="Insurance: the pharmacy benefit's copay per treatment (with any --rx-* "
            "option the medication uses the pharmacy terms, absent ones 0).",
        ),
    ],
}
