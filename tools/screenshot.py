"""Make `docs/quote.png`, the README's picture of a quote, from the real HTML: the README's plan
(`ana.toml` without `weeks`, `extra`, `discount`, `assistance`, `budget`, `prices` and `notes`)
through `ketcost quote`, drawn by headless Chromium.

    python tools/screenshot.py

It also writes `docs/quote.html.sha256`, the hash of the HTML the picture was made from;
`tests/test_docs.py` makes the same quote and checks the hash, so a change to what a quote shows
fails until the picture is made again. Today is pinned as in the tests (`golden.pinned_terminal`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PICTURE = ROOT / "docs" / "quote.png"
HASH = ROOT / "docs" / "quote.html.sha256"
SIZE = "900,1100"  # the first page's top: the headline, the itemized estimate, the chart

PLAN = """\
route = "esketamine"
protocol = "spravato-label"
maintenance = "biweekly"
maintenance_months = 6
with = ["consultation"]
installments = 12

[insurance]
deductible = 1000
coinsurance = 20
copay = 0
oop_max = 3000
covered = true

[quote]
client = "Ana Díaz"
prepared_by = "J. Counselor"
clinic = "Example Clinic"
"""


def quote_html(folder: Path) -> str:
    """The quote's HTML, made in-process as `ketcost quote --plan ana.toml -o ana-quote.html`."""
    from ketcost.cli import main

    plan, page = folder / "ana.toml", folder / "ana-quote.html"
    plan.write_text(PLAN, "utf-8")
    with contextlib.redirect_stderr(io.StringIO()):
        code = main(["quote", "--plan", str(plan), "-o", str(page), "--force"])
    if code != 0:
        raise SystemExit(f"ketcost quote exited {code}")
    return page.read_text("utf-8")


def digest(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def main() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    import golden

    golden.pinned_terminal()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("needs chromium (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        html = quote_html(folder)
        subprocess.run(
            [
                browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--hide-scrollbars", f"--user-data-dir={folder / 'profile'}",
                f"--window-size={SIZE}", f"--screenshot={PICTURE}",
                (folder / "ana-quote.html").as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )  # fmt: skip
    HASH.write_text(f"{digest(html)}  the HTML docs/quote.png was made from\n", "utf-8")
    print(f"wrote {PICTURE.relative_to(ROOT)} and {HASH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
