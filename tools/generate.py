"""Write ketcost's two generated modules, so that a run compiles and parses nothing it can be given
ready (their bytecode is compiled when ketcost is installed, as every module's is):

    python tools/generate.py

- `ketcost/_shipped_sheet.py`: the shipped price sheet, `ketcost/data/price_ranges.toml`,
  validated here and written as the code that makes its plain objects, so a run neither parses
  TOML (about 3 ms) nor builds the sheet's pydantic models (about 14 million instructions).
  Edit the TOML, then run this script; `tests/test_sheets.py` checks that the module holds
  exactly what validating the TOML gives.
- `ketcost/_inits.py`: `@immutable`'s `__init__` templates for the shapes of ketcost's classes,
  so none is compiled at run time (0.1 to 0.3 ms each, eleven of them). Run this script after
  adding an `@immutable` class of a new shape; `tests/test_immutable.py` checks every class's
  shape is there.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOML = ROOT / "ketcost" / "data" / "price_ranges.toml"
SHEET_MODULE = ROOT / "ketcost" / "_shipped_sheet.py"
INITS_MODULE = ROOT / "ketcost" / "_inits.py"

SHEET_HEAD = '''"""The shipped price sheet, ketcost/data/price_ranges.toml, as the engine's plain
objects: what validating that file gives (`ketcost.sheetfile.parse_price_sheet`), made
without validating it or building the sheet's pydantic models at run time.

Written by `python tools/generate.py` from that file; edit the TOML, not this module
(`tests/test_sheets.py` checks that the two agree).
"""

# ruff: noqa: E501

from datetime import date
from decimal import Decimal

from ketcost.models import Range
from ketcost.pricesheet import Addon, Phase, PriceSheet, Protocol, Route

decimals = Range[Decimal].of
whole = Range[int].of

SHEET = '''

INITS_HEAD = '''"""`@immutable`'s `__init__` templates, one for each shape of ketcost's classes
(P positional and K keyword-only fields): `init_P_K`. Each stores parameter `vI` with the setter
`sI`, which `immutable._init` puts in the function's globals.

Written by `python tools/generate.py` from ketcost's classes; `tests/test_immutable.py` checks that
every class's shape is here.
"""

# mypy: ignore-errors
# ruff: noqa: F821
'''


def sheet_text() -> str:
    sys.path.insert(0, str(ROOT))
    from ketcost.sheetfile import parse_price_sheet

    sheet = parse_price_sheet(TOML.read_text("utf-8"), str(TOML.relative_to(ROOT)))
    return SHEET_HEAD + source(sheet) + "\n"


def source(value: object) -> str:
    """Python source that makes `value`: a sheet's plain objects, ranges, text, numbers, dates."""
    from ketcost.models import Range

    if isinstance(value, Range):
        made = "decimals" if isinstance(value.low, Decimal) else "whole"
        return f"{made}({source(value.low)}, {source(value.high)})"
    if dataclasses.is_dataclass(value):
        names = [field.name for field in dataclasses.fields(value)]
        given = ", ".join(f"{name}={source(getattr(value, name))}" for name in names)
        return f"{type(value).__name__}({given})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{source(k)}: {source(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        items = [source(item) for item in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(value, date):
        return f"date({value.year}, {value.month}, {value.day})"
    if isinstance(value, Decimal):
        return f'Decimal("{value}")'
    if value is None or isinstance(value, str | int | bool):
        return repr(value)
    raise TypeError(f"no source for {type(value).__name__}")


def immutable_shapes() -> set[tuple[int, int]]:
    """The (positional, keyword-only) field counts of every `@immutable` class in ketcost: the
    shapes its templates were asked for once every module is loaded."""
    sys.path.insert(0, str(ROOT))
    import ketcost
    from ketcost import immutable

    for found in pkgutil.walk_packages(ketcost.__path__, "ketcost."):
        if found.name not in ("ketcost.__main__", "ketcost._inits"):
            importlib.import_module(found.name)
    return set(immutable._TEMPLATES)


def inits_text() -> str:
    from ketcost.immutable import template_source

    functions = [
        template_source(positional, keyword, f"init_{positional}_{keyword}")
        for positional, keyword in sorted(immutable_shapes())
    ]
    return INITS_HEAD + "".join(f"\n\n{function}" for function in functions)


def main() -> None:
    SHEET_MODULE.write_text(sheet_text(), "utf-8")
    INITS_MODULE.write_text(inits_text(), "utf-8")
    # ruff from PATH, or beside this Python (a venv's, when it is not activated)
    ruff = shutil.which("ruff") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff:
        paths = [str(SHEET_MODULE), str(INITS_MODULE)]
        subprocess.run([ruff, "format", "--quiet", *paths], check=True)
    for written in (SHEET_MODULE, INITS_MODULE):
        print(f"wrote {written.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
