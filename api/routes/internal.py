"""Endpoints for the action server only (shared secret); actions never open the database."""

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from api.deps import SessionDep, conversation_or_404, require_internal_token
from assistant.escalation.queue import open_escalation

router = APIRouter(
    prefix="/internal/v1", tags=["internal"], dependencies=[Depends(require_internal_token)]
)


class EscalationRequest(BaseModel):
    priority: Literal["emergency", "urgent", "routine"] = "routine"
    category: str


class EscalationOpened(BaseModel):
    id: int
    priority: str
    due_at: datetime
    practice_kind: str


@router.post("/conversations/{conversation_id}/escalations", response_model=EscalationOpened)
def open_case(
    conversation_id: str, body: EscalationRequest, session: SessionDep
) -> EscalationOpened:
    conversation = conversation_or_404(session, conversation_id)
    escalation = open_escalation(
        session,
        conversation=conversation,
        priority=body.priority,
        category=body.category,
        now=datetime.now(UTC),
    )
    session.commit()
    return EscalationOpened(
        id=escalation.id,
        priority=escalation.priority,
        due_at=escalation.due_at,
        practice_kind=conversation.practice.kind,
    )
