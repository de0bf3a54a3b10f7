"""README promises about grief support and the grief gate, followed through the real stack
(rasa, actions, api) to where the client and the nurse see them.

"A turn": when Rasa takes a question only a clinician may answer (another medicine, a dose, a
result, a prognosis, a treatment decision) "and answers such a question with grief support, the
grief gate keeps the support and a nurse answers too"; the most severe route of the turn wins;
and "a reply that promises a person (clinical, grief, "talk to a person") always has a case
behind it". So a client whose pet or relative died or is dying and who asks such a question
gets the grief support and a clinical case in the nurse queue; a client who only grieves gets
the grief support and the grief case behind it, not a clinical one. (The queue and the case
page name a case's route `category`.)

Written from the README, the end-to-end harness and the api's own answers, not from the code.
"""

import re
import sqlite3
import time
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import (
    HUMAN,
    KINDS,
    OUTBOX_POLL_SECONDS,
    VET,
    Stack,
    case_detail,
    handed_to_twilio,
    sms_number,
    wait,
)
from tests.e2e.conftest import template_category as category

pytestmark = [pytest.mark.e2e, pytest.mark.needs_model]
# Numbers no other end-to-end test texts from (fictional, 555-01XX).
VET_GATED_SMS = "+18725550161"
HUMAN_GATED_SMS = "+19295550162"
VET_THANKS_SMS = "+18725550163"
VET_GUILT_SMS = "+18725550165"
HUMAN_THANKS_SMS = "+19295550164"
VET_DEATH_STORY_SMS = "+18725550168"
HUMAN_DEATH_STORY_SMS = "+19295550169"


# --- helpers -------------------------------------------------------------------------------


def outbox_to(stack: Stack, number: str) -> list[dict[str, Any]]:
    """Every outbox row to `number`, oldest first, as {column: value} (read-only SQL)."""
    with sqlite3.connect(stack.workdir / "assistant.db") as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT * FROM outbox_message WHERE to_number = ? ORDER BY id", (number,)
        ).fetchall()
        return [dict(row) for row in rows]


def delivered_to(stack: Stack, number: str) -> list[dict[str, Any]]:
    """The rows to `number` once the outbox has delivered every one it is going to deliver."""
    wait(
        lambda: any(handed_to_twilio(r) for r in outbox_to(stack, number)),
        what=f"an outbox message to {number} handed to Twilio",
    )
    time.sleep(OUTBOX_POLL_SECONDS + 1)
    return outbox_to(stack, number)


def pages_for(stack: Stack, case_id: int) -> list[dict[str, Any]]:
    """Every page queued for the case (an outbox `page` row names the case's dashboard page)."""
    with sqlite3.connect(stack.workdir / "assistant.db") as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM outbox_message WHERE kind = 'page' ORDER BY id")
        return [
            dict(row)
            for row in rows.fetchall()
            if re.search(rf"/nurse/cases/{case_id}\b", row["body"] or "")
        ]


def cases_with_message(nurse: httpx.Client, text: str) -> list[dict[str, Any]]:
    """(summary, detail) of the open cases in the nurse's queue whose conversation holds the
    client's `text`, waiting for the first one."""
    found: list[dict[str, Any]] = []

    def opened() -> bool:
        queue = nurse.get("/api/v1/nurse/queue")
        assert queue.status_code == 200, queue.text
        found.clear()
        for summary in queue.json():
            detail = case_detail(nurse, summary["id"])
            if any(m["direction"] == "in" and m["body"] == text for m in detail["messages"]):
                found.append({"summary": summary, "detail": detail})
        return bool(found)

    wait(opened, what=f"a case in the nurse queue with the message {text!r}")
    return found


def assert_grief_support(practice: str, replies: list[tuple[str, str]]) -> None:
    """The client got grief support: an approved grief template of the practice's kind."""
    grief = [(t, text) for t, text in replies if category(t) == "grief"]
    assert grief, f"no grief support among the replies: {replies}"
    assert all(t.startswith(KINDS[practice]) and text for t, text in grief), replies


def assert_texted(stack: Stack, number: str, replies: list[tuple[str, str]]) -> None:
    """What the client's phone gets: the replies, through the outbox, handed to Twilio."""
    rows = delivered_to(stack, number)
    assert rows and all(r["kind"] == "reply" and handed_to_twilio(r) for r in rows), rows
    assert [(r["template_id"], r["body"]) for r in rows] == replies, (rows, replies)


def shows_reply(case: dict[str, Any], text: str) -> bool:
    """The case page's conversation holds the bot's reply `text` (or the SMS part of it)."""
    return any(m["direction"] == "out" and text in m["body"] for m in case["messages"])


def ask(
    stack: Stack, practice: str, channel: str, sender: str, words: str
) -> tuple[list[tuple[str, str]], dict[str, Any] | None]:
    """The client's message by SMS (`sender` is the phone number) or web chat; returns the
    (template, text) of each reply and, on web chat, the turn."""
    if channel == "sms":
        replies = stack.text(words, sender=sender, to=sms_number(stack, practice))
        return [(str(t), str(text)) for t, text in replies], None
    turn = stack.send(practice, words, sender)
    return [(r["template_id"], r["text"]) for r in turn["replies"]], turn


# --- 1. a clinical question in grief: the support, and a nurse too -------------------------

# The grief leads in each message, so that Rasa answers it with grief support (the README's
# condition for the gate); the question is one only a clinician may answer (a medicine to stop,
# a dose, what a result means). A message whose clinical question leads ("we lost rocky last
# night ... should his sister still get her chemo dose tomorrow?") is taken by Rasa as a plain
# clinical question: the nurse template and a case, which is the README's clinical route.


@pytest.mark.parametrize(
    ("practice", "channel", "sender", "words"),
    [
        (
            VET,
            "sms",
            VET_GATED_SMS,
            "rocky is going downhill fast and we think we have to put him to sleep this week, "
            "we're heartbroken. should we stop his prednisone now or keep going until then?",
        ),
        (
            VET,
            "web",
            "e2e-grief-gate-vet-web",
            "we're saying goodbye to daisy on friday and i can't stop crying. is it ok to give "
            "her an extra gabapentin at night so she can sleep?",
        ),
        (
            HUMAN,
            "sms",
            HUMAN_GATED_SMS,
            "my dad went into hospice this week and we know he doesn't have long. his pathology "
            "report came back monday, what do the results mean for how much time he has?",
        ),
    ],
    ids=["vet-sms-prednisone", "vet-web-gabapentin", "human-sms-pathology"],
)
def test_a_clinical_question_in_grief_gets_the_grief_support_and_a_nurse_case(
    rasa_up: Stack,
    nurses: dict[str, httpx.Client],
    practice: str,
    channel: str,
    sender: str,
    words: str,
) -> None:
    stack = rasa_up

    replies, turn = ask(stack, practice, channel, sender, words)

    # The client keeps the grief support (the gate keeps it), in the practice's approved words,
    # and is told that a nurse answers too (the clinical nurse template).
    assert_grief_support(practice, replies)
    clinical_replies = [(t, text) for t, text in replies if category(t) == "clinical"]
    assert clinical_replies, f"the client is not told a nurse will answer: {replies}"
    assert all(t.startswith(KINDS[practice]) for t, _ in clinical_replies), replies
    if channel == "sms":
        assert_texted(stack, sender, replies)
    else:
        assert turn is not None
        # The most severe route of the turn wins: clinical, with a case behind it.
        assert turn["route"] == "clinical", turn
        assert turn["escalation"] is not None, turn
    # A nurse answers too: a case in the practice's nurse queue, with the client's words and
    # what the client was sent.
    found = cases_with_message(nurses[practice], words)
    if turn is not None:
        assert turn["escalation"]["id"] in [c["summary"]["id"] for c in found], (found, turn)
    for _, text in replies:
        assert any(shows_reply(c["detail"], text) for c in found), (text, found)
    # Staff of the other practice never see it.
    other = nurses[HUMAN if practice == VET else VET].get("/api/v1/nurse/queue").json()
    assert not {c["summary"]["id"] for c in found} & {c["id"] for c in other}, other
    # The nurse sees the question for what it is: a clinical question's case (the turn's
    # route; "clinical_question" is the category the queue gives every such case), not grief
    # support alone.
    assert [c for c in found if c["summary"]["category"] == "clinical_question"], (
        "the nurse queue shows no clinical case for a question only a clinician may answer, "
        f"only: {[c['summary'] for c in found]}"
    )


def test_a_dose_question_about_a_dying_pet_reaches_a_nurse_whichever_route_it_takes(
    rasa_up: Stack, nurses: dict[str, httpx.Client]
) -> None:
    """Where the question leads, the dialogue may read it as a plain clinical question (the
    linear intent classifier does: docs/evaluation.md, "Seventh round"): the nurse template and
    a case, as the README's clinical route says; the grief support is then not sent."""
    words = (
        "our vet says daisy is dying and it's days now not weeks. is it ok to give her an "
        "extra gabapentin at night so she can sleep?"
    )
    replies, turn = ask(rasa_up, VET, "web", "e2e-grief-gate-vet-web-dose", words)

    assert turn is not None and turn["route"] == "clinical", turn
    assert any(category(t) == "clinical" for t, _ in replies), replies
    found = cases_with_message(nurses[VET], words)
    assert turn["escalation"]["id"] in [c["summary"]["id"] for c in found], (found, turn)


# --- 2. grief alone: the support and the grief case behind it, no clinical case -------------


@pytest.mark.parametrize(
    ("practice", "channel", "sender", "words"),
    [
        (
            VET,
            "sms",
            VET_THANKS_SMS,
            "we had to let our sweet girl pepper go yesterday. thank you all so much for "
            "taking such good care of her these last few months",
        ),
        (
            VET,
            "web",
            "e2e-grief-gate-vet-cremation",
            "our cat milo passed away at home last night. how do we go about cremation, "
            "can we get his ashes back?",
        ),
        (
            HUMAN,
            "sms",
            HUMAN_THANKS_SMS,
            "my wife passed away on sunday. i just wanted to thank the nurses for being so "
            "kind to her and to all of us",
        ),
        # Guilt in grief that the learned safety net alone reads as self-harm; the grief check
        # (README, "A turn") leaves it to the grief support (an outside line, 2026-12-06).
        (
            VET,
            "sms",
            VET_GUILT_SMS,
            "Honestly I think I waited too long with Rusty and he suffered those last two days "
            "because I was being selfish. I cant forgive myself for that",
        ),
        # A death told in an emergency's words (README, safety triage: a message that reports
        # for certain that the patient has died): grief support, no emergency template, no page.
        (
            VET,
            "sms",
            VET_DEATH_STORY_SMS,
            "our dog biscuit passed away last night. he was gasping and then he stopped "
            "breathing in my arms. thank you all for the extra months",
        ),
        (
            HUMAN,
            "sms",
            HUMAN_DEATH_STORY_SMS,
            "my husband died at home this morning. his breathing got loud and rattly overnight "
            "and then it stopped. thank you all for caring for him",
        ),
    ],
    ids=[
        "vet-sms-thanks",
        "vet-web-cremation",
        "human-sms-thanks",
        "vet-sms-guilt",
        "vet-sms-death-story",
        "human-sms-death-story",
    ],
)
def test_grief_alone_gets_the_grief_support_and_no_clinical_case(
    rasa_up: Stack,
    nurses: dict[str, httpx.Client],
    practice: str,
    channel: str,
    sender: str,
    words: str,
) -> None:
    stack = rasa_up

    replies, turn = ask(stack, practice, channel, sender, words)

    assert_grief_support(practice, replies)
    # Not told to rush to the emergency vet or the ER, and no urgent call promised.
    assert not [t for t, _ in replies if category(t) in ("emergency", "urgent")], replies
    # No nurse is put in for a clinical question: no clinical reply is sent.
    assert not [t for t, _ in replies if category(t) == "clinical"], replies
    if channel == "sms":
        assert_texted(stack, sender, replies)
    else:
        assert turn is not None
        assert turn["route"] == "grief", turn
        # A grief reply promises a person, so it has a case behind it.
        assert turn["escalation"] is not None, turn
    # The case behind the grief reply is in the nurse queue, with the client's words and the
    # support sent; it is a grief case, not a clinical one.
    found = cases_with_message(nurses[practice], words)
    assert [c["summary"]["category"] for c in found] == ["grief"], [c["summary"] for c in found]
    [case] = found
    if turn is not None:
        assert case["summary"]["id"] == turn["escalation"]["id"], (case["summary"], turn)
    for _, text in replies:
        assert shows_reply(case["detail"], text), (text, case["detail"]["messages"])
    # Nobody is paged for grief: the on-call phone gets nothing for this case.
    assert pages_for(stack, case["summary"]["id"]) == [], case["summary"]
