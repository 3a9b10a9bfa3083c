"""Exact output of each renderer: what a person or a script sees, character for character."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from ketcost import Estimate, Plan, PriceSheet, estimate
from ketcost.render import (
    OutputFormat,
    render_addons,
    render_estimate,
    render_protocols,
    render_routes,
)


@pytest.fixture
def iv_four_weeks(sheet: PriceSheet) -> Estimate:
    return estimate(Plan(route="iv", weeks=4), sheet)


TABLE = (
    "IV infusion: Typical clinic course (estimate)\n"
    "\n"
    " Phase       Schedule          Sessions       Per session                  Cost\n"
    " ──────────────────────────────────────────────────────────────────────────────\n"
    " induction   2–3 sessions a        8–12   $400.00–$800.00   $3,200.00–$9,600.00\n"
    "             week for 4\n"
    "             weeks\n"
    "\n"
    " Total                             8–12                     $3,200.00–$9,600.00\n"
    "\n"
    "Assumptions:\n"
    '- Prices per session are the published range for IV infusion in "ketcost default\n'
    "  US price ranges\" (as of 2026-11-01); a clinic's own prices may differ.\n"
    '- Price source: Ketamine Advocacy Network, "How much does ketamine therapy\n'
    '  cost?" (an undated page): "In the US, doctors typically charge $400-800 per\n'
    '  infusion".\n'
    "- The course lasts 4 weeks (0.9 months) from the first session: the induction\n"
    "  weeks 1–4.\n"
    "- Maintenance (monthly to every 2 weeks) is not included; add\n"
    "  --maintenance-months N to include N months of it, or --months N for a course\n"
    "  of N months in all.\n"
    "- Session counts are rounded half up once per phase (a month is 52/12 weeks);\n"
    "  money is rounded to the cent, half up.\n"
    "- Not included: insurance, consultations, psychotherapy or other add-ons.\n"
    "\n"
    "This is an estimate, not a bill, a quote from a clinic, or medical advice.\n"
    "Ketamine treatment happens only under licensed medical supervision.\n"
)

MARKDOWN = (
    "## IV infusion: Typical clinic course (estimate)\n"
    "\n"
    "| Phase | Schedule | Sessions | Per session | Cost |\n"
    "| --- | --- | ---: | ---: | ---: |\n"
    "| induction | 2–3 sessions a week for 4 weeks | 8–12 | $400.00–$800.00 | $3,200.00–$9,600.00 |\n"
    "| **Total** |  | **8–12** |  | **$3,200.00–$9,600.00** |\n"
    "\n"
    "**Assumptions:**\n"
    "\n"
    '- Prices per session are the published range for IV infusion in "ketcost default US price ranges" (as of 2026-11-01); a clinic\'s own prices may differ.\n'
    '- Price source: Ketamine Advocacy Network, "How much does ketamine therapy cost?" (an undated page): "In the US, doctors typically charge $400-800 per infusion".\n'
    "- The course lasts 4 weeks (0.9 months) from the first session: the induction weeks 1–4.\n"
    "- Maintenance (monthly to every 2 weeks) is not included; add --maintenance-months N to include N months of it, or --months N for a course of N months in all.\n"
    "- Session counts are rounded half up once per phase (a month is 52/12 weeks); money is rounded to the cent, half up.\n"
    "- Not included: insurance, consultations, psychotherapy or other add-ons.\n"
    "\n"
    "_This is an estimate, not a bill, a quote from a clinic, or medical advice. Ketamine treatment happens only under licensed medical supervision._\n"
)

CSV = (
    "item,schedule,count_low,count_high,unit_price_low,unit_price_high,amount_low,amount_high\n"
    "induction,2–3 sessions a week for 4 weeks,8,12,400.00,800.00,3200.00,9600.00\n"
    "Total billed,,8,12,,,3200.00,9600.00\n"
    "Out of pocket,,,,,,3200.00,9600.00\n"
)


def test_table(iv_four_weeks: Estimate) -> None:
    assert render_estimate(iv_four_weeks, OutputFormat.TABLE, width=80) == TABLE


def test_markdown(iv_four_weeks: Estimate) -> None:
    assert render_estimate(iv_four_weeks, OutputFormat.MARKDOWN) == MARKDOWN


def test_csv(iv_four_weeks: Estimate) -> None:
    assert render_estimate(iv_four_weeks, OutputFormat.CSV) == CSV


def test_json_contract(iv_four_weeks: Estimate) -> None:
    data = json.loads(render_estimate(iv_four_weeks, OutputFormat.JSON))
    assert data["schema_version"] == 1
    assert data["currency"] == "USD"
    assert (data["route"], data["route_label"], data["protocol"]) == (
        "iv",
        "IV infusion",
        "standard",
    )
    assert data["price_sheet"] == {
        "name": "ketcost default US price ranges",
        "as_of": "2026-11-01",
        "source": data["price_sheet"]["source"],
    }
    assert data["phases"] == [
        {
            "name": "induction",
            "part": "induction",
            "schedule": "2–3 sessions a week for 4 weeks",
            "sessions": {"low": 8, "high": 12},
            "price_per_session": {"low": "400.00", "high": "800.00"},
            "cost": {"low": "3200.00", "high": "9600.00"},
        }
    ]
    assert data["sessions"] == {"low": 8, "high": 12}
    assert data["total"] == {"low": "3200.00", "high": "9600.00"}
    assert all(isinstance(line, str) for line in data["assumptions"])


def test_colour_only_when_asked(iv_four_weeks: Estimate) -> None:
    plain = render_estimate(iv_four_weeks, OutputFormat.TABLE, color=False)
    coloured = render_estimate(iv_four_weeks, OutputFormat.TABLE, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured


def test_table_fits_eighty_columns(iv_four_weeks: Estimate, sheet: PriceSheet) -> None:
    texts = [
        render_estimate(iv_four_weeks, OutputFormat.TABLE, width=80),
        render_routes(sheet, OutputFormat.TABLE, width=80),
        render_protocols(sheet, OutputFormat.TABLE, width=80),
    ]
    assert all(len(line) <= 80 for text in texts for line in text.splitlines())


def test_markdown_escapes_pipes(sheet: PriceSheet) -> None:
    routes = {**sheet.routes, "iv": replace(sheet.routes["iv"], label="IV | infusion")}
    renamed = replace(sheet, routes=routes)
    assert "IV \\| infusion" in render_routes(renamed, OutputFormat.MARKDOWN)


MACHINE_FORMATS = (OutputFormat.JSON, OutputFormat.CSV)


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_format_renders_every_listing(fmt: OutputFormat, sheet: PriceSheet) -> None:
    """A new OutputFormat member that some listing cannot render fails here."""
    result = estimate(Plan(route="esketamine", protocol="standard", maintenance_months=2), sheet)
    for text, expected in (
        (render_estimate(result, fmt), "6540.00" if fmt in MACHINE_FORMATS else "$6,540.00"),
        (render_routes(sheet, fmt), "esketamine"),
        (render_protocols(sheet, fmt), "spravato-label"),
    ):
        assert text.endswith("\n")
        assert expected in text


def test_listing_csv_is_data_shaped(sheet: PriceSheet) -> None:
    """A complete row per item, whatever it holds; booleans as true/false; plain prices."""
    import csv as csv_module

    for render, key in (
        (render_routes, "id"),
        (render_protocols, "protocol"),
        (render_addons, "id"),
    ):
        rows = list(csv_module.reader(render(sheet, OutputFormat.CSV).splitlines()))
        assert rows[0][0] == key
        assert all(len(row) == len(rows[0]) for row in rows)
    routes = list(csv_module.DictReader(render_routes(sheet, OutputFormat.CSV).splitlines()))
    assert routes[0]["session_price_low"] == "400.00"
    assert [r["insurance_eligible"] for r in routes] == ["false", "true", "false", "false"]
    assert routes[1]["aliases"] == "intranasal;spravato"
    addons = list(csv_module.DictReader(render_addons(sheet, OutputFormat.CSV).splitlines()))
    assert addons[0]["insurance_eligible_routes"] == "esketamine"


def test_estimate_csv_has_one_header_whatever_the_options(sheet: PriceSheet) -> None:
    plain = render_estimate(estimate(Plan(route="iv", weeks=4), sheet), OutputFormat.CSV)
    itemized = render_estimate(
        estimate(Plan(route="iv", weeks=4, discount=10, with_=("consultation",)), sheet),
        OutputFormat.CSV,
    )
    assert plain.splitlines()[0] == itemized.splitlines()[0]
    assert plain.splitlines()[0].startswith("item,schedule,count_low,count_high")


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_addons_in_every_format(sheet: PriceSheet, fmt: OutputFormat) -> None:
    text = render_addons(sheet, fmt)
    assert "consultation" in text
    assert ("450.00" if fmt in MACHINE_FORMATS else "$450.00") in text


def test_protocols_json_has_schedules(sheet: PriceSheet) -> None:
    data = json.loads(render_protocols(sheet, OutputFormat.JSON))
    standard = next(p for p in data["protocols"] if p["id"] == "standard")
    assert [p["schedule"] for p in standard["phases"]] == [
        "2–3 sessions a week for 2–4 weeks",
        "monthly to every 2 weeks, for --maintenance-months",
    ]
