"""A real wheel installs into a fresh virtual environment and works from any directory."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
    )
    (built,) = out.glob("ketcost-*.whl")
    return built


def test_wheel_ships_the_price_sheet(wheel: Path) -> None:
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "ketcost/data/price_ranges.toml" in names
    assert "ketcost/py.typed" in names
    assert "ketcost/templates/quote.html.j2" in names


def fresh_venv(where: Path) -> Path:
    """A new venv whose packages, but for what is installed into it, are the test run's own."""
    venv.create(where, with_pip=True)
    python = where / "bin" / "python"
    # The runtime dependencies come from the environment running these tests (a fresh venv made
    # by the README's test line, or CI's), never from the base interpreter: its site-packages go
    # on the new venv's path after its own, so ketcost itself can only come from the wheel.
    # (A .pth line adds a folder to sys.path but does not run the .pth files inside it, so the
    # editable install of the tested checkout stays out.)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(site) / "test-dependencies.pth").write_text("\n".join(ours) + "\n")
    return python


def test_installed_wheel_runs_from_a_temporary_directory(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    python = fresh_venv(env_dir)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], check=True
    )
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import ketcost; print(ketcost.__file__)"],
        capture_output=True,
        text=True,
        cwd=workdir,
        check=True,
    )
    assert where.stdout.startswith(str(env_dir))
    run = subprocess.run(
        [str(env_dir / "bin" / "ketcost"), "estimate", "--route", "iv", "--weeks", "4", "--json"],
        capture_output=True,
        text=True,
        cwd=workdir,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["total"] == {"low": "3200.00", "high": "9600.00"}
    quote = subprocess.run(
        [str(env_dir / "bin" / "ketcost"), "quote", "-r", "iv", "-o", "quote.html"],
        capture_output=True,
        text=True,
        cwd=workdir,
        check=False,
    )
    assert quote.returncode == 0, quote.stderr
    assert "<svg" in (workdir / "quote.html").read_text()  # the template ships in the wheel


def test_the_extras_install_and_work(wheel: Path, tmp_path: Path) -> None:
    # `pip install "ketcost[arrow,dask]"` resolves every requirement the extras name (here from
    # the test run's own packages: --no-index), and Parquet out and the Dask module then work.
    env_dir = tmp_path / "venv"
    python = fresh_venv(env_dir)
    install = [str(python), "-m", "pip", "install", "--no-index", f"{wheel}[arrow,dask]"]
    pip = subprocess.run(install, capture_output=True, text=True, check=True)
    assert "does not provide the extra" not in pip.stdout + pip.stderr
    records = tmp_path / "records.jsonl"
    records.write_text('{"id": "a", "route": "iv", "weeks": 4}\n')
    out = tmp_path / "out.parquet"
    batch = [str(env_dir / "bin" / "ketcost"), "batch", str(records), "-o", str(out)]
    run = subprocess.run(batch, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    check = "import pyarrow.parquet as pq, ketcost.dask; print(pq.read_table(%r).num_rows)"
    read = subprocess.run(
        [str(python), "-c", check % str(out)], capture_output=True, text=True, check=True
    )
    assert read.stdout == "1\n"
