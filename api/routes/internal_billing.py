"""Billing endpoints for the action server (shared secret): what a billing message asks for,
and the answer from the records, for a verified contact only."""

from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel

from api.deps import SessionDep, conversation_or_404, require_internal_token
from assistant.billing.requests import answer, need_of
from assistant.identity.verification import identity_status, patients_of

router = APIRouter(
    prefix="/internal/v1/conversations/{conversation_id}/billing",
    tags=["internal"],
    dependencies=[Depends(require_internal_token)],
)


class NeedRequest(BaseModel):
    text: str


class AnswerRequest(BaseModel):
    need: Literal["balance", "itemized", "insurance"]


@router.post("/need")
def billing_need(conversation_id: str, body: NeedRequest, session: SessionDep) -> dict[str, str]:
    conversation_or_404(session, conversation_id)
    return {"need": need_of(body.text)}


@router.post("/answer")
def billing_answer(
    conversation_id: str, body: AnswerRequest, session: SessionDep
) -> dict[str, str | bool]:
    """Amounts and statuses: 403 unless this conversation's contact is verified."""
    conversation = conversation_or_404(session, conversation_id)
    patients = patients_of(session, conversation)
    if identity_status(session, conversation, patients, now=datetime.now(UTC)) != "verified":
        raise HTTPException(status_code=403, detail="not a verified contact")
    return answer(
        session,
        need=body.need,
        patients=patients,
        timezone=ZoneInfo(conversation.practice.timezone),
    )
