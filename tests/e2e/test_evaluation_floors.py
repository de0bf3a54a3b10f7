"""Floors on the development sets, measured through the whole stack exactly as `make eval`
does (each line is the first message of a new web-chat conversation). The figures of the
latest run are in docs/evaluation.md."""

from collections.abc import Iterator

import pytest

from assistant.evaluation.metrics import Outcome, Report
from assistant.evaluation.run import evaluate, load
from assistant.settings import ROOT
from tests.e2e.conftest import running_stack

pytestmark = [pytest.mark.e2e, pytest.mark.needs_model]
DEV_SET = ROOT / "tests" / "data" / "dev_set.jsonl"
OUTSIDER_SET = ROOT / "tests" / "data" / "dev_outsider.jsonl"
WORKERS = 4  # chats at once: the api, rasa and the actions work side by side


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # A stack of its own: hundreds of cases and pages would crowd the other tests' outbox. Four
    # chats at once, past the chat's per-address limit, as `python -m bench.recipes` sends them.
    for stack in running_stack(
        tmp_path_factory.mktemp("evaluation"), CHAT_RATE_PER_ADDRESS="1000000/minute"
    ):
        yield stack.api


@pytest.fixture(scope="module")
def report(api: str) -> Report:
    return evaluate(load(DEV_SET), api, workers=WORKERS)


@pytest.fixture(scope="module")
def outsider_report(api: str) -> Report:
    return evaluate(load(OUTSIDER_SET), api, workers=WORKERS)


def _recall(report: Report, route: str) -> float:
    found = next(r for r in report.routes if r.route == route)
    assert found.recall is not None and found.support > 0
    return found.recall


def test_faq_route_recall_is_at_least_90_percent(report: Report) -> None:
    assert _recall(report, "faq") >= 0.90


def test_faq_lines_get_or_are_offered_the_answer_they_asked_for_at_least_75_percent(
    report: Report,
) -> None:
    assert report.faq_answered_or_offered is not None
    assert report.faq_answered_or_offered >= 0.75, [
        (o.expected_template, o.got_templates, o.suggested_templates, o.text)
        for o in report.outcomes
        if o.expected_template and not o.topic_answered_or_offered
    ]


def test_an_faq_answer_rarely_misses_the_question(report: Report) -> None:
    # A wrong approved answer is as bad as an unapproved one (issue 16): a doubtful answer is
    # offered with "Did you mean" instead. 3 of 116 on the development set at 0.6 confidence.
    wrong = report.faq_wrong_answers
    assert len(report.faq_replies) >= 80
    assert len(wrong) <= 0.03 * len(report.faq_replies), [
        (o.expected, o.expected_template, o.got_templates, o.text) for o in wrong
    ]


def test_every_emergency_is_caught_and_nothing_routine_is_paged(report: Report) -> None:
    assert report.emergency_recall == 1.0
    over = [(o.expected, o.got, o.text) for o in report.over_triage]
    # Urgent signs are paged already; since the learned net may raise the rules' urgent signs
    # to an emergency (sealed generation 24: 3 more emergencies found, 2 more over-triaged),
    # two development lines downplayed with "probably nothing but" are read as emergencies
    # (docs/evaluation.md, "Tenth round"). Nothing routine is paged.
    assert all(expected == "urgent" and got == "emergency" for expected, got, _ in over), over
    assert len(over) <= 2, over


def test_clinical_messages_rarely_get_a_lower_route(report: Report) -> None:
    assert len(report.under_triage) <= 2, [(o.expected, o.got, o.text) for o in report.under_triage]


def test_booking_route_recall_is_at_least_95_percent(report: Report) -> None:
    assert _recall(report, "booking") >= 0.95


def test_billing_route_recall_is_at_least_90_percent(report: Report) -> None:
    assert _recall(report, "billing") >= 0.90


# The outside development lines (written by someone who had not read the code or the data):
# the safety figures of docs/evaluation.md, "Outside development lines, and a learned safety
# net", held where they are.
def test_outside_lines_every_emergency_is_caught(outsider_report: Report) -> None:
    assert outsider_report.emergency_recall == 1.0, [
        (o.expected, o.got, o.text) for o in outsider_report.under_triage
    ]


def test_outside_lines_under_and_over_triage_stay_at_their_measured_levels(
    outsider_report: Report,
) -> None:
    under = [(o.expected, o.got, o.text) for o in outsider_report.under_triage]
    over = [(o.expected, o.got, o.text) for o in outsider_report.over_triage]
    # 7 and 11 with the four-kind safety net; on the sealed set it cut under-triage from 28
    # to 21 at one more over-triaged message (docs/evaluation.md).
    assert len(under) <= 7, under
    assert len(over) <= 11, over


def test_outside_lines_opt_outs_in_own_words_are_all_honoured(outsider_report: Report) -> None:
    # Honoured means confirmed (and so recorded): a crisis the safety net reads in the same
    # message may raise the route, but never cancels the opt-out.
    opt_outs = [o for o in outsider_report.outcomes if o.expected == "optout"]
    missed = [(o.got, o.got_templates, o.text) for o in opt_outs if not _stops_texts(o)]
    assert len(opt_outs) == 20 and missed == []


def _stops_texts(outcome: Outcome) -> bool:
    return any(
        t in ("consent.stopped", "consent.stopped_after_hours") for t in outcome.got_templates
    )
