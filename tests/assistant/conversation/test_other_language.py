"""A message in a language the assistant does not answer in goes to a person at once: within
the urgent deadline when it may be about health."""

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db.models import Escalation, OutboxMessage
from assistant.safety.health_words import may_be_about_health
from assistant.safety.language import other_language
from tests.assistant.conversation.test_turn import (  # noqa: F401 - the autouse fixture
    NOW,
    ON_CALL_PHONE,
    _shared_triage,
    add_on_call_oncologist,
    custom,
    handler_for,
    rasa_answering,
    run_turn,
)
from tests.conftest import add_practice


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("mi gato no come desde ayer, que hago", "es"),
        ("cuánto cuesta la consulta de mañana", "es"),
        ("我的狗今天不吃东西", "zh"),
        ("Tôi muốn đặt lịch hẹn cho con chó", "vi"),
    ],
)
def test_a_sure_other_language_is_named(text: str, language: str) -> None:
    assert other_language(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "si",
        "hola",
        "gracias",  # a word or two is never enough
        "what time do you open",
        "hes been siezing for like 6 minutes",
        "my dog Pancho ate tacos off the counter",
        "hi Lucia here, is Dr Garcia in today",
        "how much do i owe",  # langid alone says Polish
        "lorem ipsum dolor sit amet",
    ],
)
def test_english_and_short_words_are_not(text: str) -> None:
    assert other_language(text) is None


def test_it_gets_the_bilingual_reply_and_a_person_without_asking_rasa(session: Session) -> None:
    def respond(body: dict) -> httpx.Response:
        raise AssertionError("an English model must not guess at another language")

    result = run_turn(
        session, rasa_answering(respond), "mi perrita esta muy triste y no quiere jugar"
    )

    assert result.route == "clinical"
    assert [r.template_id for r in result.replies] == ["both.handoff.other_language"]
    assert "Recibimos su mensaje" in result.replies[0].text
    case = session.scalars(select(Escalation)).one()
    assert (case.priority, case.category) == ("routine", "other_language")


def test_english_still_goes_to_the_dialogue(session: Session) -> None:
    def respond(body: dict) -> httpx.Response:
        return httpx.Response(200, json=[custom("greet.hello", "other")])

    result = run_turn(session, rasa_answering(respond), "hello there how are you")

    assert [r.template_id.split(".", 1)[1] for r in result.replies] == ["greet.hello"]


@pytest.mark.parametrize(
    "text",
    [
        # Spanish about the pet's body, in words the rules do not list.
        "a mi perrita le salieron unas bolitas raras en la panza y se las lame",
        # Vietnamese: no word list, so we cannot tell what it is about.
        "Con chó của tôi hôm nay rất lạ, tôi lo quá",
    ],
)
def test_one_that_may_be_about_health_is_read_within_the_hour_and_pages(
    session: Session, text: str
) -> None:
    def respond(body: dict) -> httpx.Response:
        raise AssertionError("an English model must not guess at another language")

    practice = add_practice(session, kind="veterinary")
    add_on_call_oncologist(session, practice)
    result = handler_for(rasa_answering(respond)).handle(
        session, practice=practice, channel="web", sender_key="web-xyz", text=text, now=NOW
    )

    assert result.route == "urgent"
    assert [r.template_id for r in result.replies] == ["both.handoff.other_language"]
    case = session.get_one(Escalation, result.escalation.id)
    assert (case.priority, case.category) == ("urgent", "other_language")
    [page] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "page")).all()
    assert page.to_number == ON_CALL_PHONE


@pytest.mark.parametrize(
    ("language", "text", "about_health"),
    [
        ("es", "tiene la encia bien palida y no se quiere parar", True),
        ("es", "se comio dos pastillas de mi ibuprofeno", True),
        ("es", "ya no le veo sentido a nada, quisiera dormirme y no despertar", True),
        ("es", "quisiera cambiar la cita de Canela del jueves", False),
        ("es", "Rocky murió anoche, gracias por todo", False),
        ("es", "cuanto debo de la ultima visita", False),
        ("zh", "我的狗今天很奇怪", True),  # no word list: we cannot tell
    ],
)
def test_what_may_be_about_health_in_another_language(
    language: str, text: str, about_health: bool
) -> None:
    assert may_be_about_health(text, language) is about_health
