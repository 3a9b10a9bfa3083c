"""Batch records: reading them (JSON Lines or CSV, one line of at most 1 MiB each, as bytes, so
a line that is not UTF-8 is one error record) and writing one output record per input record.

A record is a plan with the plan file's keys, plus an optional `id` that is echoed exactly as
given; a record that fails becomes `{"line": N, "id": ..., "error": "..."}` in its place.
"""

from __future__ import annotations

import csv
import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any, BinaryIO, Literal

import orjson

from ketcost.domain.plan import Insurance, Plan
from ketcost.domain.result import Estimate
from ketcost.errors import InputError
from ketcost.render.json import encoded, escaped, estimate_held

RecordFormat = Literal["jsonl", "csv", "parquet"]
MAX_RECORD_BYTES = 1024 * 1024  # one record (one line); a longer line is an error record
INSURANCE_COLUMNS = tuple(Insurance.model_fields)
LIST_COLUMNS = ("with", "extra")
CSV_COLUMNS = frozenset(
    {"id", "prices", "budget", *INSURANCE_COLUMNS}
    | {field.alias or name for name, field in Plan.model_fields.items()}
) - {"insurance"}
CSV_HEADER = (
    "line", "id", "route", "protocol", "currency", "sessions_low", "sessions_high",
    "total_low", "total_high", "insurer_pays_low", "insurer_pays_high",
    "out_of_pocket_low", "out_of_pocket_high", "error",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Outcome:
    """One record's result: its estimate, or an error message."""

    line: int
    id: Any
    result: Estimate | None = None
    error: str | None = None


class RecordError(Exception):
    """A record that cannot be priced; the message becomes its error record."""


@dataclass(frozen=True)
class BadRecord:
    """A record that could not even be read: too long, or a CSV row that does not parse."""

    message: str


Raw = bytes | dict[str, Any] | BadRecord  # a JSON Lines line, a CSV record, or its problem


# --- reading -----------------------------------------------------------------------------------


def physical_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | BadRecord]]:
    """(line number, bytes) for every line; a line over MAX_RECORD_BYTES is skipped to its end
    and given as a BadRecord, so no line is ever held whole beyond the limit."""
    number = 0
    while True:
        line = stream.readline(MAX_RECORD_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_RECORD_BYTES:
            while line and not line.endswith(b"\n"):
                line = stream.readline(64 * 1024)
            limit = MAX_RECORD_BYTES // 1024
            yield number, BadRecord(f"the record is longer than {limit:,} KiB")
            continue
        yield number, line


def _blank(line: bytes | BadRecord) -> bool:
    return isinstance(line, bytes) and not line.strip()


def jsonl_records(stream: BinaryIO) -> Iterator[tuple[int, Raw]]:
    """(line number, raw bytes) for every non-blank line; parsing happens with the pricing. A
    byte-order mark before the first record is no part of it (as in CSV, sheets and plans)."""
    for number, line in physical_lines(stream):
        if number == 1 and isinstance(line, bytes):
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not _blank(line):
            yield number, line


def _csv_cells(text: str) -> list[str]:
    """One CSV line's cells; a record never spans lines, so a stray quote spoils one record."""
    rows = list(csv.reader([text], strict=True))
    return rows[0] if rows else []


def csv_records(stream: BinaryIO) -> Iterator[tuple[int, Raw]]:
    """(line number, record) for every non-empty CSV row after the header: empty cells are left
    out, `with` and `extra` split on `;`, insurance columns gathered into `insurance`.

    The header is read and checked here, before any record is asked for: a missing header or an
    unknown column raises InputError once for the whole file, before anything is priced.
    """
    lines = (item for item in physical_lines(stream) if not _blank(item[1]))
    first = next(lines, None)
    if first is None:
        return iter(())
    names = csv_header(first[1])
    return ((number, _csv_line(names, line)) for number, line in lines)


def csv_header(line: bytes | BadRecord) -> list[str]:
    """The column names of a CSV header line, or InputError naming what is wrong."""
    if isinstance(line, BadRecord):
        raise InputError(f"the CSV header: {line.message}")
    try:
        names = [name.strip() for name in _csv_cells(line.decode("utf-8-sig"))]
    except (UnicodeDecodeError, csv.Error):
        raise InputError("the CSV header is not a line of UTF-8 column names") from None
    unknown = [name for name in names if name not in CSV_COLUMNS]
    if unknown:
        known = ", ".join(sorted(CSV_COLUMNS))
        raise InputError(
            f"the CSV header has unknown column {unknown[0][:40]!r}; the first line names the "
            f"columns, from: {known}"
        )
    if len(set(names)) < len(names):
        raise InputError("the CSV header names a column twice")
    return names


def _csv_line(names: list[str], line: bytes | BadRecord) -> dict[str, Any] | BadRecord:
    if isinstance(line, BadRecord):
        return line
    try:
        row = _csv_cells(line.decode("utf-8"))
    except UnicodeDecodeError:
        return BadRecord("the line is not UTF-8 text")
    except csv.Error as error:
        return BadRecord(f"the line is not valid CSV ({error})")
    if len(row) > len(names):
        return BadRecord(f"{len(row)} cells but only {len(names)} columns")
    return cells_record(zip(names, row, strict=False))


def cells_record(cells: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """A record from (column, text) cells, as the CSV input reads them: empty cells left out,
    `with` and `extra` split on `;`, insurance columns gathered into `insurance`."""
    record: dict[str, Any] = {}
    for name, cell in cells:
        value = cell.strip()
        if not value:
            continue
        if name in LIST_COLUMNS:
            record[name] = [part.strip() for part in value.split(";") if part.strip()]
        elif name in INSURANCE_COLUMNS:
            record.setdefault("insurance", {})[name] = value
        else:
            record[name] = value
    return record


class _Number(Decimal):
    """A JSON number with a fraction or exponent, exact, and remembering how it was written, so
    an id comes back exactly as given (`2e5` stays `2e5`)."""

    text: str

    def __new__(cls, text: str) -> _Number:
        number = super().__new__(cls, text)
        number.text = text
        return number


def _reject_constant(name: str) -> Any:
    raise RecordError(f"not JSON: {name} is not a JSON number")


def parse_record(raw: Raw) -> dict[str, Any]:
    if isinstance(raw, BadRecord):
        raise RecordError(raw.message)
    if isinstance(raw, dict):
        return dict(raw)
    data = _fast_record(raw)
    if data is None:
        data = _exact_record(raw)
    if not isinstance(data, dict):
        raise RecordError(f"expected a JSON object, got {type(data).__name__}")
    return data


def _fast_record(raw: bytes) -> Any:
    """The record parsed by orjson, when that is exact: None when orjson refuses it (the
    standard parser then gives its own message) or when any number in it has a fraction or an
    exponent (or does not fit 64 bits), which orjson reads as a float that could change a cent
    or an id; those records are read again by the standard parser, exactly."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    try:
        kind = type(data)
        if kind is float or ((kind is dict or kind is list) and _has_float(data)):
            return None
        return data
    except RecursionError:
        return None


def _has_float(value: Any) -> bool:
    """Whether a parsed JSON value holds a float anywhere (loops, not generators: this runs for
    every record)."""
    for item in value.values() if type(value) is dict else value:
        kind = type(item)
        if kind is float:
            return True
        if (kind is dict or kind is list) and _has_float(item):
            return True
    return False


def _exact_record(raw: bytes) -> Any:
    """The record parsed by the standard library: numbers with a fraction or an exponent read
    exactly (as `_Number`), NaN and Infinity refused."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordError("the line is not UTF-8 text") from None
    try:
        return json.loads(text, parse_float=_Number, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise RecordError(f"not JSON: {error.msg} at column {error.colno}") from None
    except ValueError:  # an integer beyond Python's digit limit
        raise RecordError("not JSON: a number with too many digits") from None


# --- writing -----------------------------------------------------------------------------------


@functools.cache
def _surrogates() -> re.Pattern[str]:
    return re.compile("[\ud800-\udfff]")


def json_text(value: Any) -> str:
    """A parsed JSON value written back as it was given: numbers read as Decimal keep their
    digits (`1.50` stays `1.50`), unlike json.dumps, which cannot write a Decimal as a number."""
    if type(value) is str:
        text: str = encode_basestring(value)  # what json.dumps(value, ensure_ascii=False) writes
        if not text.isascii() and _surrogates().search(text):
            return json.dumps(value)  # a lone surrogate: written as the escape it came as
        return text
    if isinstance(value, _Number):
        return value.text
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        pairs = value.items()
        items = (json_text(str(k)) + ":" + json_text(v) for k, v in pairs)
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(json_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def jsonl_line(outcome: Outcome) -> str:
    """The output line for one outcome: the estimate (with `id` first when given) or an error,
    with the estimate's en dashes held for `render.json.encoded`, which gives the line's bytes.
    Raw line separators and C1 controls are written as escapes (see `render.json.escaped`);
    the estimate's own text is escaped where it is written."""
    try:
        record_id = escaped(json_text(outcome.id))
    except (RecursionError, ValueError):
        record_id = "null"
        outcome = Outcome(outcome.line, None, error="the id cannot be written back as JSON")
    if outcome.error is not None:
        error = escaped(json.dumps(outcome.error, ensure_ascii=False))
        return f'{{"line":{outcome.line},"id":{record_id},"error":{error}}}\n'
    assert outcome.result is not None
    try:
        text = estimate_held(outcome.result, None if outcome.id is None else record_id)
    except Exception as error:  # a bug must cost one record, not the run
        return jsonl_line(
            Outcome(outcome.line, outcome.id, error=f"internal error: {type(error).__name__}")
        )
    return text + "\n"


def _id_json(value: Any) -> str:
    try:
        return json_text(value)
    except (RecursionError, ValueError):
        return ""


def headline(outcome: Outcome) -> tuple[Any, ...]:
    """The headline figures of one outcome, in CSV_HEADER order: counts as ints, money as
    Decimal, None where there is none (a Parquet row; `csv_row` writes it as text)."""
    # An id is written as it was given: text as it is, anything else as its JSON (`2e5`, `true`).
    given = outcome.id
    record_id = None if given is None else given if isinstance(given, str) else _id_json(given)
    if outcome.error is not None:
        return (outcome.line, record_id, *[None] * 11, outcome.error)
    result = outcome.result
    assert result is not None
    insurer: tuple[Decimal | None, Decimal | None] = (None, None)
    if result.insurance is not None:
        insurer = (result.insurance.insurer_pays.low, result.insurance.insurer_pays.high)
    return (
        outcome.line, record_id, result.route, result.protocol, result.currency,
        result.sessions.low, result.sessions.high, result.total.low, result.total.high,
        *insurer, result.out_of_pocket.low, result.out_of_pocket.high, None,
    )  # fmt: skip


def csv_row(outcome: Outcome) -> list[str]:
    """The headline figures of one outcome as a CSV row (see CSV_HEADER)."""
    return ["" if cell is None else str(cell) for cell in headline(outcome)]


def headline_csv(outcomes: Iterable[Outcome]) -> bytes:
    """The headline rows as CSV that keeps None apart from empty text, for Arrow's CSV reader
    (`io.arrow.csv_table`): text quoted, numbers bare, None an empty unquoted cell. (Python
    3.11's `csv` quotes None as it quotes "": its QUOTE_NOTNULL is 3.12's.) A lone surrogate is
    written as the escape it came as, as in the CSV output."""
    lines = [",".join(map(_quoted, headline(outcome))) + "\n" for outcome in outcomes]
    return "".join(lines).encode("utf-8", "backslashreplace")


def _quoted(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return '"' + cell.replace('"', '""') + '"'
    return str(cell)


UNWRITABLE = (
    "the record holds text that is not valid Unicode (a lone surrogate) and cannot be written"
)


def written_one_by_one(outcomes: list[Outcome], lines: list[str]) -> tuple[list[Outcome], bytes]:
    """Each line encoded on its own; one that cannot be becomes its record's error record."""
    kept, parts = [], []
    for outcome, line in zip(outcomes, lines, strict=True):
        try:
            parts.append(encoded(line))
        except UnicodeEncodeError:
            outcome = Outcome(outcome.line, None, error=UNWRITABLE)
            parts.append(encoded(jsonl_line(outcome)))
        kept.append(outcome)
    return kept, b"".join(parts)
