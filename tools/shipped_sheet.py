"""Write ketcost/_shipped_sheet.py, the shipped price sheet as Python data, from its TOML.

    python tools/shipped_sheet.py

ketcost/data/price_ranges.toml is the shipped sheet; edit that file, then run this script. A run
of ketcost reads the sheet from the module this writes (its bytecode is compiled when ketcost is
installed), so it parses no TOML: about 3 ms of every start-up. `tests/test_sheets.py` checks that
the module holds exactly what the TOML holds, types included.
"""

from __future__ import annotations

import pprint
import shutil
import subprocess
import tomllib
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOML = ROOT / "ketcost" / "data" / "price_ranges.toml"
MODULE = ROOT / "ketcost" / "_shipped_sheet.py"

HEAD = '''"""The shipped price sheet, ketcost/data/price_ranges.toml, as Python data: what
`tomllib.loads(text, parse_float=Decimal)` gives for it.

Written by `python tools/shipped_sheet.py` from that file; edit the TOML, not this module
(`tests/test_sheets.py` checks that the two agree).
"""

import datetime
{decimal}
SHEET: dict[str, object] = '''


def module_text() -> str:
    data = tomllib.loads(TOML.read_text("utf-8"), parse_float=Decimal)
    body = pprint.pformat(data, width=100, sort_dicts=False)
    decimal = "from decimal import Decimal\n" if "Decimal(" in body else ""
    return HEAD.format(decimal=decimal) + body + "\n"


def main() -> None:
    MODULE.write_text(module_text(), "utf-8")
    ruff = shutil.which("ruff")
    if ruff:
        subprocess.run([ruff, "format", "--quiet", str(MODULE)], check=True)
    print(f"wrote {MODULE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
