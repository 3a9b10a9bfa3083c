"""The pricing engine: a Plan and a PriceSheet in, an Estimate out. Pure: no CLI, no I/O.

`estimate` resolves the names the plan gives, then calls down once each through
`schedule` (the course), `bill` (line items and totals), `insurance` (the per-charge rule and
plan years), `assumptions` (the lines that say how the figures were made) and `cautions` (the
warnings).
"""

from ketcost.engine.estimate import (
    DISCLAIMER,
    course_of,
    estimate,
    rank,
    resolve,
)

__all__ = ["DISCLAIMER", "course_of", "estimate", "rank", "resolve"]
