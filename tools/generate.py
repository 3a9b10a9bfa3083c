"""Write ketcost's two generated modules, so that a run compiles and parses nothing it can be given
ready (their bytecode is compiled when ketcost is installed, as every module's is):

    python tools/generate.py

- `ketcost/_shipped_sheet.py`: the shipped price sheet, `ketcost/data/price_ranges.toml`, as
  Python data, so a run parses no TOML (about 3 ms of every start-up). Edit the TOML, then run
  this script; `tests/test_sheets.py` checks that the module holds exactly what the TOML holds.
- `ketcost/_inits.py`: `@immutable`'s `__init__` templates for the shapes of ketcost's classes,
  so none is compiled at run time (0.1 to 0.3 ms each, nine of them). Run this script after
  adding an `@immutable` class of a new shape; `tests/test_immutable.py` checks every class's
  shape is there.
"""

from __future__ import annotations

import importlib
import pkgutil
import pprint
import shutil
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOML = ROOT / "ketcost" / "data" / "price_ranges.toml"
SHEET_MODULE = ROOT / "ketcost" / "_shipped_sheet.py"
INITS_MODULE = ROOT / "ketcost" / "_inits.py"

SHEET_HEAD = '''"""The shipped price sheet, ketcost/data/price_ranges.toml, as Python data: what
`tomllib.loads(text, parse_float=Decimal)` gives for it.

Written by `python tools/generate.py` from that file; edit the TOML, not this module
(`tests/test_sheets.py` checks that the two agree).
"""

import datetime
{decimal}
SHEET: dict[str, object] = '''

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
    data = tomllib.loads(TOML.read_text("utf-8"), parse_float=Decimal)
    body = pprint.pformat(data, width=100, sort_dicts=False)
    decimal = "from decimal import Decimal\n" if "Decimal(" in body else ""
    return SHEET_HEAD.format(decimal=decimal) + body + "\n"


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
    ruff = shutil.which("ruff")
    if ruff:
        paths = [str(SHEET_MODULE), str(INITS_MODULE)]
        subprocess.run([ruff, "format", "--quiet", *paths], check=True)
    for written in (SHEET_MODULE, INITS_MODULE):
        print(f"wrote {written.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
