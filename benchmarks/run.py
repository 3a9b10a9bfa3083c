"""ketcost's performance figures: start-up, batch throughput and batch memory.

    python benchmarks/run.py            # the full run (about 7 minutes on 2 cores)
    python benchmarks/run.py --quick    # smaller counts, to check the script itself

ketcost is measured as a user runs it: the script installs this checkout (not editable, so its
bytecode is compiled as `pip install .` does) into a fresh venv of its own, and runs that venv's
`ketcost` and, for the baseline, a minimal typer app on the same interpreter. Each figure is printed
with the machine it ran on and how fast that machine runs Python at the time (a cloud VM drifts).
Targets ("One readable engine"): `estimate --json` start-up at most 1.30x the minimal typer app
like for like; at least 20,000 batch records a second on two cores and at least 0.7x the
previous engine (the last commit before the redesign, installed into a venv of its own and run
alternately with this one), 10,000 with `--jobs 1`; peak memory (PSS, all processes) for
1,000,000 records at most 90 MB and flat from 100,000.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import tomli_w

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from records import lines  # noqa: E402 - the generator lives beside this script


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), "
        f"Python {platform.python_version()}"
    )


VENV: Path | None = None  # the fresh venv ketcost is installed into (see `install`)
PREVIOUS_VENV: Path | None = None  # the previous engine's, for the batch comparison
# The last commit before the engine redesign ("One readable engine"): the batch figures are
# also given as a ratio to it, measured in the same run.
PREVIOUS = "f70305f"


def install(source: Path) -> Path:
    """A fresh venv with `source` installed as a user installs it (`pip install .`)."""
    folder = Path(tempfile.mkdtemp(prefix="ketcost-bench-"))
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    environment = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run([*pip, str(source)], env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"pip install failed:\n{done.stdout}{done.stderr}")
    return folder


def install_previous(revision: str) -> Path | None:
    """The previous engine (`revision` of this repository) in a venv of its own; None when
    this is not a git checkout that has it."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "-C", str(HERE.parent), "archive", revision], capture_output=True
        )
        if archive.returncode != 0:
            print(f"previous engine: {revision} is not in this checkout; no comparison")
            return None
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        return install(Path(folder))


def python() -> str:
    return str(VENV / "bin" / "python") if VENV else sys.executable


def ketcost(venv: Path | None = None) -> list[str]:
    venv = venv or VENV
    if venv is not None:
        return [str(venv / "bin" / "ketcost")]
    found = shutil.which("ketcost")
    return [found] if found else [sys.executable, "-m", "ketcost"]


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def startup(runs: int) -> None:
    # The same minimal app, but exiting as `ketcost` does (gc.freeze() first, see cli.run), for a
    # like-for-like reading of the ratios; the targets are against the plain minimal app.
    frozen_exit = (
        "import gc, runpy, sys\n"
        f"sys.argv = [{str(HERE / 'minimal_app.py')!r}, '--route', 'iv']\n"
        "try:\n    runpy.run_path(sys.argv[0], run_name='__main__')\n"
        "finally:\n    gc.freeze()\n"
    )
    commands = {
        "minimal typer app": [python(), str(HERE / "minimal_app.py"), "--route", "iv"],
        "  the same, frozen at exit": [python(), "-c", frozen_exit],
        "ketcost estimate --json": [
            *ketcost(),
            "estimate",
            "--route",
            "iv",
            "--weeks",
            "4",
            "--json",
        ],
        "ketcost estimate (table)": [*ketcost(), "estimate", "--route", "iv", "--weeks", "4"],
    }
    for command in commands.values():  # warm the file cache
        wall(command)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # alternate, so drift affects every command alike
        for name, command in commands.items():
            times[name].append(wall(command))
    base = statistics.median(times["minimal typer app"])
    frozen = statistics.median(times["  the same, frozen at exit"])
    print(f"start-up, median of {runs} alternating runs (x the minimal app; x it frozen at exit):")
    for name, values in times.items():
        median = statistics.median(values)
        like = f"  {median / frozen:4.2f}x" if name.startswith("ketcost") else ""
        print(f"  {name:<26} {median * 1000:7.1f} ms  {median / base:4.2f}x{like}")


def tree_memory_kb(pid: int, workers: bool = True) -> tuple[int, int]:
    """(PSS, RSS) of a process and (unless `workers` is False) its worker processes, in KiB,
    from Linux /proc.

    PSS counts a page shared by n processes as 1/n in each, so the sum is what the whole run
    occupies; the RSS sum counts the pages the forked workers share with their parent again.
    """
    pss = rss = 0
    pids = [pid]
    if workers:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            pids += [int(c) for c in children]
        except OSError:
            pass
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:
            pass
    return pss, rss


def batch(
    count: int, out: Path, source: Iterator[str], limit: list[str]
) -> tuple[float, tuple[int, int]]:
    """Seconds and peak (PSS, RSS) KiB, all processes, for `count` records through stdin."""
    process = subprocess.Popen(
        [*ketcost(), "batch", "-", "-o", str(out), "--force", *limit],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = (0, 0)
    running = True

    def watch() -> None:
        nonlocal peak
        while running:
            pss, rss = tree_memory_kb(process.pid)
            peak = (max(peak[0], pss), max(peak[1], rss))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    start = time.perf_counter()
    watcher.start()
    assert process.stdin is not None
    for line in source:
        process.stdin.write(line)
    process.stdin.close()
    process.wait()
    elapsed = time.perf_counter() - start
    running = False
    watcher.join()
    return elapsed, peak


def check_sample(records: list[str], out: Path, sample: int) -> None:
    """A sample of batch records equals `ketcost estimate --plan ... --json` for each."""
    outputs = out.read_text().splitlines()
    rng = random.Random(7)
    checked = 0
    with tempfile.TemporaryDirectory() as folder:
        for index in rng.sample(range(len(records)), len(records)):
            if checked == sample:
                break
            got = json.loads(outputs[index])
            if "error" in got:
                continue
            record = json.loads(records[index])
            record.pop("id")
            plan = Path(folder) / "plan.toml"
            plan.write_text(tomli_w.dumps(record))
            direct = subprocess.run(
                [*ketcost(), "estimate", "--plan", str(plan), "--json"],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            got.pop("id")
            assert got == json.loads(direct.stdout), f"record {index} differs"
            checked += 1
    print(f"  the output of {checked} sampled records equals `ketcost estimate --json` for each")


def throughput(count: int, sample: int, runs: int) -> None:
    """Records from a file, as `ketcost batch FILE -o OUT` reads them: the benchmark writes
    the file first, so it takes no CPU from the run it measures (two CPUs are all there is).
    Each setting runs `runs` times, alternating, and the median is the figure."""
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "records.jsonl", Path(folder) / "out.jsonl"
        records = list(lines(count))
        source.write_text("".join(records))
        print(
            f"batch throughput, {count:,} varied JSON Lines records (about 2% invalid), a file, "
            f"median of {runs} alternating runs (slowest to fastest in brackets):"
        )
        engines = {"": VENV}
        if PREVIOUS_VENV is not None:
            engines[f" (previous engine, {PREVIOUS})"] = PREVIOUS_VENV
        settings = {
            f"{label}{engine}": (venv, limit)
            for label, limit in {"all CPUs": [], "--jobs 1": ["--jobs", "1"]}.items()
            for engine, venv in engines.items()
        }
        seconds: dict[str, list[float]] = {label: [] for label in settings}
        for _ in range(runs):
            for label, (venv, limit) in settings.items():
                output = out.with_suffix(".previous.jsonl") if venv is PREVIOUS_VENV else out
                command = [*ketcost(venv), "batch", str(source), "-o", str(output), "--force"]
                start = time.perf_counter()
                subprocess.run([*command, *limit], stderr=subprocess.DEVNULL, check=False)
                seconds[label].append(time.perf_counter() - start)
        medians = {label: statistics.median(values) for label, values in seconds.items()}
        for label, values in seconds.items():
            spread = "; ".join(f"{count / s:,.0f}" for s in sorted(values, reverse=True))
            rate = f"{count / medians[label]:,.0f}"
            print(f"  {label:<9} {medians[label]:6.2f} s, {rate} records a second ({spread})")
        for label in ("all CPUs", "--jobs 1"):
            previous = next((m for name, m in medians.items() if name.startswith(f"{label} (")), 0)
            if previous:
                print(
                    f"  {label}: {previous / medians[label]:.2f}x the previous engine's throughput"
                )
        if PREVIOUS_VENV is not None:
            same = out.read_bytes() == out.with_suffix(".previous.jsonl").read_bytes()
            verdict = "byte-identical to" if same else "NOT the same as"
            print(f"  the output is {verdict} the previous engine's")
        check_sample(records, out, sample)


def probe() -> None:
    """A fixed loop of Python, timed: how fast this machine runs right now. A cloud VM's speed
    drifts by a fifth and more from one hour to the next, so compare figures by it."""
    code = (
        "import time; t = time.perf_counter(); sum(range(10_000_000)); "
        "print(time.perf_counter() - t)"
    )
    times = [
        float(subprocess.run([python(), "-c", code], capture_output=True, text=True).stdout)
        for _ in range(5)
    ]
    median = statistics.median(times) * 1000
    print(f"machine speed now: a fixed Python loop, median of 5: {median:.0f} ms")


def memory(counts: tuple[int, int]) -> None:
    """Peak memory for the smaller and the larger count, with all CPUs (the figure) and then in
    one process (`--jobs 1`), where it shows when the caches are full: with two processes each
    has seen half the records at the smaller count."""
    print("batch peak memory of the main and worker processes, records generated into stdin:")
    with tempfile.TemporaryDirectory() as folder:
        for label, limit in {"all CPUs": [], "--jobs 1": ["--jobs", "1"]}.items():
            peaks = []
            for count in counts:
                seconds, (pss, rss) = batch(count, Path(folder) / "out.jsonl", lines(count), limit)
                peaks.append(pss)
                print(
                    f"  {label:<9} {count:>9,} records: {pss / 1024:6.1f} MB PSS ({rss / 1024:.1f}"
                    f" MB summed RSS), {count / seconds:,.0f} records a second"
                )
            print(f"  {label:<9} PSS ratio, larger run to smaller: {peaks[1] / peaks[0]:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts, a quick check")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    global VENV, PREVIOUS_VENV
    VENV = install(HERE.parent)
    PREVIOUS_VENV = install_previous(PREVIOUS)
    try:
        print(f"ketcost: {' '.join(ketcost())} (installed with `pip install .` into a fresh venv)")
        probe()
        startup(5 if args.quick else 41)
        throughput(
            10_000 if args.quick else 100_000, 5 if args.quick else 20, 1 if args.quick else 3
        )
        memory((10_000, 100_000) if args.quick else (100_000, 1_000_000))
    finally:
        for venv in (VENV, PREVIOUS_VENV):
            if venv is not None:
                shutil.rmtree(venv, ignore_errors=True)


if __name__ == "__main__":
    main()
