"""The routes a message can take, from most to least severe (docs/architecture.md, "Contracts")."""

from enum import StrEnum


class Route(StrEnum):
    """Where a message goes; declared from most to least severe (clinical ones first)."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    CLINICAL = "clinical"
    GRIEF = "grief"
    BILLING = "billing"
    BOOKING = "booking"
    FAQ = "faq"
    OPTOUT = "optout"
    OTHER = "other"
    FALLBACK = "fallback"


# When a turn carries several routes, the most severe wins; clinical ones outrank the rest.
ROUTES_BY_SEVERITY = tuple(Route)


def most_severe(routes: list[str]) -> str:
    known = [route for route in routes if route in ROUTES_BY_SEVERITY]
    if not known:
        return Route.FALLBACK
    return min(known, key=ROUTES_BY_SEVERITY.index)
