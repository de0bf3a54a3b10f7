"""The routes a message can take, from most to least severe (docs/architecture.md, "Contracts")."""

# When a turn carries several routes, the most severe wins; clinical ones outrank the rest.
ROUTES_BY_SEVERITY = (
    "emergency",
    "urgent",
    "clinical",
    "grief",
    "billing",
    "booking",
    "faq",
    "optout",
    "other",
    "fallback",
)


def most_severe(routes: list[str]) -> str:
    known = [route for route in routes if route in ROUTES_BY_SEVERITY]
    if not known:
        return "fallback"
    return min(known, key=ROUTES_BY_SEVERITY.index)
