"""Reading price sheets: the shipped one, exact numbers, and every problem of a bad one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ketcost import PriceSheet, load_price_sheet
from ketcost.domain.values import Range
from ketcost.errors import SheetError
from ketcost.io.sheetfile import parse_price_sheet
from ketcost.io.sheets import stale_warning

from .conftest import RunCli

VALID = """\
name = "Test clinic"
currency = "USD"
as_of = 2026-06-01
source = "The clinic's published fee list."

[routes.iv]
label = "IV infusion"
aliases = ["infusion"]
session_price = [450.50, 700]
source = "Fee list, page 1."

[protocols.standard]
label = "Standard"
source = "Clinic protocol."

[[protocols.standard.phases]]
name = "induction"
weeks = [2, 4]
per_week = [2, 3]

[[protocols.standard.phases]]
name = "maintenance"
per_month = 1
"""


def test_default_sheet_is_complete_and_cited(sheet: PriceSheet) -> None:
    assert sheet.currency == "USD"
    assert sheet.as_of == date(2026, 11, 1)
    assert set(sheet.routes) == {"iv", "esketamine", "oral", "kap"}
    assert set(sheet.protocols) == {"standard", "spravato-label", "iv-series", "kap-course"}
    assert all(r.source.strip() for r in sheet.routes.values())
    assert all(p.source.strip() for p in sheet.protocols.values())
    assert sheet.routes["esketamine"].insurance_eligible
    assert not sheet.routes["iv"].insurance_eligible
    assert sheet.routes["iv"].session_price.low == Decimal(400)
    assert set(sheet.addons) == {"consultation", "integration", "preparation"}
    assert all(a.source.strip() for a in sheet.addons.values())


def test_top_level_data_file_is_the_shipped_sheet() -> None:
    top = Path(__file__).parent.parent / "data" / "price_ranges.toml"
    assert parse_price_sheet(top.read_text("utf-8"), str(top)) == load_price_sheet()


def test_numbers_are_exact_decimals(write: Callable[[str, str], Path]) -> None:
    sheet = load_price_sheet(write("clinic.toml", VALID))
    price = sheet.routes["iv"].session_price
    assert price.low == Decimal("450.50")
    assert isinstance(price.low, Decimal)
    assert isinstance(price.high, Decimal)


def test_single_number_is_a_range(write: Callable[[str, str], Path]) -> None:
    sheet = load_price_sheet(write("s.toml", VALID.replace("[450.50, 700]", "500")))
    price = sheet.routes["iv"].session_price
    assert (price.low, price.high) == (Decimal(500), Decimal(500))


@pytest.mark.parametrize("given", [(2, 4), (Decimal("0.5"), Decimal("1.25"))])
def test_a_range_made_in_code_is_the_validated_range(given: tuple[Decimal, Decimal]) -> None:
    """`Range.of` (the shipped sheet and the engine make ranges with it, unvalidated) gives what
    validation gives: equal, with the same fields set and the same dump."""
    kind = Range[int] if isinstance(given[0], int) else Range[Decimal]
    made, validated = kind.of(*given), kind.model_validate(list(given))
    assert made == validated
    assert made.model_fields_set == validated.model_fields_set == {"low", "high"}
    assert made.model_dump(mode="json") == validated.model_dump(mode="json")
    assert repr(made) == repr(validated)


def test_every_weeks_either_order(write: Callable[[str, str], Path]) -> None:
    a = load_price_sheet(write("a.toml", VALID.replace("per_month = 1", "every_weeks = [6, 2]")))
    b = load_price_sheet(write("b.toml", VALID.replace("per_month = 1", "every_weeks = [2, 6]")))
    assert a.protocols["standard"].phases[1] == b.protocols["standard"].phases[1]


def problems(path: Path) -> list[str]:
    with pytest.raises(SheetError) as caught:
        load_price_sheet(path)
    return caught.value.problems


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('currency = "USD"', 'currency = "usd"', "currency: 'usd' is not a three-letter ISO 4217"),
        ('currency = "USD"', 'currency = "DOLLARS"', "currency: 'DOLLARS' is not a three-letter"),
        ("[450.50, 700]", "[700, 450.50]", "routes.iv.session_price: low 700 is above high 450.50"),
        ("[450.50, 700]", "0", "routes.iv.session_price: must be greater than 0, got 0"),
        ("[450.50, 700]", "[-5, 700]", "routes.iv.session_price: must be greater than 0, got -5"),
        ("[450.50, 700]", "nan", "routes.iv.session_price"),
        ('label = "IV infusion"', 'lable = "IV infusion"', "routes.iv.lable: unknown key"),
        ("per_month = 1", "per_month = 1\nper_week = 1", "found per_week and per_month"),
        ("per_month = 1", "", "a phase needs a frequency"),
        ("per_month = 1", "per_month = 1\nsessions = 4", "not both"),
        ('label = "Standard"', 'label = "Standard"\nroute = "nasal"', "unknown route 'nasal'"),
        (
            'source = "Fee list, page 1."',
            'source = "p1"\n[routes.oral]\nlabel = "O"\naliases = ["IV"]\n'
            'session_price = 1\nsource = "p2"',
            "routes.oral.aliases: 'IV' already names route 'iv'",
        ),
        ('name = "Test clinic"\n', "", "name: required key is missing"),
        ("weeks = [2, 4]", "", "only the last phase may be open-ended"),
    ],
)
def test_invalid_sheets_name_the_key(
    write: Callable[[str, str], Path], old: str, new: str, expected: str
) -> None:
    assert old in VALID
    path = write("bad.toml", VALID.replace(old, new, 1))
    found = problems(path)
    assert any(line.startswith(f"{path}: ") and expected in line for line in found), found


def test_every_problem_is_listed(write: Callable[[str, str], Path]) -> None:
    text = (
        VALID.replace('currency = "USD"', 'currency = "usd"')
        .replace("[450.50, 700]", "[700, 1]")
        .replace('label = "Standard"', 'label = "Standard"\nroute = "nasal"')
        + "\ntypo = 1\n"
    )
    found = problems(write("bad.toml", text))
    assert len(found) == 4, found


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "the file is empty"), ("name = [", "invalid TOML"), ("\xff", "invalid TOML")],
)
def test_unreadable_text(write: Callable[[str, str], Path], text: str, expected: str) -> None:
    assert expected in problems(write("x.toml", text))[0]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.toml") == [f"{tmp_path / 'nope.toml'}: no such file"]
    assert problems(tmp_path) == [f"{tmp_path}: is a folder, not a file"]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'name = "caf\xe9"\n')
    assert problems(path) == [f"{path}: is not UTF-8 text"]


@pytest.mark.parametrize(
    ("today", "stale"),
    [
        (date(2027, 11, 1), False),
        (date(2027, 11, 2), True),
        (date(2026, 11, 27), False),
    ],
)
def test_stale_after_twelve_months(sheet: PriceSheet, today: date, stale: bool) -> None:
    warning = stale_warning(sheet, today)
    assert (warning is not None) == stale
    if warning:
        assert warning.startswith("price sheet ")
        assert "\n" not in warning


def test_a_sheet_file_becomes_plain_objects() -> None:
    """A validated sheet file is the engine's own immutable objects: the one set of sheet
    classes, with read-only tables."""
    import dataclasses

    from ketcost.domain import sheet as pricesheet

    sheet = parse_price_sheet(VALID, "t.toml")
    assert type(sheet) is pricesheet.PriceSheet
    route = next(iter(sheet.routes.values()))
    assert type(route) is pricesheet.Route
    assert all(type(p) is pricesheet.Phase for p in sheet.protocols["standard"].phases)
    with pytest.raises(dataclasses.FrozenInstanceError):
        route.label = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        sheet.routes["x"] = route  # type: ignore[index]


def test_prices_init_writes_a_sheet_check_prices_accepts(cli: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "clinic.toml"
    run = cli("prices", "init", str(target))
    assert (run.code, run.out, run.err) == (0, "", f"wrote {target}\n")
    assert "[routes.esketamine.medication]" in target.read_text()
    checked = cli("check-prices", str(target))
    assert checked.code == 0
    assert checked.out.startswith("ok: 4 routes, 4 protocols")
    again = cli("prices", "init", str(target))
    assert again.code == 1
    assert again.err == f"error: {target}: already exists; give --force to overwrite it\n"


def test_check_prices_without_a_file_checks_the_shipped_sheet(cli: RunCli) -> None:
    run = cli("check-prices")
    assert run.code == 0, run.err
    assert run.out.startswith("ok: 4 routes, 4 protocols\n")
