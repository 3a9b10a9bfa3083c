"""Where a price sheet's figures come from, and the small values its classes share: a source's
public address, a service code, a dose in mg."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field

from ketcost.domain.values import Text

CLOSED = ConfigDict(extra="forbid")  # a key the class does not have is a problem


def _web_address(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"https://[^\s<>\"]+", value):
        raise ValueError("a source url is a public https:// address")
    return value


def _code(value: str) -> str:
    if not re.fullmatch(r"[A-Z0-9]{4,7}", value):
        raise ValueError(f"{value[:20]!r} is not a service code (HCPCS or CPT, e.g. G2082)")
    return value


Url = Annotated[str, AfterValidator(_web_address)]
ServiceCode = Annotated[str, AfterValidator(_code)]
Milligrams = Annotated[int, Field(ge=1, le=10_000)]


def sourced_codes(codes: tuple[str, ...], source: str | None) -> None:
    """Service codes say where they come from."""
    if codes and source is None:
        raise ValueError("service_codes need a service_codes_source saying where they come from")


@dataclass(frozen=True, slots=True, kw_only=True)
class Sourced:
    """Where a figure comes from: the source in words, its public address and its date (the
    page's own date, `published`; for a page without one, the day it was read, `retrieved`)."""

    source: Text
    url: Url | None = None
    published: date | None = None
    retrieved: date | None = None

    @property
    def dated(self) -> date | None:
        """The date the figure is known to be from: its page's date, else the day it was read."""
        return self.published or self.retrieved
