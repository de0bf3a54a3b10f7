"""Safety floors of issue 4, measured on the development set with the triage rules alone.

Emergencies must all be caught; urgent messages must reach urgent or emergency; routine
business (FAQ, booking, billing, greetings) must rarely page anyone.
"""

import json
from collections import Counter

import pytest

from assistant.evaluation.run import KIND_FOR_AUDIENCE
from assistant.safety.triage import Triage
from assistant.settings import ROOT

DEV_SET = [
    json.loads(line) for line in (ROOT / "tests/data/dev_set.jsonl").read_text().splitlines()
]
NON_CLINICAL = {"faq", "booking", "billing", "other"}


@pytest.fixture(scope="module")
def outcomes(triage: Triage) -> list[tuple[dict, str | None]]:
    return [
        (item, triage.assess(item["text"], KIND_FOR_AUDIENCE[item["audience"]]).priority)
        for item in DEV_SET
    ]


def test_every_emergency_is_caught(outcomes: list[tuple[dict, str | None]]) -> None:
    missed = [
        (i["audience"], i["text"], got)
        for i, got in outcomes
        if i["route"] == "emergency" and got != "emergency"
    ]

    assert missed == []


def test_urgent_messages_reach_urgent_or_emergency_at_least_98_percent(outcomes) -> None:
    urgent = [(i, got) for i, got in outcomes if i["route"] == "urgent"]
    missed = [
        (i["audience"], i["text"], got) for i, got in urgent if got not in ("urgent", "emergency")
    ]

    assert len(urgent) >= 60
    assert len(missed) <= 0.02 * len(urgent), missed


def test_routine_business_rarely_pages_anyone(outcomes) -> None:
    routine = [(i, got) for i, got in outcomes if i["route"] in NON_CLINICAL]
    paged = [(i["route"], i["text"], got) for i, got in routine if got is not None]

    assert len(routine) >= 100
    assert len(paged) <= 0.10 * len(routine), paged


def test_dev_set_covers_every_route_for_both_audiences() -> None:
    counts = Counter((i["audience"], i["route"]) for i in DEV_SET)
    routes = (
        "emergency",
        "urgent",
        "clinical",
        "faq",
        "booking",
        "billing",
        "grief",
        "optout",
        "other",
        "fallback",
    )

    assert all(counts[(audience, route)] > 0 for audience in KIND_FOR_AUDIENCE for route in routes)
