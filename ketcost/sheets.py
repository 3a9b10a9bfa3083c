"""Reading price-sheet TOML exactly (Decimals, never floats) and saying what is wrong with it."""

from __future__ import annotations

import functools
import os
import types
import typing
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ketcost.errors import FileProblemsError, SheetError
from ketcost.files import ReadProblem, read_text
from ketcost.models import (
    CrossReferenceError,
    Phase,
    PriceSheet,
    Range,
    constructed,
    reference_problems,
)

DEFAULT_SHEET_NAME = "price_ranges.toml"
DEFAULT_SHEET_LABEL = "<default price sheet>"
M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "extra_forbidden": "unknown key (check the spelling)",
    "missing": "required key is missing",
}


def load_price_sheet(path: str | os.PathLike[str] | None = None) -> PriceSheet:
    """The price sheet at `path`, or the default one shipped with ketcost.

    Raises SheetError listing every problem, one line each, as `FILE: key.path: message`.
    """
    if path is None:
        return _default_sheet()
    return parse_price_sheet(_read(Path(path)), str(path))


@functools.cache
def _default_sheet() -> PriceSheet:
    """The shipped sheet, read once per process (it is immutable) and not validated again: it
    is valid by its tests (`test_the_shipped_sheet_loads_as_validated` checks that this gives
    exactly what validating it gives), so a run does not pay for building the sheet's
    validators. Its data comes from `ketcost._shipped_sheet`, the TOML written out as Python
    (`test_the_shipped_sheet_module_is_its_toml`), so a run parses no TOML either."""
    from ketcost._shipped_sheet import SHEET

    return trusted_sheet(SHEET)


def default_sheet_text() -> str:
    """The shipped sheet's TOML."""
    return Path(__file__).with_name("data").joinpath(DEFAULT_SHEET_NAME).read_text("utf-8")


def trusted_sheet(data: dict[str, Any]) -> PriceSheet:
    """A PriceSheet made from the data of a sheet known to be valid, without validating it:
    each field converted as validation would convert it (ranges written as one number or a pair,
    Decimals, tuples), nothing checked."""
    return _trusted(PriceSheet, data)


def _trusted(model: type[M], data: dict[str, Any]) -> M:
    values = {}
    given = set()
    for name, convert, default in _fields(model):
        if name in data:
            value = data[name]
            values[name] = None if value is None else convert(value)
            given.add(name)
        else:
            values[name] = default
    if model is Phase and values["every_weeks"] is not None:
        ends = values["every_weeks"]  # `every_weeks = [6, 2]`: the rarer end is the low case
        values["every_weeks"] = Range[Decimal].of(
            min(ends.low, ends.high), max(ends.low, ends.high)
        )
    return constructed(model, values, given)


Convert = Callable[[Any], Any]


@functools.cache
def _fields(model: type[BaseModel]) -> tuple[tuple[str, Convert, Any], ...]:
    """Each field of `model`: its name, how a trusted value becomes the field's value, and its
    default (the sheet's models have immutable defaults, so one serves every instance)."""
    return tuple(
        (name, _converter(field.annotation), field.get_default(call_default_factory=True))
        for name, field in model.model_fields.items()
    )


def _as_is(value: Any) -> Any:
    return value


def _converter(annotation: Any) -> Convert:
    """How validation would convert a valid value for `annotation` (None stays None)."""
    if typing.get_origin(annotation) is typing.Annotated:  # validators: not run on trusted data
        annotation = typing.get_args(annotation)[0]
    kinds = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return _converter(kinds[0])  # X | None: the value is an X
    if isinstance(annotation, type) and issubclass(annotation, Range):
        kind = annotation.__pydantic_generic_metadata__["args"][0]

        def to_range(value: Any) -> Any:
            low, high = value if isinstance(value, list | tuple) else (value, value)
            return annotation.of(kind(low), kind(high))

        return to_range
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return functools.partial(_trusted, annotation)
    origin = typing.get_origin(annotation)
    if origin is tuple:
        item = _converter(kinds[0])
        return lambda value: tuple(None if v is None else item(v) for v in value)
    if origin is dict:
        item = _converter(kinds[1])
        return lambda value: {key: None if v is None else item(v) for key, v in value.items()}
    return _as_is


def _read(path: Path) -> str:
    try:
        return read_text(path)
    except ReadProblem as problem:
        raise SheetError(str(path), [f"{path}: {problem}"]) from None


def parse_price_sheet(text: str, origin: str) -> PriceSheet:
    """A validated PriceSheet from TOML text; `origin` names the file in problems."""
    if not text.strip():
        raise SheetError(origin, [f"{origin}: the file is empty"])
    data = load_toml(text, origin, SheetError)
    try:
        return PriceSheet.model_validate(data)
    except RecursionError:
        raise SheetError(origin, [f"{origin}: {TOO_DEEP}"]) from None
    except ValidationError as error:
        problems = sheet_problems(error, origin)
        problems += [f"{origin}: {p}: {m}" for p, m in _raw_reference_problems(data)]
        raise SheetError(origin, list(dict.fromkeys(problems))) from None


TOO_DEEP = "nested too deeply to be a ketcost file"


def load_toml(text: str, origin: str, error_class: type[FileProblemsError]) -> dict[str, Any]:
    """TOML text as data, numbers with decimals as exact Decimals; problems as `error_class`."""
    import tomllib  # here: the shipped sheet is read without it

    try:
        return tomllib.loads(text.removeprefix("\ufeff"), parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise error_class(origin, [f"{origin}: invalid TOML: {error}"]) from None
    except RecursionError:
        raise error_class(origin, [f"{origin}: {TOO_DEEP}"]) from None


def _raw_reference_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Cross-references checked on the raw TOML, so they are reported beside other problems.

    (The model checks them too, but only once everything else in the sheet is valid.)
    """
    routes, protocols = data.get("routes"), data.get("protocols")
    if not isinstance(routes, dict) or not isinstance(protocols, dict):
        return []
    aliases = {
        str(rid): [a for a in r.get("aliases", []) if isinstance(a, str)]
        for rid, r in routes.items()
        if isinstance(r, dict) and isinstance(r.get("aliases", []), list)
    }
    named = {
        str(pid): p["route"]
        for pid, p in protocols.items()
        if isinstance(p, dict) and isinstance(p.get("route"), str)
    }
    return reference_problems(aliases, named)


def sheet_problems(error: ValidationError, origin: str) -> list[str]:
    """Every problem in a ValidationError as `origin: key.path: message`."""
    lines: list[str] = []
    for detail in error.errors():
        cause: Any = detail.get("ctx", {}).get("error")
        if isinstance(cause, CrossReferenceError):
            lines.extend(f"{origin}: {path}: {message}" for path, message in cause.problems)
            continue
        path = key_path(detail["loc"])
        message = _MESSAGES.get(detail["type"], detail["msg"].removeprefix("Value error, "))
        lines.append(f"{origin}: {path}: {message}" if path else f"{origin}: {message}")
    return lines


def key_path(loc: tuple[int | str, ...]) -> str:
    """`protocols.standard.phases.1.per_week`: dotted keys, array items counted from 1."""
    return ".".join(str(part + 1) if isinstance(part, int) else part for part in loc)


def stale_warning(sheet: PriceSheet, today: date) -> str | None:
    """A one-line warning when the sheet is dated more than 12 months before `today`."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    if sheet.as_of >= year_ago:
        return None
    return (
        f"warning: price sheet {sheet.name!r} is dated {sheet.as_of.isoformat()}, "
        "more than 12 months ago; prices may have changed"
    )


def oldest_published(sheet: PriceSheet) -> tuple[date, str] | None:
    """The oldest `published` date of the sheet's sources and where it is, for re-checking
    first; None when no source gives one."""
    dated = [
        (item.published, f"{kind}.{key}")
        for kind, items in (
            ("routes", sheet.routes),
            ("protocols", sheet.protocols),
            ("addons", sheet.addons),
        )
        for key, item in items.items()
        if item.published is not None
    ]
    return min(dated) if dated else None
