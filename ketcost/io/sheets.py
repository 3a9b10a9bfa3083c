"""Reading price sheets: the shipped one, sheet files (validated by `ketcost.io.sheetfile`), and
TOML read exactly (Decimals, never floats)."""

from __future__ import annotations

import functools
import os
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ketcost.domain.sheet import PriceSheet
from ketcost.errors import FileProblemsError, SheetError
from ketcost.io.files import ReadProblem, read_text

DEFAULT_SHEET_NAME = "price_ranges.toml"
DEFAULT_SHEET_LABEL = "<default price sheet>"


def load_price_sheet(path: str | os.PathLike[str] | None = None) -> PriceSheet:
    """The price sheet at `path`, or the default one shipped with ketcost.

    Raises SheetError listing every problem, one line each, as `FILE: key.path: message`.
    """
    if path is None:
        return _default_sheet()
    from ketcost.io.sheetfile import parse_price_sheet

    return parse_price_sheet(_read(Path(path)), str(path))


@functools.cache
def _default_sheet() -> PriceSheet:
    """The shipped sheet, read and validated once per process (it is immutable)."""
    from ketcost.io.sheetfile import parse_price_sheet

    return parse_price_sheet(default_sheet_text(), DEFAULT_SHEET_LABEL)


def default_sheet_text() -> str:
    """The shipped sheet's TOML."""
    return Path(__file__).parent.parent.joinpath("data", DEFAULT_SHEET_NAME).read_text("utf-8")


def _read(path: Path) -> str:
    try:
        return read_text(path)
    except ReadProblem as problem:
        raise SheetError(str(path), [f"{path}: {problem}"]) from None


TOO_DEEP = "nested too deeply to be a ketcost file"


def load_toml(text: str, origin: str, error_class: type[FileProblemsError]) -> dict[str, Any]:
    """TOML text as data, numbers with decimals as exact Decimals; problems as `error_class`."""
    import tomllib

    try:
        return tomllib.loads(text.removeprefix("\ufeff"), parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise error_class(origin, [f"{origin}: invalid TOML: {error}"]) from None
    except RecursionError:
        raise error_class(origin, [f"{origin}: {TOO_DEEP}"]) from None


def key_path(loc: tuple[int | str, ...]) -> str:
    """`protocols.standard.phases.1.per_week`: dotted keys, array items counted from 1."""
    return ".".join(str(part + 1) if isinstance(part, int) else part for part in loc)


def is_stale(as_of: date, today: date) -> bool:
    """Dated more than 12 months before `today`: prices may have changed since."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return as_of < year_ago


def stale_warning(sheet: PriceSheet, today: date) -> str | None:
    """A one-line warning (without `warning: `) when the sheet is dated more than 12 months
    before `today`."""
    if not is_stale(sheet.as_of, today):
        return None
    return (
        f"price sheet {sheet.name!r} is dated {sheet.as_of.isoformat()}, "
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
    dated += [
        (route.medication.published, f"routes.{key}.medication")
        for key, route in sheet.routes.items()
        if route.medication is not None and route.medication.published is not None
    ]
    return min(dated) if dated else None
