"""Booking endpoints for the action server (shared secret): identity checks, offered times,
booking, moving, cancelling and confirming visits. Thin: the work is in assistant.scheduling."""

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from api.deps import SessionDep, conversation_or_404, require_internal_token
from assistant.identity.verification import verify
from assistant.outreach.replies import REFERRAL_BOOKING_REQUEST, referral_visit_type
from assistant.scheduling import client_requests
from assistant.scheduling.client_requests import OfferView
from assistant.scheduling.form_answers import Question, answers_question

router = APIRouter(
    prefix="/internal/v1/conversations/{conversation_id}",
    tags=["internal"],
    dependencies=[Depends(require_internal_token)],
)


class IdentityAnswer(BaseModel):
    answer: str


class PickRequest(BaseModel):
    text: str
    what: Literal["patient", "visit_type", "visit"]


class OfferIn(BaseModel):
    starts_at: datetime
    clinician_id: int
    label: str


class AnswerCheck(BaseModel):
    question: Question
    text: str
    # The times the client was offered (for "the 2nd one"), as the form holds them.
    offer_times: list[datetime] = []


class OffersRequest(BaseModel):
    type_code: str
    when: str = ""
    hints: list[str] = []
    # `when` is the first request, which may name no day: then offer the soonest times.
    soonest_if_unread: bool = False


class TimeRequest(OffersRequest):
    patient_id: int | None = None
    move_visit_id: int | None = None
    offers: list[OfferIn] = []
    text: str
    idempotency_key: str


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/booking")
def booking_context(conversation_id: str, session: SessionDep) -> dict[str, Any]:
    """Identity status, and (verified only) pets or patients, coming visits and visit types."""
    found = client_requests.context(
        session, conversation=conversation_or_404(session, conversation_id), now=_now()
    )
    return asdict(found)


@router.post("/identity")
def check_identity(
    conversation_id: str, body: IdentityAnswer, session: SessionDep
) -> dict[str, str]:
    status = verify(
        session,
        conversation=conversation_or_404(session, conversation_id),
        answer=body.answer,
        now=_now(),
    )
    session.commit()
    return {"identity": status}


@router.post("/booking/pick")
def pick(conversation_id: str, body: PickRequest, session: SessionDep) -> dict[str, Any]:
    """Which pet or patient, visit type or coming visit the client's words name (or null)."""
    conversation = conversation_or_404(session, conversation_id)
    found = client_requests.context(session, conversation=conversation, now=_now())
    picked: int | str | None
    if body.what == "patient":
        picked = client_requests.match_patient(body.text, found.patients)
    elif body.what == "visit_type":
        picked = client_requests.match_visit_type(body.text, found.visit_types)
        if picked is None and body.text.strip() == REFERRAL_BOOKING_REQUEST:
            # "BOOK" answering a referral (assistant.outreach.replies): the referral's type.
            referral = referral_visit_type(session, conversation=conversation, now=_now())
            offered = {code for code, _ in found.visit_types}
            picked = referral if referral in offered else None
    else:
        picked = client_requests.match_visit(body.text, found.visits)
    return {"picked": picked}


@router.post("/booking/answers")
def answers(conversation_id: str, body: AnswerCheck, session: SessionDep) -> dict[str, bool]:
    """Whether a reply answers the form's question (assistant.scheduling.form_answers);
    read only: nothing is booked, verified or counted."""
    conversation = conversation_or_404(session, conversation_id)
    now = _now()
    found = client_requests.context(session, conversation=conversation, now=now)
    answered = answers_question(
        body.question,
        body.text,
        context=found,
        offer_times=body.offer_times,
        timezone=ZoneInfo(conversation.practice.timezone),
        now=now,
    )
    return {"answers": answered}


@router.post("/booking/offers")
def offers(conversation_id: str, body: OffersRequest, session: SessionDep) -> dict[str, Any]:
    conversation = conversation_or_404(session, conversation_id)
    answer = client_requests.offers_for(
        session,
        conversation=conversation,
        type_code=body.type_code,
        when=body.when,
        hints=body.hints,
        now=_now(),
        soonest_if_unread=body.soonest_if_unread,
    )
    return asdict(answer)


@router.post("/booking/time")
def take_time(conversation_id: str, body: TimeRequest, session: SessionDep) -> dict[str, Any]:
    """Book (or move to) the offered time the client chose, or offer times for a new day."""
    conversation = conversation_or_404(session, conversation_id)
    answer = client_requests.answer_time(
        session,
        conversation=conversation,
        type_code=body.type_code,
        patient_id=body.patient_id,
        move_visit_id=body.move_visit_id,
        offers=[OfferView(o.starts_at, o.clinician_id, o.label) for o in body.offers],
        text=body.text,
        when=body.when,
        hints=body.hints,
        idempotency_key=body.idempotency_key,
        now=_now(),
    )
    session.commit()
    return asdict(answer)


@router.post("/visits/{visit_id}/cancel")
def cancel_visit(conversation_id: str, visit_id: int, session: SessionDep) -> dict[str, Any]:
    conversation = conversation_or_404(session, conversation_id)
    view = client_requests.cancel_visit(
        session, conversation=conversation, visit_id=visit_id, now=_now()
    )
    session.commit()
    return asdict(view)


@router.post("/visits/{visit_id}/confirm")
def confirm_visit(conversation_id: str, visit_id: int, session: SessionDep) -> dict[str, Any]:
    conversation = conversation_or_404(session, conversation_id)
    view = client_requests.confirm_visit(
        session, conversation=conversation, visit_id=visit_id, now=_now()
    )
    session.commit()
    return asdict(view)
