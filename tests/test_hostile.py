"""Nothing a user or a file can send takes ketcost down: hostile batch records, unsafe files,
failing writes and unbounded numbers each end in one clear line (or one error record)."""

from __future__ import annotations

import json
import os
import pickle
import select
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketcost.api import Pricer
from ketcost.io import batch
from ketcost.io.batch import run as run_batch
from ketcost.io.records import Raw

from .conftest import COMMANDS, RunCli

KETCOST = [sys.executable, "-m", "ketcost"]


def batch_lines(cli: RunCli, path: Path, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    run = cli("batch", str(path), *args)
    return run.code, [json.loads(line) for line in run.out.splitlines()], run.err


def records_file(tmp_path: Path, lines: list[bytes], name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


# --- batch: every record gets its answer ---------------------------------------------------


def test_hostile_records_each_get_an_error_record_and_the_run_goes_on(
    cli: RunCli, tmp_path: Path
) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "secret.toml").write_text('currency = "HUNTER2"\n')
    hostile = [
        b'{"id": 1, "route": "iv", "prices": "/dev/zero"}',
        b'{"id": 2, "route": "iv", "prices": "fifo"}',
        b'{"id": 3, "route": "iv", "prices": "../../../etc/passwd"}',
        b'{"id": 4, "route": "iv", "prices": "secret.toml"}',
        b'{"id": 5, "route": "iv", "x": ' + b"[" * 2000 + b"]" * 2000 + b"}",
        b'{"id": ' + b"9" * 5000 + b', "route": "iv"}',
        b'{"id": 7, "route": "iv", "assistance": 1e29}',
        b'{"id": 8, "route": "iv", "extra": ["x=' + b"9" * 27 + b'/session"]}',
        b'{"id": NaN, "route": "iv"}',
        b'{"id": Infinity, "route": "iv"}',
        b'{"id": "bad \xff byte", "route": "iv"}',
        b'{"id": "long", "route": "iv", "notes": "' + b"x" * (1024 * 1024) + b'"}',
        b'{"id": "last", "route": "oral", "weeks": 4}',
    ]
    code, out, err = batch_lines(cli, records_file(tmp_path, hostile))
    assert code == 4
    assert len(out) == len(hostile)
    assert [o.get("line") for o in out[:-1]] == list(range(1, len(hostile)))
    errors = [o["error"] for o in out[:-1]]
    assert "relative to" in errors[0]
    assert "not a regular file" in errors[1]
    assert "must be inside" in errors[2]
    assert "not a valid price sheet" in errors[3]
    assert "HUNTER2" not in errors[3]  # a record's sheet is never quoted back
    assert errors[4] == "the record is nested too deeply"
    assert errors[5] == "not JSON: a number with too many digits"
    assert errors[6] == "assistance: must be at most 10,000,000"
    assert errors[7].startswith("extra.1: price")
    assert errors[8] == "not JSON: NaN is not a JSON number"
    assert errors[9] == "not JSON: Infinity is not a JSON number"
    assert errors[10] == "the line is not UTF-8 text"
    assert errors[11] == "the record is longer than 1,024 KiB"
    assert out[-1]["id"] == "last"
    assert out[-1]["total"] == {"low": "800.00", "high": "3600.00"}
    assert err == f"batch: {len(hostile)} records, 1 estimated, {len(hostile) - 1} failed\n"


def test_a_bad_byte_deep_in_a_file_is_one_error_record(cli: RunCli, tmp_path: Path) -> None:
    lines = [b'{"id": %d, "route": "iv", "weeks": %d}' % (i, 1 + i % 4) for i in range(1, 3001)]
    lines[2999] = b'{"id": 3000, "route": "\xc3("}'
    lines.append(b'{"id": 3001, "route": "oral"}')
    code, out, _ = batch_lines(cli, records_file(tmp_path, lines), "--jobs", "2")
    assert code == 4
    assert len(out) == 3001
    assert out[2999] == {"line": 3000, "id": None, "error": "the line is not UTF-8 text"}
    assert out[3000]["id"] == 3001


def test_ids_come_back_exactly_as_given(cli: RunCli, tmp_path: Path) -> None:
    lines = [
        b'{"id": 1.50, "route": "iv"}',
        b'{"id": 2e5, "route": "iv"}',
        b'{"id": {"a": [1.0, -0.25]}, "route": "iv"}',
        b'{"id": "\\u00e9t\\u00e9", "route": "iv"}',
    ]
    run = cli("batch", str(records_file(tmp_path, lines)))
    starts = [line.split(',"schema_version"')[0] for line in run.out.splitlines()]
    assert starts == ['{"id":1.50', '{"id":2e5', '{"id":{"a":[1.0,-0.25]}', '{"id":"été"']


def test_csv_with_a_byte_order_mark_and_a_stray_quote(cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b'\xef\xbb\xbfid,route,weeks\na,iv,4\nb,"oral,4\nc,oral,3\n')
    run = cli("batch", str(path), "--format", "csv")
    rows = run.out.splitlines()
    assert run.code == 4
    assert rows[1].startswith("2,a,iv,standard,USD,8,12,")
    assert rows[2] == "3" + "," * 13 + "the line is not valid CSV (unexpected end of data)"
    assert rows[3].startswith("4,c,oral,")  # the quote did not swallow the rest of the file


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("a,iv,4\n", "the CSV header has unknown column 'a'"),  # no header at all
        ("id,route,colour\n", "the CSV header has unknown column 'colour'"),
        ("id,route,route\n", "the CSV header names a column twice"),
    ],
)
def test_a_bad_csv_header_is_one_error_before_anything_is_priced(
    cli: RunCli, tmp_path: Path, header: str, message: str
) -> None:
    path = tmp_path / "in.csv"
    path.write_text(header + "x,iv,4\ny,oral,3\n")
    out = tmp_path / "out.csv"
    run = cli("batch", str(path), "-o", str(out))
    assert run.code == 2
    assert run.out == ""
    assert run.err.startswith(f"error: {message}")
    assert run.err.count("\n") == 1
    assert not out.exists()


def test_a_long_csv_field_is_one_record(cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,route\n" + "x" * 200_000 + ",iv\nb,oral\n")
    run = cli("batch", str(path), "-f", "csv")
    rows = run.out.splitlines()
    assert len(rows) == 3
    assert rows[2].startswith("3,b,oral,")


def test_record_prices_are_read_from_the_input_folder_or_prices_dir(
    cli: RunCli, tmp_path: Path, sheet_text: str
) -> None:
    (tmp_path / "sheets").mkdir()
    (tmp_path / "sheets" / "clinic.toml").write_text(sheet_text.replace("[400, 800]", "450"))
    records = records_file(tmp_path, [b'{"route": "iv", "weeks": 4, "prices": "clinic.toml"}'])
    code, out, _ = batch_lines(cli, records)
    assert code == 4
    assert "no such file" in out[0]["error"]
    code, out, _ = batch_lines(cli, records, "--prices-dir", str(tmp_path / "sheets"))
    assert code == 0
    assert out[0]["total"] == {"low": "3600.00", "high": "5400.00"}


@pytest.fixture
def sheet_text() -> str:
    return (Path(__file__).parent.parent / "ketcost" / "data" / "price_ranges.toml").read_text()


def _spawn_batch(tmp_path: Path, *args: str, stdout: Any = subprocess.DEVNULL) -> Any:
    lines = "".join(
        json.dumps({"id": i, "route": "iv", "weeks": 1 + i % 52}) + "\n" for i in range(400_000)
    )
    source = tmp_path / "many.jsonl"
    source.write_text(lines)
    return subprocess.Popen(
        [*KETCOST, "batch", str(source), "--jobs", "3", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )


def _finished(process: Any, timeout: float) -> tuple[bytes, bytes]:
    """The run's output once it ends; a run that hangs is killed, so it fails this test alone."""
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return out, err


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _wait_for_workers(pid: int) -> list[int]:
    for _ in range(200):
        workers = _children(pid)
        if len(workers) >= 2:
            return workers
        time.sleep(0.05)
    raise AssertionError("no workers started")


def _gone(pid: int) -> bool:
    for _ in range(100):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])  # SIGHUP: the terminal closed
def test_sigterm_removes_the_temporary_file_and_the_workers(tmp_path: Path, signum: int) -> None:
    process = _spawn_batch(tmp_path, "-o", "out.jsonl")
    workers = _wait_for_workers(process.pid)
    time.sleep(0.3)
    process.send_signal(signum)
    _, err = _finished(process, timeout=30)
    assert process.returncode == 128 + signum
    assert b"Traceback" not in err
    assert all(_gone(pid) for pid in workers)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.jsonl"]


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc; prctl")
def test_sigkill_ends_the_workers_and_the_reader_sees_the_end(tmp_path: Path) -> None:
    process = _spawn_batch(tmp_path, stdout=subprocess.PIPE)
    workers = _wait_for_workers(process.pid)
    assert process.stdout is not None
    process.stdout.read(1000)
    process.kill()
    process.stdout.read()  # returns only at end-of-file: no worker holds our stdout open
    _finished(process, timeout=30)
    assert all(_gone(pid) for pid in workers)
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_a_dead_worker_is_one_error_line_not_a_hang(tmp_path: Path) -> None:
    process = _spawn_batch(tmp_path, "-o", "out.jsonl")
    workers = _wait_for_workers(process.pid)
    time.sleep(0.3)
    os.kill(workers[0], signal.SIGKILL)
    _, err = _finished(process, timeout=60)
    assert process.returncode == 1
    assert err.decode().splitlines()[-1] == "error: batch: a worker process ended unexpectedly"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.jsonl"]


def test_a_workers_reply_is_one_atomic_pipe_write(tmp_path: Path, monkeypatch: Any) -> None:
    # A worker killed halfway through a reply would leave the pool waiting for the rest forever
    # (CI saw that hang): the output goes through a file, the reply fits in one atomic write.
    monkeypatch.setattr(batch._Job, "pricer", Pricer(None), raising=False)
    monkeypatch.setattr(batch._Job, "output_format", "jsonl", raising=False)
    monkeypatch.setattr(batch._Job, "folder", tmp_path, raising=False)
    chunk: list[tuple[int, Raw]] = [
        (n, json.dumps({"id": "x" * 900, "route": "kap", "weeks": 52}).encode())
        for n in range(batch.CHUNK)
    ]
    reply = batch._price_in_worker(10**9, chunk)
    # The pool adds its own few dozen bytes around it; a pipe write of PIPE_BUF is atomic.
    assert len(pickle.dumps(reply)) <= select.PIPE_BUF // 4
    written = batch._collected(tmp_path, reply)
    assert written.records == batch.CHUNK
    assert len(written.data) > batch.CHUNK * 900
    assert list(tmp_path.iterdir()) == []


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path) -> None:
    process = _spawn_batch(tmp_path, stdout=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.read(100)
    process.stdout.close()
    _, err = _finished(process, timeout=60)
    assert process.returncode == 141
    assert err == b""


# --- random input never breaks the one-record-per-line rule ----------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.sampled_from(["iv", "oral"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
plan_like = st.fixed_dictionaries(
    {},
    optional={
        "id": json_values,
        "route": st.sampled_from(["iv", "oral", "esketamine", "nasal", ""]) | json_values,
        "weeks": st.integers(-2, 60) | st.text(max_size=5),
        "discount": st.integers(-5, 120) | st.text(max_size=5),
        "insurance": st.dictionaries(
            st.sampled_from(["deductible", "coinsurance", "oop_max", "copay", "x"]), json_values
        ),
        "with": json_values,
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(
        st.binary(max_size=60).map(lambda b: b.replace(b"\n", b" "))
        | plan_like.map(lambda d: json.dumps(d).encode()),
        min_size=1,
        max_size=25,
    )
)
def test_any_bytes_give_one_json_record_per_line(lines: list[bytes]) -> None:
    import io

    out = io.BytesIO()
    tally = run_batch(
        io.BytesIO(b"\n".join(lines)),
        out.write,
        input_format="jsonl",
        output_format="jsonl",
        prices=None,
        jobs=1,
    )
    # a byte-order mark before the first record is no part of it
    first, *rest = lines
    records = [line for line in (first.removeprefix(b"\xef\xbb\xbf"), *rest) if line.strip()]
    written = out.getvalue().decode("utf-8").split("\n")[:-1]
    assert tally.records == len(records) == len(written)
    for line in written:
        assert isinstance(json.loads(line), dict)  # valid JSON, every line
        assert not any(c in line for c in "\r\x85\u2028\u2029\x1b")  # no other line breaks


# --- files: read safely ------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--prices", "--plan"])
def test_input_files_that_are_not_regular_files_are_refused(
    cli: RunCli, tmp_path: Path, option: str
) -> None:
    os.mkfifo(tmp_path / "fifo")
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * (1024 * 1024) + "\n")
    for path, message in [
        (str(tmp_path / "fifo"), "is not a regular file (a device, FIFO or socket)"),
        ("/dev/zero", "is not a regular file (a device, FIFO or socket)"),
        (str(tmp_path), "is a folder, not a file"),
        (str(big), "is larger than 1,024 KiB"),
    ]:
        run = cli("estimate", "-r", "iv", option, path)
        assert run.code in (1, 2)
        assert run.out == ""
        assert run.err == f"error: {path}: {message}\n"


def test_byte_order_marks_and_deep_nesting(cli: RunCli, tmp_path: Path, sheet_text: str) -> None:
    sheet = tmp_path / "bom.toml"
    sheet.write_bytes(b"\xef\xbb\xbf" + sheet_text.encode())
    plan = tmp_path / "plan.toml"
    plan.write_bytes(b'\xef\xbb\xbfroute = "iv"\nweeks = 4\n')
    run = cli("estimate", "--plan", str(plan), "--prices", str(sheet), "--json")
    assert run.code == 0, run.err
    assert json.loads(run.out)["total"] == {"low": "3200.00", "high": "9600.00"}
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    for option, code in (("--prices", 1), ("--plan", 2)):
        run = cli("estimate", "-r", "iv", option, str(deep))
        assert (run.code, run.out) == (code, "")
        assert run.err == f"error: {deep}: nested too deeply to be a ketcost file\n"


@pytest.mark.parametrize("option", ["--plan", "--save-plan"])
def test_an_empty_path_says_no_file_name_was_given(cli: RunCli, option: str) -> None:
    run = cli("estimate", "-r", "iv", option, "")
    assert run.code in (1, 2)
    assert (run.out, run.err) == ("", "error: no file name given\n")


# --- files: write safely ---------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_stdout_is_one_error_line(command: str, tmp_path: Path) -> None:
    sheet = Path(__file__).parent.parent / "ketcost" / "data" / "price_ranges.toml"
    records = tmp_path / "in.jsonl"
    records.write_text('{"route": "iv"}\n')
    quote = tmp_path / "quote.json"
    subprocess.run([*KETCOST, "quote", "-r", "iv", "-f", "json", "-o", str(quote)], check=True)
    args = {
        "estimate": ["-r", "iv", "--weeks", "4"],
        "compare": [],
        "timeline": ["-r", "iv"],
        "quote": ["-r", "iv", "-o", "-"],
        "plan init": ["-"],
        "prices init": ["-"],
        "routes": [],
        "addons": [],
        "protocols": [],
        "check-prices": [str(sheet)],
        "check-bill": [str(quote), "--billed", "100", "--bill-date", "2027-03-01"],
        "batch": [str(records)],
        "schema": ["plan"],
    }[command]
    with Path("/dev/full").open("w") as full:
        run = subprocess.run(
            [*KETCOST, *command.split(), *args], stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert run.returncode == 1
    assert run.stderr == "error: cannot write to standard output (no space left on the device)\n"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 300 + ".toml", "the file name is too long"),
        ("x" * 250 + ".toml", None),  # fits, though a sibling named after it would not
        ("afile/plan.toml", "a part of the path is a file, not a folder"),
    ],
)
def test_write_problems_are_one_line(
    cli: RunCli, tmp_path: Path, name: str, message: str | None
) -> None:
    (tmp_path / "afile").write_text("")
    target = tmp_path / name
    run = cli("estimate", "-r", "iv", "--save-plan", str(target))
    if message is None:
        assert run.code == 0, run.err
        assert target.is_file()
    else:
        assert (run.code, run.out) == (1, "")
        assert run.err == f"error: {target}: cannot be written ({message})\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_no_space_left_is_one_line(
    cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    run = cli("quote", "-r", "iv", "-o", str(tmp_path / "q.html"))
    assert (run.code, run.out) == (1, "")
    assert (
        run.err
        == f"error: {tmp_path / 'q.html'}: cannot be written (no space left on the device)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_permission_denied_is_one_line(
    cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    def denied(**kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    run = cli("plan", "init", str(tmp_path / "p.toml"))
    assert run.code == 1
    assert run.err == f"error: {tmp_path / 'p.toml'}: cannot be written (permission denied)\n"


def test_force_replaces_only_regular_files(cli: RunCli, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    run = cli("estimate", "-r", "iv", "--save-plan", str(fifo), "--force")
    assert (run.code, run.out) == (1, "")
    assert "is not a regular file; --force replaces only regular files" in run.err
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_overwriting_keeps_the_permission_bits(cli: RunCli, tmp_path: Path) -> None:
    quote = tmp_path / "quote.md"
    quote.write_text("old")
    quote.chmod(0o600)
    run = cli("quote", "-r", "iv", "--client", "A. Client", "-o", str(quote), "--force")
    assert run.code == 0, run.err
    assert stat.S_IMODE(quote.stat().st_mode) == 0o600
    assert "A. Client" in quote.read_text()


# --- plan files round-trip whatever they hold ---------------------------------------------------


def test_saved_plans_read_back_through_a_link_and_with_odd_labels(
    cli: RunCli, tmp_path: Path, sheet_text: str
) -> None:
    real = tmp_path / "real" / "deep"
    real.mkdir(parents=True)
    (tmp_path / "L").symlink_to(real)
    (tmp_path / "clinic.toml").write_text(sheet_text.replace("[400, 800]", "450"))
    (real.parent / "clinic.toml").write_text(sheet_text.replace("[400, 800]", "999"))
    saved = tmp_path / "L" / "plan.toml"
    first = cli(
        "estimate", "-r", "iv", "--weeks", "4", "--prices", str(tmp_path / "clinic.toml"),
        "--extra", "a=b=100.05-200/session", "--save-plan", str(saved), "--json",
    )  # fmt: skip
    assert first.code == 0, first.err
    again = cli("estimate", "--plan", str(saved), "--json")
    assert again.code == 0, again.err
    assert json.loads(again.out) == json.loads(first.out)
    assert json.loads(again.out)["line_items"][1]["label"] == "a=b"


@pytest.mark.parametrize(
    "weeks",
    ['["٣", "٤"]', '"٣-٤"', '["²", "3"]', '"4\u00b2"'],
)
def test_digits_are_ascii_everywhere(cli: RunCli, tmp_path: Path, weeks: str) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(f'route = "iv"\nweeks = {weeks}\n')
    run = cli("estimate", "--plan", str(plan))
    assert (run.code, run.out) == (2, "")
    assert run.err.count("\n") == 1
    assert "0-9" in run.err or "expected a whole number" in run.err


# --- numbers with limits ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--copay", "12,50", "commas go between groups of three digits only"),
        ("--coinsurance", "1,00", "commas go between groups of three digits only"),
        ("--deductible", "1,0,0,0", "commas go between groups of three digits only"),
        ("--assistance", "9" * 27, "must be at most 10,000,000"),
        ("--oop-max", "10000000.01", "must be at most 10,000,000"),
        ("--copay", "1.005", "at most two decimals (whole cents)"),
        ("--weeks", "9" * 5000, "must be from 1 to 52"),
        ("--maintenance-months", "9" * 5000, "expected a whole number from 0 to 120"),
    ],
)
def test_numbers_are_strict_and_bounded(cli: RunCli, option: str, value: str, message: str) -> None:
    run = cli("estimate", "-r", "iv", option, value)
    assert (run.code, run.out) == (2, "")
    assert run.err.count("\n") == 1
    assert message in run.err
    assert len(run.err) < 200  # never quotes thousands of digits back


@pytest.mark.parametrize(
    ("value", "expected"), [("1,000", "1000.00"), ("12,500.50", "12500.50"), ("$2,000", "2000.00")]
)
def test_thousands_separators_in_their_places(cli: RunCli, value: str, expected: str) -> None:
    run = cli("estimate", "-r", "esketamine", "--deductible", value, "--json")
    assert run.code == 0, run.err
    assert json.loads(run.out)["insurance"]["deductible"] == expected


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("session_price = [400, 800]", "session_price = [400.555, 800]", "whole cents"),
        ("session_price = [400, 800]", "session_price = 0", "must be greater than 0"),
        ("session_price = [400, 800]", "session_price = 1e29", "must be at most 10,000,000"),
        ("sessions = 6", "sessions = 100000000", "sessions must be from 1 to 1,000"),
        ("every_weeks = [6, 2]", "every_weeks = 0.000001", "every_weeks must be from 1 to 520"),
    ],
)
def test_sheets_are_bounded(
    cli: RunCli, tmp_path: Path, sheet_text: str, old: str, new: str, message: str
) -> None:
    assert old in sheet_text
    path = tmp_path / "sheet.toml"
    path.write_text(sheet_text.replace(old, new))
    run = cli("check-prices", str(path))
    assert (run.code, run.out) == (1, "")
    assert message in run.err


def test_a_bad_default_sheet_is_one_error_before_any_output(cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("x = 1\n")
    records = tmp_path / "in.csv"
    records.write_text("id,route\na,iv\n")
    run = cli("batch", str(records), "-f", "csv", "--prices", str(tmp_path / "bad.toml"))
    assert (run.code, run.out) == (1, "")  # not even the CSV header
    assert run.err.startswith(f"error: {tmp_path / 'bad.toml'}: name: required key is missing")
