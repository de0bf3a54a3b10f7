"""README promises about opting out in the client's own words, other languages and FAQ
answers, followed through the real stack (rasa, actions, api) to where the client and staff
see them: the outbox (what a texting client gets), the turn result (what a web chat client
gets) and the nurse queue (where staff see cases).

Written from the README, the end-to-end harness and the api's own answers, not from the code.
"""

import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from tests.e2e.conftest import (
    Stack,
    case_detail,
    handed_to_twilio,
    signed_in,
    sms_number,
    wait,
)

pytestmark = [pytest.mark.e2e, pytest.mark.needs_model]
VET = "cedar-vet-oncology"
HUMAN = "harbor-surgical-oncology"
VET_NURSE = "jordan.reyes@cedar-vet.example.org"  # the README's demo veterinary nurse
HUMAN_NURSE = "beth.ramsey@harbor-surgical.example.org"  # and its demo surgical nurse
# Numbers no other end-to-end test texts from (fictional, 555-01XX).
OWN_WORDS_OPT_OUT = "+17735550191"
STOP_KEYWORD = "+17735550192"
STILL_SUBSCRIBED = "+17735550193"
RED_FLAG_OPT_OUT = "+17735550194"
SPANISH_HEALTH = "+17735550198"
OUTBOX_POLL_SECONDS = 2  # the README's default


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def nurse(stack: Stack) -> Iterator[httpx.Client]:
    """An http client signed in as the veterinary nurse."""
    with signed_in(stack, VET_NURSE) as client:
        assert client.get("/api/v1/nurse/queue").status_code == 200
        yield client


@pytest.fixture
def templates(stack: Stack) -> dict[str, dict[str, Any]]:
    """Every template either demo practice may send, as the admin templates api lists it to
    one of its nurses."""
    found: dict[str, dict[str, Any]] = {}
    for email in (VET_NURSE, HUMAN_NURSE):
        with signed_in(stack, email) as client:
            response = client.get("/api/v1/admin/templates")
            assert response.status_code == 200, response.text
            found.update({t["id"]: t for t in response.json()})
    return found


def outbox_rows(stack: Stack, *, after: int = 0) -> list[dict[str, Any]]:
    """Every outbox row after id `after`, oldest first, as {column: value} (read-only SQL)."""
    with sqlite3.connect(stack.workdir / "assistant.db") as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT * FROM outbox_message WHERE id > ? ORDER BY id", (after,)
        ).fetchall()
        return [dict(row) for row in rows]


def last_outbox_id(stack: Stack) -> int:
    rows = outbox_rows(stack)
    return int(rows[-1]["id"]) if rows else 0


def to_number(stack: Stack, number: str, *, after: int = 0) -> list[dict[str, Any]]:
    return [row for row in outbox_rows(stack, after=after) if row["to_number"] == number]


def delivered_to(stack: Stack, number: str, *, after: int = 0) -> list[dict[str, Any]]:
    """The rows to `number` once the outbox has delivered every one it is going to deliver."""
    wait(
        lambda: any(handed_to_twilio(r) for r in to_number(stack, number, after=after)),
        what=f"an outbox message to {number} handed to Twilio",
    )
    time.sleep(OUTBOX_POLL_SECONDS + 1)
    return to_number(stack, number, after=after)


def queued_case_with_message(nurse: httpx.Client, text: str) -> dict[str, Any]:
    """The open case in the nurse's queue whose conversation holds the client's `text`."""
    found: list[dict[str, Any]] = []

    def opened() -> bool:
        for summary in nurse.get("/api/v1/nurse/queue").json():
            if any(m["body"] == text for m in case_detail(nurse, summary["id"])["messages"]):
                found.append(summary)
                return True
        return False

    wait(opened, what=f"a case in the nurse queue with the message {text!r}")
    return found[0]


def renders(template_text: str, sent: str) -> bool:
    """`sent` is `template_text` with its named placeholders filled in, and nothing else."""
    pattern = "".join(
        ".+?" if re.fullmatch(r"\{\w+\}", part) else re.escape(part)
        for part in re.split(r"(\{\w+\})", template_text)
    )
    return re.fullmatch(pattern, sent, flags=re.DOTALL) is not None


def assert_turn_shape(turn: dict[str, Any]) -> None:
    """The turn result as the README shows it."""
    assert set(turn) >= {"conversation_id", "route", "replies", "escalation"}, turn
    assert turn["conversation_id"], turn
    assert turn["replies"], turn
    for reply in turn["replies"]:
        assert set(reply) >= {"template_id", "template_version", "text"}, reply
        assert reply["template_id"] and reply["text"], reply


# --- 1. opting out in the client's own words ---------------------------------------------


@pytest.mark.parametrize(
    ("sender", "words"),
    [
        (OWN_WORDS_OPT_OUT, "please take me off this list"),
        ("+17735550195", "stop texting me"),
        # The README's Spanish keyword and Spanish own words.
        ("+17735550196", "PARAR"),
        ("+17735550197", "ya no me manden mensajes por favor"),
        # Wording read as an opt-out since 2026-12-07 (tests/data/optout_outsider2.yml).
        ("+17735550261", "kindly discontinue the text messages to this phone, thanks"),
        ("+17735550262", "pls unsubcribe me from ur txts"),
    ],
)
def test_an_opt_out_in_the_clients_own_words_opts_the_number_out(
    rasa_up: Stack, sender: str, words: str
) -> None:
    stack = rasa_up
    practice_number = sms_number(stack, VET)
    question = "what time do you open on saturday"

    # The README's own keyword, for the confirmation it gets.
    if not to_number(stack, STOP_KEYWORD):
        stack.text("STOP", sender=STOP_KEYWORD, to=practice_number)
    [stop_confirmation] = delivered_to(stack, STOP_KEYWORD)

    stack.text(words, sender=sender, to=practice_number)
    [confirmation] = delivered_to(stack, sender)
    assert confirmation["template_id"] == stop_confirmation["template_id"], confirmation
    assert confirmation["kind"] == stop_confirmation["kind"], confirmation

    # Any further reply is not sent to the number that opted out ...
    before = last_outbox_id(stack)
    stack.text(question, sender=sender, to=practice_number)
    # ... while the same question from a number that did not opt out is answered and sent
    # (after it, so the outbox has had its turn at the opted-out number's reply).
    stack.text(question, sender=STILL_SUBSCRIBED, to=practice_number)
    assert delivered_to(stack, STILL_SUBSCRIBED, after=before)

    later = to_number(stack, sender, after=before)
    assert not [row for row in later if handed_to_twilio(row)], later
    assert not [row for row in later if row["sent_at"]], later
    # Only the confirmation ever went out to that number.
    sent = [row for row in to_number(stack, sender) if handed_to_twilio(row)]
    assert [row["id"] for row in sent] == [confirmation["id"]], sent


# --- 2. an opt-out sentence with a red flag in it -------------------------------------------


def test_an_opt_out_with_a_red_flag_is_answered_as_an_emergency_and_not_opted_out(
    rasa_up: Stack, nurse: httpx.Client
) -> None:
    stack = rasa_up
    practice_number = sms_number(stack, VET)
    words = "stop texting me, my dog is having a seizure right now"
    before = last_outbox_id(stack)

    replies = stack.text(words, sender=RED_FLAG_OPT_OUT, to=practice_number)

    # The client gets the emergency template (plain or after-hours), and only that.
    assert [t for t, _ in replies], replies
    assert all(t.startswith("vet.emergency.") for t, _ in replies), replies
    # An emergency case is open in the nurse queue, with the red flag in the client's words.
    case = queued_case_with_message(nurse, words)
    assert case["priority"] == "emergency", case
    assert case["red_flags"], case
    # The on-call clinician is paged by SMS through the outbox, about this case.
    wait(
        lambda: any(
            r["kind"] == "page" and handed_to_twilio(r) for r in outbox_rows(stack, after=before)
        ),
        what="a page to the on-call phone handed to Twilio",
    )
    pages = [r for r in outbox_rows(stack, after=before) if r["kind"] == "page"]
    assert all(p["to_number"] != RED_FLAG_OPT_OUT for p in pages), pages
    # the page names the case (its number or its link)
    assert any(re.search(rf"[#/]{case['id']}\b", p["body"]) for p in pages), pages

    # The number was not opted out: no confirmation, and the next question is answered and sent.
    rows = delivered_to(stack, RED_FLAG_OPT_OUT, after=before)
    assert all(r["kind"] == "reply" and handed_to_twilio(r) for r in rows), rows
    after_emergency = last_outbox_id(stack)
    answer = stack.text(
        "what time do you open on saturday", sender=RED_FLAG_OPT_OUT, to=practice_number
    )
    assert answer, "the client that was not opted out got no answer"
    later = delivered_to(stack, RED_FLAG_OPT_OUT, after=after_emergency)
    assert later and all(handed_to_twilio(r) for r in later), later


# --- 3. and 4. other languages -----------------------------------------------------------


def languages_of(text: str) -> set[str]:
    """English or Spanish, sentence by sentence."""
    identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    identifier.set_languages(["en", "es"])
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 3]
    return {identifier.classify(s)[0] for s in sentences}


def test_a_spanish_routine_question_gets_the_two_language_hand_off_and_a_case(
    rasa_up: Stack, nurse: httpx.Client
) -> None:
    words = "hola, ¿a qué hora abren la clínica el sábado para las visitas?"

    turn = rasa_up.send(VET, words, sender="e2e-readme-spanish-hours")

    assert_turn_shape(turn)
    [reply] = turn["replies"]
    assert "faq" not in reply["template_id"], reply  # not answered through the English model
    assert languages_of(reply["text"]) == {"en", "es"}, reply
    assert turn["escalation"] is not None, turn
    assert turn["escalation"]["priority"] == "routine", turn
    # The case is where staff see cases: the practice's nurse queue, with the client's words.
    case = queued_case_with_message(nurse, words)
    assert case["id"] == turn["escalation"]["id"], (case, turn)
    assert case["priority"] == "routine", case


def test_a_spanish_sentence_with_no_red_flag_gets_the_same_hand_off(rasa_up: Stack) -> None:
    """The hand-off is one template, whatever the routine matter."""
    first = rasa_up.send(
        VET, "¿Cuál es el horario de visitas de la clínica esta semana?", "e2e-es-1"
    )
    second = rasa_up.send(VET, "necesito cambiar la cita de mi perro para el martes", "e2e-es-2")

    assert [r["template_id"] for r in first["replies"]] == [
        r["template_id"] for r in second["replies"]
    ], (first, second)
    assert first["escalation"] is not None and second["escalation"] is not None


@pytest.mark.parametrize(
    ("practice", "words"),
    [
        (VET, "mi perro está teniendo una convulsión ahora mismo"),
        (VET, "mi perro colapsó y no se levanta"),
        # Caught since the lexicons learned Spanish wording (c5cec69); xfail before.
        (VET, "mi perro no puede respirar y tiene las encías azules"),
        (VET, "mi gato tiene las encías azules y respira con la boca abierta"),
        (HUMAN, "tengo dolor en el pecho y no puedo respirar"),
    ],
)
def test_a_spanish_red_flag_is_answered_as_an_emergency_not_handed_off(
    rasa_up: Stack, practice: str, words: str
) -> None:
    turn = rasa_up.send(practice, words, sender=f"e2e-readme-es-red-flag-{words[:24]}")

    assert_turn_shape(turn)
    assert turn["route"] == "emergency", turn
    kind = "vet." if practice == VET else "human."
    assert turn["replies"][0]["template_id"].startswith(f"{kind}emergency."), turn
    assert turn["escalation"] is not None and turn["escalation"]["priority"] == "emergency"


def test_a_spanish_message_that_may_be_about_health_is_urgent_and_pages_the_on_call(
    rasa_up: Stack, nurse: httpx.Client
) -> None:
    """No red flag, but everyday words about the pet's body: the two-language hand-off, an urgent
    case a person reads within the hour, and a page to the on-call, as for an urgent sign."""
    stack = rasa_up
    practice_number = sms_number(stack, VET)
    words = "a mi perrita le salieron unas bolitas raras en la panza y se las lame"
    before = last_outbox_id(stack)

    replies = stack.text(words, sender=SPANISH_HEALTH, to=practice_number)

    # The client gets the hand-off, in English and Spanish, and nothing else.
    [(template_id, text)] = replies
    assert "faq" not in template_id and "emergency" not in template_id, replies
    assert languages_of(text) == {"en", "es"}, text
    [sent] = delivered_to(stack, SPANISH_HEALTH, after=before)
    assert sent["kind"] == "reply" and handed_to_twilio(sent), sent
    assert (sent["template_id"], sent["body"]) == (template_id, text), sent
    # An urgent case in the nurse queue, with the client's words, to be read within the hour.
    case = queued_case_with_message(nurse, words)
    assert case["priority"] == "urgent", case
    opened = datetime.fromisoformat(case["created_at"])
    due = datetime.fromisoformat(case["due_at"])
    assert timedelta(0) < due - opened <= timedelta(hours=1), case
    # The on-call is paged by SMS through the outbox, about this case, not at the client.
    names_case = re.compile(rf"[#/]{case['id']}\b")

    def paged() -> list[dict[str, Any]]:
        return [
            r
            for r in outbox_rows(stack, after=before)
            if r["kind"] == "page" and names_case.search(r["body"])
        ]

    wait(
        lambda: any(handed_to_twilio(p) for p in paged()),
        what=f"a page about case {case['id']} handed to Twilio",
    )
    assert all(p["to_number"] != SPANISH_HEALTH for p in paged()), paged()


def test_a_spanish_thank_you_after_a_death_gets_the_hand_off_and_a_routine_case(
    rasa_up: Stack,
) -> None:
    """Thanks, not health: the same two-language hand-off, with a routine case."""
    words = "mi esposo falleció el domingo, gracias a todos por cuidarlo tan bien"

    turn = rasa_up.send(HUMAN, words, sender="e2e-readme-es-thanks-after-a-death")

    assert_turn_shape(turn)
    [reply] = turn["replies"]
    assert "faq" not in reply["template_id"], reply
    assert "emergency" not in reply["template_id"], reply
    assert languages_of(reply["text"]) == {"en", "es"}, reply
    assert turn["escalation"] is not None, turn
    assert turn["escalation"]["priority"] == "routine", turn
    # The case is in the surgical practice's nurse queue, with the client's words.
    with signed_in(rasa_up, HUMAN_NURSE) as nurse:
        case = queued_case_with_message(nurse, words)
    assert case["id"] == turn["escalation"]["id"], (case, turn)
    assert case["priority"] == "routine", case


# --- 5. FAQ answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("practice", "text", "template_id"),
    [
        # the README's own examples
        (VET, "what time do you open saturday", "both.faq.hours"),
        (HUMAN, "what time do you open saturday", "both.faq.hours"),
        (VET, "will my dog lose his hair on chemo", "vet.faq.hair_loss"),
    ],
)
def test_a_clear_routine_question_gets_the_approved_answer(
    rasa_up: Stack, templates: dict[str, dict[str, Any]], practice: str, text: str, template_id: str
) -> None:
    turn = rasa_up.send(practice, text, sender=f"e2e-readme-faq-{practice}-{template_id}")

    assert_turn_shape(turn)
    assert turn["route"] == "faq", turn
    assert turn["escalation"] is None, turn
    [reply] = turn["replies"]
    assert reply["template_id"] == template_id, reply
    # Word for word the approved template, at its approved version, filled in for the practice.
    template = templates[template_id]
    assert template["sendable"], template
    assert reply["template_version"] == template["version"], (reply, template)
    assert renders(template["text"], reply["text"]), (reply["text"], template["text"])


# Slightly garbled questions; the model is not 0.6 sure of any of them (tried by hand).
GARBLED = ["wat tme u opn", "hrs sat", "hair thing on chemo", "drive after"]


def test_yes_to_did_you_mean_sends_the_faq_answer_it_named(
    rasa_up: Stack, templates: dict[str, dict[str, Any]]
) -> None:
    asked: list[tuple[str, str, dict[str, Any]]] = []
    for n, text in enumerate(GARBLED):
        for practice in (VET, HUMAN):
            sender = f"e2e-readme-did-you-mean-{n}-{practice}"
            turn = rasa_up.send(practice, text, sender)
            if any("Did you mean:" in r["text"] for r in turn["replies"]):
                asked.append((practice, sender, turn))
    if not asked:
        pytest.skip(f"none of {GARBLED} got a 'Did you mean' with this model")

    for practice, sender, turn in asked:
        assert_turn_shape(turn)
        assert turn["escalation"] is None, turn
        [question] = [r["text"] for r in turn["replies"] if "Did you mean:" in r["text"]]
        title = re.search(r"Did you mean: (.+?)\?", question)
        assert title, question

        answer = rasa_up.send(practice, "YES", sender)

        assert_turn_shape(answer)
        assert answer["route"] == "faq", answer
        [reply] = answer["replies"]
        template = templates[reply["template_id"]]
        # The FAQ answer whose title the question named, in its approved words.
        assert template["title"], template
        assert template["title"].lower() == title.group(1).lower(), (template, question)
        assert renders(template["text"], reply["text"]), (reply["text"], template["text"])
