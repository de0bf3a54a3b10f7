"""Answers to a pre-visit reminder in a turn: C confirms without the dialogue engine, R asks
the dialogue to move the visit, and the same letters without a reminder go to the dialogue."""

import json

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.conversation.turn import TurnHandler
from assistant.db.models import Appointment, Practice
from assistant.dialogue.rasa_client import RasaClient
from assistant.safety.triage import Triage
from assistant.settings import ROOT
from assistant.templates import TemplateRegistry
from tests.assistant.outreach.support import at, book, scheduler
from tests.assistant.scheduling.clinic import make_clinic

PHONE = "+13125550150"
REGISTRY = TemplateRegistry.load(ROOT / "templates")


def rasa_recording(seen: list[str]) -> RasaClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content)["message"])
        reply = {"custom": {"template": "booking.ask_identity", "route": "booking"}}
        return httpx.Response(200, json=[{"recipient_id": "x", **reply}])

    return RasaClient("http://rasa.test", timeout=5, transport=httpx.MockTransport(handler))


def text(session: Session, triage: Triage, rasa: RasaClient, body: str, minute: int) -> list[str]:
    practice = session.scalars(select(Practice)).one()
    handler = TurnHandler(
        registry=REGISTRY, dialogue=rasa, triage=triage, case_url_base="https://example.org"
    )
    result = handler.handle(
        session,
        practice=practice,
        channel="sms",
        sender_key=PHONE,
        text=body,
        now=at(1, "09:00").replace(minute=minute),
    )
    return [reply.template_id for reply in result.replies]


def test_c_confirms_the_reminded_visit_and_r_starts_moving_it(
    session: Session, triage: Triage
) -> None:
    clinic = make_clinic(session)
    visit_id = book(session, clinic, at(3, "09:00"))
    scheduler().run(session, now=at(1, "08:00"))
    seen: list[str] = []
    rasa = rasa_recording(seen)

    confirmed = text(session, triage, rasa, "C", minute=1)
    moving = text(session, triage, rasa, " r ", minute=2)

    assert confirmed == ["both.booking.attendance_confirmed"]
    assert session.get_one(Appointment, visit_id).confirmed_at == at(1, "09:01")
    assert moving == ["vet.booking.ask_identity"]
    assert seen == ["/reschedule_appointment"]  # only R reached the dialogue


def test_c_without_a_reminder_is_left_to_the_dialogue(session: Session, triage: Triage) -> None:
    clinic = make_clinic(session)
    book(session, clinic, at(3, "09:00"))  # booked, but no reminder was sent
    seen: list[str] = []

    text(session, triage, rasa_recording(seen), "C", minute=1)

    assert seen == ["C"]


def test_book_without_a_referral_is_left_to_the_dialogue(session: Session, triage: Triage) -> None:
    make_clinic(session)
    seen: list[str] = []

    text(session, triage, rasa_recording(seen), "BOOK", minute=1)

    assert seen == ["BOOK"]
