"""Reading a price-sheet file: its TOML validated into `ketcost.domain.sheet.PriceSheet` by
pydantic, from the rules the sheet's own classes carry, with every problem said per key.

Only a run that reads a sheet (the shipped one included, once per process) imports this module.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

from pydantic import AfterValidator, TypeAdapter, ValidationError

from ketcost.domain.sheet import PriceSheet
from ketcost.errors import SheetError
from ketcost.io.sheetproblems import (
    CrossReferenceError,
    raw_reference_problems,
    reference_problems,
    sheet_problems,
)
from ketcost.io.sheets import TOO_DEEP, load_toml


def _references(sheet: PriceSheet) -> PriceSheet:
    """What spans the sheet: names used once, and every route, protocol or default it names
    defined."""
    problems = reference_problems(
        {rid: list(r.aliases) for rid, r in sheet.routes.items()},
        {pid: p.route for pid, p in sheet.protocols.items()},
    )
    for route_id, route in sheet.routes.items():
        if route.default_protocol is not None and route.default_protocol not in sheet.protocols:
            problems.append(
                (
                    f"routes.{route_id}.default_protocol",
                    f"unknown protocol {route.default_protocol!r}; "
                    f"protocols: {', '.join(sheet.protocols) or 'none'}",
                )
            )
    for protocol_id, protocol in sheet.protocols.items():
        for name in protocol.addons:
            if name not in sheet.addons:
                problems.append(
                    (
                        f"protocols.{protocol_id}.addons",
                        f"unknown add-on {name!r}; add-ons: {', '.join(sheet.addons) or 'none'}",
                    )
                )
    for addon_id, addon in sheet.addons.items():
        for name in addon.insurance_eligible_routes:
            if name not in sheet.routes:
                problems.append(
                    (
                        f"addons.{addon_id}.insurance_eligible_routes",
                        f"unknown route {name!r}; routes: {', '.join(sheet.routes)}",
                    )
                )
    if problems:
        raise CrossReferenceError(problems)
    return sheet


SheetFile = Annotated[PriceSheet, AfterValidator(_references)]


@functools.cache
def validator(kind: Any) -> TypeAdapter[Any]:
    """pydantic's validator for a sheet class (or an annotated one), built once per process."""
    return TypeAdapter(kind)


def validated(kind: Any, data: Any) -> Any:
    """`data` (TOML data) as a `kind` from `ketcost.domain.sheet` (`CheckedPhase` to apply a
    phase's own checks too); pydantic's ValidationError when it is not valid."""
    return validator(kind).validate_python(data)


def parse_price_sheet(text: str, origin: str) -> PriceSheet:
    """A validated price sheet from TOML text; `origin` names the file in problems.

    Raises SheetError listing every problem, one line each, as `FILE: key.path: message`.
    """
    if not text.strip():
        raise SheetError(origin, [f"{origin}: the file is empty"])
    data = load_toml(text, origin, SheetError)
    try:
        sheet: PriceSheet = validator(SheetFile).validate_python(data)
    except RecursionError:
        raise SheetError(origin, [f"{origin}: {TOO_DEEP}"]) from None
    except ValidationError as error:
        problems = sheet_problems(error, origin)
        problems += [f"{origin}: {p}: {m}" for p, m in raw_reference_problems(data)]
        raise SheetError(origin, list(dict.fromkeys(problems))) from None
    return sheet
