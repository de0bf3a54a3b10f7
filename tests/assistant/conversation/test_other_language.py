"""A message in a language the assistant does not answer in goes to a person at once."""

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.conversation.language import other_language
from assistant.db.models import Escalation
from tests.assistant.conversation.test_turn import (  # noqa: F401 - the autouse fixture
    _shared_triage,
    custom,
    rasa_answering,
    run_turn,
)


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
