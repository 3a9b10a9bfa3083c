"""The shipped price sheet, ketcost/data/price_ranges.toml, as Python data: what
`tomllib.loads(text, parse_float=Decimal)` gives for it.

Written by `python tools/generate.py` from that file; edit the TOML, not this module
(`tests/test_sheets.py` checks that the two agree).
"""

import datetime

SHEET: dict[str, object] = {
    "name": "ketcost default US price ranges",
    "currency": "USD",
    "as_of": datetime.date(2026, 11, 1),
    "source": "Compiled by the ketcost project from the sources named on each route and protocol.",
    "routes": {
        "iv": {
            "label": "IV infusion",
            "aliases": ["infusion"],
            "session_price": [400, 800],
            "session_minutes": [40, 60],
            "insurance_eligible": False,
            "default_protocol": "standard",
            "max_per_week": 3,
            "max_per_week_source": "Murrough et al., Biological Psychiatry "
            "2013;74(4):250-256: six infusions over 12 days, three a "
            "week at most, the most frequent schedule in published "
            "IV series.",
            "source": "Patient-education summaries of US ketamine clinic prices; also "
            "published on the Ketamine Advocacy Network's cost page (\"doctors "
            'typically charge $400-800 per infusion").',
            "notes": "Insurers commonly class IV ketamine for depression as investigational "
            "(off-label), so it is usually not covered.",
        },
        "esketamine": {
            "label": "Intranasal esketamine (Spravato)",
            "aliases": ["intranasal", "spravato"],
            "session_price": [500, 900],
            "session_minutes": [20, 40],
            "observation_minutes": 120,
            "insurance_eligible": True,
            "default_protocol": "spravato-label",
            "max_per_week": 2,
            "max_per_week_source": "SPRAVATO prescribing information, section 2: at "
            "most twice a week, in the induction phase.",
            "service_codes": ["G2082", "G2083"],
            "service_codes_source": "CMS HCPCS Level II (from 2020): G2082, an "
            "office visit for an established patient with "
            "esketamine nasal self-administration of up to "
            "56 mg and 2 hours of post-administration "
            "observation; G2083, the same with more than 56 "
            "mg. Which applies depends on the dose the "
            "prescriber sets.",
            "source": "Patient-education summaries of US clinic prices; observation "
            "time from the SPRAVATO REMS (patients are monitored for at "
            "least 2 hours after each dose, until a clinician judges them "
            "ready to leave).",
            "notes": "FDA-approved for treatment-resistant depression, so it is "
            "commonly covered, usually with prior authorization. Other "
            "published listings put a session at $600-900.",
        },
        "oral": {
            "label": "Oral or sublingual ketamine",
            "aliases": ["sublingual"],
            "session_price": [100, 300],
            "insurance_eligible": False,
            "default_protocol": "standard",
            "source": "Patient-education summaries of US ketamine clinic prices for oral "
            "and sublingual (lozenge or troche) treatment.",
        },
    },
    "protocols": {
        "standard": {
            "label": "Typical clinic course",
            "source": "Patient-education summaries of US ketamine clinic practice: "
            "an induction of 2-3 sessions a week for 2-4 weeks, then "
            "maintenance monthly or every two weeks as needed.",
            "phases": [
                {"name": "induction", "weeks": [2, 4], "per_week": [2, 3]},
                {"name": "maintenance", "per_year": [12, 26]},
            ],
        },
        "spravato-label": {
            "label": "SPRAVATO label schedule",
            "route": "esketamine",
            "source": "SPRAVATO (esketamine) nasal spray prescribing "
            "information, section 2 Dosage and Administration: an "
            "induction phase of twice a week in weeks 1-4, then a "
            "maintenance phase of once a week in weeks 5-8 and "
            "every 2 weeks or once a week from week 9.",
            "url": "https://www.accessdata.fda.gov/drugsatfda_docs/label/2019/211243lbl.pdf",
            "published": datetime.date(2019, 3, 5),
            "phases": [
                {"name": "induction (weeks 1-4)", "weeks": 4, "per_week": 2},
                {"name": "weekly (weeks 5-8)", "part": "maintenance", "weeks": 4, "per_week": 1},
                {"name": "maintenance (week 9 on)", "every_weeks": [2, 1]},
            ],
        },
        "iv-series": {
            "label": "IV series of six, then boosters",
            "route": "iv",
            "source": "Murrough et al., Biological Psychiatry 2013;74(4):250-256 "
            "(six infusions over 12 days); booster spacing of every 2 "
            "to 6 weeks reflects varied clinic practice.",
            "url": "https://doi.org/10.1016/j.biopsych.2012.06.022",
            "published": datetime.date(2013, 8, 15),
            "phases": [
                {"name": "series", "sessions": 6, "weeks": [2, 3]},
                {"name": "boosters", "every_weeks": [6, 2], "starts_one_interval_after": True},
            ],
        },
    },
    "addons": {
        "consultation": {
            "label": "Initial medical and psychiatric evaluation",
            "price": [150, 450],
            "per": "course",
            "insurance_eligible": False,
            "insurance_eligible_routes": ["esketamine"],
            "source": "Published US clinic fees: evaluations of $150-300 and of "
            "about $350; one clinic lists a $200 intake plus a $250 "
            "medical evaluation.",
            "notes": "With esketamine, a covered treatment, the evaluation may be "
            "billed to insurance like any office visit.",
        },
        "integration": {
            "label": "Preparation or integration therapy session",
            "price": [175, 200],
            "per": "session",
            "insurance_eligible": False,
            "source": "Published therapists' fees for a preparation or integration "
            "therapy session: $175 (one clinic, September 2023) and $200 "
            "for 60 minutes (a ketamine-assisted psychotherapy "
            "practice's fee page).",
            "url": "https://madelinewarnickcounseling.com/ketamine-assisted-psychotherapy",
            "notes": "Two published fees; therapists' fees vary widely.",
        },
    },
}
