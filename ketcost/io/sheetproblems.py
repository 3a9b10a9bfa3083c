"""What is wrong with a price sheet, said per key: the problems that span the sheet (names used
twice, references to routes or protocols that do not exist) and every validation error as
`FILE: key.path: message`."""

from typing import Any

from pydantic import ValidationError

from ketcost.io.sheets import key_path

_MESSAGES = {
    "extra_forbidden": "unknown key (check the spelling)",
    "unexpected_keyword_argument": "unknown key (check the spelling)",  # a dataclass's
    "missing": "required key is missing",
    "missing_keyword_argument": "required key is missing",
}


class CrossReferenceError(ValueError):
    """Problems that span the sheet, each with the key path it belongs to."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))
        self.problems = problems


def reference_problems(
    aliases: dict[str, list[str]], protocol_routes: dict[str, str | None]
) -> list[tuple[str, str]]:
    """Names used twice across routes, and protocols naming a route that does not exist."""
    problems: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for route_id, names in aliases.items():
        for name in (route_id, *names):
            owner = seen.setdefault(name.casefold(), route_id)
            if owner != route_id:
                problems.append(
                    (f"routes.{route_id}.aliases", f"{name!r} already names route {owner!r}")
                )
    for protocol_id, route in protocol_routes.items():
        if route is not None and route.casefold() not in seen:
            problems.append(
                (
                    f"protocols.{protocol_id}.route",
                    f"unknown route {route!r}; routes: {', '.join(aliases)}",
                )
            )
    return problems


def raw_reference_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Cross-references checked on the raw TOML, so they are reported beside other problems.

    (The model checks them too, but only once everything else in the sheet is valid.)
    """
    routes, protocols = data.get("routes"), data.get("protocols")
    if not isinstance(routes, dict) or not isinstance(protocols, dict):
        return []
    aliases = {
        str(rid): [a for a in r.get("aliases", []) if isinstance(a, str)]
        for rid, r in routes.items()
        if isinstance(r, dict) and isinstance(r.get("aliases", []), list)
    }
    named = {
        str(pid): p["route"]
        for pid, p in protocols.items()
        if isinstance(p, dict) and isinstance(p.get("route"), str)
    }
    return reference_problems(aliases, named)


def sheet_problems(error: ValidationError, origin: str) -> list[str]:
    """Every problem in a ValidationError as `origin: key.path: message`."""
    lines: list[str] = []
    for detail in error.errors():
        cause: Any = detail.get("ctx", {}).get("error")
        if isinstance(cause, CrossReferenceError):
            lines.extend(f"{origin}: {path}: {message}" for path, message in cause.problems)
            continue
        path = key_path(detail["loc"])
        message = _MESSAGES.get(detail["type"], detail["msg"].removeprefix("Value error, "))
        lines.append(f"{origin}: {path}: {message}" if path else f"{origin}: {message}")
    return lines
