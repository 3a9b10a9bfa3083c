"""`@immutable` classes behave as frozen, slotted dataclasses: the result objects users get."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from ketcost.immutable import immutable
from ketcost.results import Count, Installments, Money, SheetInfo


@immutable
class _Mixed:
    """Positional fields, one with a default, and keyword-only fields with and without one."""

    first: int
    second: str = "two"
    tagged: int = dataclasses.field(default=3, kw_only=True)
    needed: str = dataclasses.field(kw_only=True)


@immutable
class _Single:
    """One field: its values are a tuple of one."""

    only: int


def test_init_takes_the_fields_by_position_and_name_with_their_defaults() -> None:
    made = _Mixed(1, needed="n")
    assert (made.first, made.second, made.tagged, made.needed) == (1, "two", 3, "n")
    assert _Mixed(first=5, second="s", tagged=9, needed="x") == _Mixed(5, "s", tagged=9, needed="x")
    assert str(inspect.signature(_Mixed)) == "(first, second='two', *, tagged=3, needed)"
    with pytest.raises(TypeError, match="needed"):
        _Mixed(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        _Mixed(1, "s", 3, needed="n")  # type: ignore[call-arg]


def test_repr_equality_and_hash_are_a_dataclass_s() -> None:
    money = Money(Decimal("1.00"), Decimal("2.50"))
    assert repr(money) == "Money(low=Decimal('1.00'), high=Decimal('2.50'))"
    assert money == Money(Decimal("1"), Decimal("2.5"))
    assert money != Money(Decimal("1.00"), Decimal("2.51"))
    assert Count(1, 2) != Money(Decimal(1), Decimal(2))  # type: ignore[comparison-overlap]
    assert len({Count(1, 2), Count(1, 2), Count(2, 1)}) == 2
    assert _Single(4) == _Single(4) != _Single(5)
    assert hash(_Single(4)) == hash(_Single(4))
    assert repr(_Single(4)) == "_Single(only=4)"


def test_fields_cannot_be_assigned_or_deleted_nor_new_ones_added() -> None:
    count = Count(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        count.low = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del count.high
    with pytest.raises(dataclasses.FrozenInstanceError):
        count.other = 1  # type: ignore[attr-defined]
    assert not hasattr(count, "__dict__")
    assert count == Count(1, 2)


def test_copies_pickles_and_dataclass_tools_give_equal_objects() -> None:
    nested = Installments(3, Money(Decimal(1), Decimal(2)), Money(Decimal(3), Decimal(4)))
    sheet = SheetInfo("sheet", date(2026, 1, 2), "a source")
    for value in (nested, sheet, _Mixed(1, needed="n")):
        assert copy.copy(value) == value
        assert copy.deepcopy(value) == value
        assert pickle.loads(pickle.dumps(value)) == value
    assert dataclasses.replace(nested, count=4).count == 4
    assert dataclasses.asdict(Count(1, 2)) == {"low": 1, "high": 2}
    assert [field.name for field in dataclasses.fields(_Mixed)] == [
        "first",
        "second",
        "tagged",
        "needed",
    ]


def test_a_default_factory_is_refused_when_the_class_is_made() -> None:
    with pytest.raises(TypeError, match="default_factory"):

        @immutable
        class _Listed:
            items: list[int] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True, slots=True)
class _MixedDataclass:
    """_Mixed's body, made by `dataclasses`."""

    first: int
    second: str = "two"
    tagged: int = dataclasses.field(default=3, kw_only=True)
    needed: str = dataclasses.field(kw_only=True)


def test_the_fields_are_recorded_as_dataclasses_records_them() -> None:
    """`@immutable` records its fields itself; each is what `dataclasses` would record."""
    seen = [
        (f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.hash, f.compare, f.kw_only)
        for f in dataclasses.fields(_Mixed)
    ]
    expected = [
        (f.name, f.type, f.default, f.default_factory, f.init, f.repr, f.hash, f.compare, f.kw_only)
        for f in dataclasses.fields(_MixedDataclass)
    ]
    assert seen == expected
    assert getattr(_Mixed, "__match_args__") == _MixedDataclass.__match_args__  # noqa: B009
    assert getattr(_Mixed, "__slots__") == ("first", "second", "tagged", "needed")  # noqa: B009
    assert _Mixed.__qualname__ == "_Mixed"
    assert (
        _Mixed.__doc__
        == "Positional fields, one with a default, and keyword-only fields with and without one."
    )
    match _Mixed(7, needed="n"):
        case _Mixed(first, second):
            assert (first, second) == (7, "two")
    assert dataclasses.is_dataclass(_Mixed)


def test_every_class_of_ketcost_has_its_init_compiled_with_the_package() -> None:
    """A run compiles no `__init__`: each of ketcost's `@immutable` classes takes its template
    from `ketcost._inits` (a new shape fails here until `python tools/generate.py` is run)."""
    code = (
        "import importlib, pkgutil, ketcost\n"
        "from ketcost import immutable\n"
        "for found in pkgutil.walk_packages(ketcost.__path__, 'ketcost.'):\n"
        "    if found.name != 'ketcost.__main__':\n"
        "        importlib.import_module(found.name)\n"
        "for shape, code in sorted(immutable._TEMPLATES.items()):\n"
        "    print(shape, code.co_filename.rsplit('/', 1)[-1], code.co_name)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert len(lines) >= 5
    assert all(line.endswith(" _inits.py __init__") for line in lines), lines
