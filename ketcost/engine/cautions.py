"""The estimate's warnings: one small function per way a plan is outside the route's label or
usual practice, or an option does nothing. The estimate is still made; the CLI prints each line
on stderr after `warning: ` and `--json` carries them as `warnings`."""

from __future__ import annotations

import functools
from fractions import Fraction

from ketcost import wording
from ketcost.domain.plan import Plan
from ketcost.domain.sheet import Phase, PriceSheet, Route
from ketcost.engine.schedule import Course, Scheduled, own_weeks, weekly_rate


def cautions(
    plan: Plan, sheet: PriceSheet, route_id: str, protocol_id: str, plan_course: Course
) -> tuple[str, ...]:
    """Every warning for this plan, in a fixed order."""
    route, protocol = sheet.routes[route_id], sheet.protocols[protocol_id]
    made_for = sheet.find_route(protocol.route) if protocol.route else None
    other = sheet.routes[made_for] if made_for else None
    return course_cautions(protocol_id, other, route, plan_course, plan.medication == "included")


def course_cautions(
    protocol_id: str,
    made_for: Route | None,
    route: Route,
    plan_course: Course,
    medication_included: bool,
) -> tuple[str, ...]:
    """The warnings of a course on a route (the plan's schedule fields are the course's)."""
    lines = [*other_route(protocol_id, made_for, route), *schedule_cautions(route, plan_course)]
    schedule = plan_course.schedule
    if maintenance_unused(plan_course):
        lines.append(
            f"--maintenance {schedule.maintenance} does nothing without --maintenance-months N "
            "or --months N: no maintenance is priced"
            if schedule.months is None
            else f"--maintenance {schedule.maintenance} does nothing: the {schedule.months}-month "
            "course has no room for a maintenance session after the induction"
        )
    if medication_included and route.medication is None:
        lines.append(
            f"--medication included changes nothing: {route.label} has no medication billed "
            "beside the session in this price sheet"
        )
    return tuple(lines)


def other_route(protocol_id: str, made_for: Route | None, route: Route) -> tuple[str, ...]:
    """A protocol written for another route."""
    if made_for is None or made_for == route:
        return ()
    return (
        f"protocol {protocol_id!r} is made for {made_for.label}, not {route.label}; "
        "the figures follow it anyway",
    )


def schedule_cautions(route: Route, plan_course: Course) -> tuple[str, ...]:
    """The course's phases with more sessions a week than the sheet allows the route."""
    if route.max_per_week is None:
        return ()
    found = (scheduled_caution(scheduled, route) for scheduled in plan_course.phases)
    return tuple(line for line in found if line is not None)


@functools.lru_cache(maxsize=4096)
def scheduled_caution(scheduled: Scheduled, route: Route) -> str | None:
    """`too_often` for a phase as a course schedules it. Cached on the scheduled phase, which
    courses share (`schedule._scheduled`): the check is exact arithmetic in fractions, and
    made for every estimate it was about a tenth of an estimate's time."""
    return too_often(scheduled.phase, route)


def too_often(phase: Phase, route: Route) -> str | None:
    """A phase (as the plan changed it) with more sessions a week than the route's usual most."""
    assert route.max_per_week is not None
    if phase.sessions is not None:
        weeks = own_weeks(phase)
        most = Fraction(phase.sessions.high) / (weeks[0] if weeks and weeks[0] else 1)
    else:
        most = weekly_rate(phase)[1]
    if most <= Fraction(route.max_per_week.high):
        return None
    limit = wording.number(route.max_per_week.high)
    return (
        f"{phase.name} schedules up to {wording.weeks_span((most, most))} sessions a week, more "
        f"than the {limit} a week usual for {route.label} "
        f"({(route.max_per_week_source or '').rstrip('.')})"
    )


def maintenance_unused(plan_course: Course) -> bool:
    """--maintenance given, but the course has no maintenance session in either case."""
    return plan_course.schedule.maintenance is not None and not any(
        phase.sessions.high for phase in plan_course.phases if phase.part == "maintenance"
    )
