"""The command-line option groups that several commands share, declared once.

`plan_options` adds the schedule, cost and insurance options to a command: typer sees them in the
command's signature, and the command receives them gathered into one `PlanInputs`.
"""

import functools
import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from ketcost.cli.insurance_options import INSURANCE_OPTIONS
from ketcost.domain.payers import PAYERS
from ketcost.domain.plan import Maintenance, Plan, with_start
from ketcost.domain.values import RANGE_HELP, quoted
from ketcost.errors import InputError

RANGE = "RANGE"
INSURANCE_KEYS = (
    "covered", "deductible", "coinsurance", "copay", "oop_max",
    "plan_year_renews", "annual_deductible", "annual_oop_max", "allowed", "out_of_network",
    "rx_deductible", "rx_coinsurance", "rx_copay", "savings_program", "savings_cap",
    "authorized_months",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """The shared plan options as given on the command line (None: not given)."""

    plan_file: str | None = None
    protocol: str | None = None
    weeks: str | None = None
    per_week: str | None = None
    sessions: str | None = None
    maintenance: Maintenance | None = None
    maintenance_months: str | None = None
    months: str | None = None
    start: str | None = None
    dose: str | None = None
    medication: str | None = None
    with_: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    discount: str | None = None
    assistance: str | None = None
    ride: str | None = None
    package: str | None = None
    pretax: str | None = None
    tax_rate: str | None = None
    pretax_limit: str | None = None
    deductible: str | None = None
    coinsurance: str | None = None
    copay: str | None = None
    oop_max: str | None = None
    covered: bool | None = None
    plan_year_renews: str | None = None
    annual_deductible: str | None = None
    annual_oop_max: str | None = None
    allowed: str | None = None
    out_of_network: bool | None = None
    rx_deductible: str | None = None
    rx_coinsurance: str | None = None
    rx_copay: str | None = None
    savings_program: bool | None = None
    savings_cap: str | None = None
    authorized_months: str | None = None
    payer: str | None = None

    def plan_fields(self) -> dict[str, Any]:
        """The given values as Plan fields: insurance terms nested, empty options left out.
        `--payer self-pay` is no insurance, so it refuses insurance terms."""
        given: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None or value == () or item.name in ("plan_file", "payer"):
                continue
            if item.name in INSURANCE_KEYS:
                given.setdefault("insurance", {})[item.name] = value
            else:
                given["with" if item.name == "with_" else item.name] = value
        payer = None if self.payer is None else self.payer.strip().casefold()
        if payer is not None and payer not in PAYERS:
            raise InputError(f"invalid value {quoted(self.payer)} for --payer: {', '.join(PAYERS)}")
        if payer == "self-pay" and "insurance" in given:
            terms = ", ".join(_flag(key) for key in given["insurance"])
            raise InputError(
                f"--payer self-pay is paying without insurance, so it takes no insurance terms "
                f"({terms}); give --payer commercial, medicare or medicaid with them"
            )
        if payer not in (None, "self-pay"):
            given.setdefault("insurance", {})["payer"] = payer
        return given


def _names(kind: str, incomplete: str) -> list[str]:
    """Names from the price sheet in use ($KETCOST_PRICES, else the shipped one) that start with
    what has been typed, for shell completion; none when the sheet cannot be read."""
    from ketcost.errors import KetcostError
    from ketcost.io.sheets import load_price_sheet

    try:
        sheet = load_price_sheet(os.environ.get("KETCOST_PRICES") or None)
    except KetcostError:
        return []
    names = {
        "routes": sheet.route_names(),
        "protocols": list(sheet.protocols),
        "addons": list(sheet.addons),
    }[kind]
    return [name for name in names if name.startswith(incomplete)]


def complete_routes(incomplete: str) -> list[str]:
    """Shell completion for --route."""
    return _names("routes", incomplete)


def complete_protocols(incomplete: str) -> list[str]:
    """Shell completion for --protocol."""
    return _names("protocols", incomplete)


def complete_addons(incomplete: str) -> list[str]:
    """Shell completion for --with."""
    return _names("addons", incomplete)


def _option(*names: str, metavar: str | None = None, **kwargs: Any) -> Any:
    return typer.Option(*names, metavar=metavar, **kwargs)


_SHARED: dict[str, Any] = {
    "plan_file": Annotated[
        str | None,
        _option(
            "--plan",
            metavar="FILE",
            help="A plan file (see `ketcost plan init`); options given here override it.",
        ),
    ],
    "protocol": Annotated[
        str | None,
        _option(
            "--protocol",
            "-p",
            metavar="NAME",
            autocompletion=complete_protocols,
            help="Protocol (see `ketcost protocols`) [default: the route's own: spravato-label "
            "for esketamine, standard for IV and oral].",
        ),
    ],
    "weeks": Annotated[
        str | None,
        _option(
            metavar=RANGE, help=f"Weeks of the induction (its first phase): {RANGE_HELP}, 1–52."
        ),
    ],
    "per_week": Annotated[
        str | None,
        _option(metavar=RANGE, help=f"Sessions a week in the first phase: {RANGE_HELP}, 1–7."),
    ],
    "sessions": Annotated[
        str | None,
        _option(
            metavar=RANGE, help=f"A fixed session count for the first phase: {RANGE_HELP}, 1–100."
        ),
    ],
    "maintenance": Annotated[
        Maintenance | None,
        _option(
            case_sensitive=False,
            help="Maintenance frequency (monthly-biweekly: monthly low, every 2 weeks high).",
        ),
    ],
    "maintenance_months": Annotated[
        str | None,
        _option(
            metavar="N",
            help="Months of maintenance after the induction, 0–120 [default: 0: none].",
        ),
    ],
    "months": Annotated[
        str | None,
        _option(
            metavar="N",
            help="The whole course in months from the first session, 1–120; maintenance fills "
            "what the induction leaves (not with --maintenance-months).",
        ),
    ],
    "start": Annotated[
        str | None,
        _option(metavar="DATE", help="The date of the first session, YYYY-MM-DD."),
    ],
    "dose": Annotated[
        str | None,
        _option(
            metavar="MG",
            help="The dose the clinician sets, in mg, for a route whose medication is billed by "
            "the dose (esketamine: 56, 84 or 56-84) [default: the label's: 56 mg first, then "
            "56 mg low and 84 mg high].",
        ),
    ],
    "medication": Annotated[
        str | None,
        _option(
            metavar="separate|included",
            help="Whether the medication is billed beside the session (separate) or the "
            "clinic's session price includes it (included) [default: separate].",
        ),
    ],
    "with_": Annotated[
        list[str] | None,
        _option(
            "--with",
            metavar="ADDON",
            autocompletion=complete_addons,
            help="Add a price-sheet add-on, e.g. consultation (repeatable).",
        ),
    ],
    "extra": Annotated[
        list[str] | None,
        _option(
            metavar="LABEL=RANGE/session|course",
            help='An add-on not in the sheet, e.g. "psychotherapy=150-250/session" (repeatable).',
        ),
    ],
    "discount": Annotated[
        str | None,
        _option(metavar="PCT", help="Package or sliding-scale discount on session fees, 0–100."),
    ],
    "assistance": Annotated[
        str | None,
        _option(metavar="AMOUNT", help="Financial assistance or a grant; lowers what you pay."),
    ],
    "package": Annotated[
        str | None,
        _option(
            metavar="NAME",
            help="A clinic package in the price sheet: its first sessions at the package price.",
        ),
    ],
    "pretax": Annotated[
        str | None,
        _option(metavar="hsa|fsa", help="Pay from a pre-tax account: shows the cost after tax."),
    ],
    "tax_rate": Annotated[
        str | None,
        _option(metavar="PCT", help="With --pretax: your federal plus state tax rate, 0–100."),
    ],
    "pretax_limit": Annotated[
        str | None,
        _option(metavar="AMOUNT", help="With --pretax: what the account holds a year."),
    ],
    "ride": Annotated[
        str | None,
        _option(metavar="AMOUNT", help="A ride to and from each session (never covered)."),
    ],
    **INSURANCE_OPTIONS,
}


def plan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give `command` the shared options; it receives them as its `inputs: PlanInputs`."""
    signature = inspect.signature(command, eval_str=True)
    own = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for p in signature.parameters.values()
        if p.name != "inputs"
    ]
    shared = {
        name: inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=hint, default=None)
        for name, hint in _SHARED.items()
    }
    # Help lists the route and the schedule first, then costs and insurance, then files and
    # formats.
    first = [p for p in own if p.name == "route"]
    rest = [p for p in own if p.name != "route"]
    ordered = [
        *first,
        *(shared[name] for name in _SHARED if name != "plan_file"),
        shared["plan_file"],
        *rest,
    ]

    @functools.wraps(command)
    def run(**kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _SHARED}
        for name in ("with_", "extra"):
            values[name] = tuple(values[name] or ())
        return command(inputs=PlanInputs(**values), **kwargs)

    # typer reads a command's parameters from its signature, and their types from its
    # annotations: given as the objects, not the command's own (strings, under `from __future__
    # import annotations`), which typer would evaluate again on every run.
    run.__signature__ = signature.replace(parameters=ordered)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in ordered}
    run.__annotations__["return"] = signature.return_annotation
    return run


def _flag(field: str) -> str:
    return "--" + {"with_": "with", "plan_file": "plan"}.get(field, field).replace("_", "-")


def make_plan(inputs: PlanInputs, base: dict[str, Any] | None = None, **more: Any) -> Plan:
    """A Plan from a plan file's fields (`base`) overridden by option values; a bad option value
    becomes one InputError naming the option."""
    given = {**(base or {}), **inputs.plan_fields(), **{k: v for k, v in more.items() if v}}
    if base and isinstance(base.get("insurance"), dict) and "insurance" in given:
        given["insurance"] = {**base["insurance"], **given["insurance"]}
    # A course length given as an option replaces the plan file's, whichever kind that is.
    if base and inputs.months is not None and inputs.maintenance_months is None:
        given.pop("maintenance_months", None)
    if base and inputs.maintenance_months is not None and inputs.months is None:
        given.pop("months", None)
    try:
        return with_start(Plan(**given))
    except ValidationError as error:
        raise option_error(error, given) from None


def input_warnings(inputs: PlanInputs, plan: Plan, plan_file: str | None = None) -> list[str]:
    """Lines for values that are valid but probably not meant: a share written as a fraction
    (0.2 for 20%) on the command line or in the plan file, or --covered with no terms
    (insurance would then pay everything)."""
    lines = []
    coinsurance = plan.insurance.coinsurance if plan.insurance is not None else None
    shares: list[tuple[str, str | None, Decimal | None]] = [
        ("coinsurance", inputs.coinsurance, coinsurance),
        ("discount", inputs.discount, plan.discount),
    ]
    for key, given, value in shares:
        if value is None or not 0 < value < 1:
            continue
        if given is not None:
            written = f"--{key} {given.strip()}"
        elif plan_file is not None:
            written = f"{plan_file}: {key} = {value}"
        else:
            continue
        meant = (value * 100).normalize()
        lines.append(f"{written} means {value}%, not {meant:f}%; write {meant:f} for {meant:f}%")
    terms = plan.insurance
    if inputs.covered and terms is not None and _no_terms(terms):
        lines.append(
            "--covered with no deductible, coinsurance or copay: insurance then pays "
            "every covered charge in full; give --deductible and --coinsurance for your plan"
        )
    return lines


def _no_terms(terms: Any) -> bool:
    return not (terms.deductible or terms.coinsurance or terms.copay or terms.oop_max is not None)


def option_error(error: ValidationError, given: dict[str, Any]) -> InputError:
    """The first problem in `error` as one line naming the option and the value given for it;
    insurance terms, nested in `given`, are options of their own."""
    detail = error.errors()[0]
    message = detail["msg"].removeprefix("Value error, ")
    loc = detail["loc"]
    if not loc:
        return InputError(message)
    field = str(loc[1] if loc[0] == "insurance" and len(loc) > 1 else loc[0])
    raw = given.get("insurance", {}) if loc[0] == "insurance" else given
    value = raw.get(field, detail["input"])
    if len(loc) > 1 and isinstance(loc[1], int) and isinstance(value, list | tuple):
        value = value[loc[1]]
    return InputError(f"invalid value {quoted(value)} for {_flag(field)}: {message}")


def warn_inputs(inputs: PlanInputs, plan: Plan, plan_file: str | None = None) -> tuple[str, ...]:
    """Print a warning line for each value likely misread; the lines (without `warning: `)."""
    lines = tuple(input_warnings(inputs, plan, plan_file))
    for line in lines:
        typer.echo(f"warning: {line}", err=True)
    return lines
