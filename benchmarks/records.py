"""Varied batch records for the benchmark: seeded, so every run prices the same scenarios."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

ROUTES = ["iv", "esketamine", "oral", "infusion", "spravato", "sublingual"]
PROTOCOLS = ["standard", "standard", "standard", "spravato-label", "iv-series"]
MAINTENANCE = [None, "monthly", "biweekly", "weekly", "monthly-biweekly"]


def record(rng: random.Random, index: int) -> dict[str, Any]:
    """One scenario; about 2% are invalid in one of several ways."""
    data: dict[str, Any] = {"id": f"r{index}", "route": rng.choice(ROUTES)}
    protocol = rng.choice(PROTOCOLS)
    data["protocol"] = protocol
    if protocol == "standard":
        low = rng.randint(1, 4)
        data["weeks"] = rng.choice([low, f"{low}-{low + rng.randint(1, 3)}", [low, low + 1]])
        if rng.random() < 0.3:
            data["per_week"] = rng.choice([2, 3, "2-3", [1, 2]])
    if protocol != "iv-series" or rng.random() < 0.5:
        data["maintenance_months"] = rng.randint(0, 24)
        maintenance = rng.choice(MAINTENANCE)
        if maintenance:
            data["maintenance"] = maintenance
    if rng.random() < 0.4:
        data["insurance"] = {
            "deductible": rng.randrange(0, 5001, 250),
            "coinsurance": rng.choice([0, 10, 20, 30, 40]),
        }
        if rng.random() < 0.5:
            data["insurance"]["oop_max"] = rng.randrange(1000, 8001, 500)
        if rng.random() < 0.3:
            data["insurance"]["copay"] = rng.choice([20, 35, 50])
    if rng.random() < 0.3:
        data["with"] = rng.sample(["consultation", "integration"], rng.randint(1, 2))
    if rng.random() < 0.1:
        data["extra"] = [f"psychotherapy={rng.randint(100, 150)}-{rng.randint(150, 300)}/session"]
    if rng.random() < 0.2:
        data["discount"] = rng.choice([5, 10, 15, 20])
    if rng.random() < 0.1:
        data["assistance"] = rng.randrange(100, 3001, 100)
    if rng.random() < 0.02:  # the invalid ones
        broken = rng.choice(["route", "weeks", "key", "type"])
        if broken == "route":
            data["route"] = "nasal"
        elif broken == "weeks":
            data["weeks"] = 99
        elif broken == "key":
            data["colour"] = "blue"
        else:
            data["maintenance_months"] = "lots"
    return data


def lines(count: int, seed: int = 20261127) -> Iterator[str]:
    """`count` JSON Lines, with a line that is not JSON every 5,000 records."""
    rng = random.Random(seed)
    for index in range(count):
        if index % 5000 == 4999:
            yield "{not json\n"
        else:
            yield json.dumps(record(rng, index)) + "\n"
