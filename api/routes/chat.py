"""Web chat: one message in, the whole turn result out (DESIGN.md's turn result)."""

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import PracticeDep, SessionDep, StateDep

router = APIRouter(prefix="/api/v1/chat", tags=["chat"])

# SMS allows about 1600 characters in one concatenated message; web chat keeps the same bound.
MAX_MESSAGE_LENGTH = 1600


class ChatMessageIn(BaseModel):
    sender: str = Field(min_length=1, max_length=128)
    text: str = Field(min_length=1, max_length=MAX_MESSAGE_LENGTH)


class ReplyOut(BaseModel):
    template_id: str
    template_version: int
    text: str


class EscalationOut(BaseModel):
    id: int
    priority: str
    due_at: datetime


class TurnOut(BaseModel):
    conversation_id: str
    route: str
    replies: list[ReplyOut]
    escalation: EscalationOut | None


@router.post("/{practice}/messages", response_model=TurnOut)
def post_message(
    body: ChatMessageIn, practice: PracticeDep, session: SessionDep, state: StateDep
) -> TurnOut:
    result = state.turns.handle(
        session,
        practice=practice,
        channel="web",
        sender_key=body.sender,
        text=body.text,
        now=datetime.now(UTC),
    )
    return TurnOut.model_validate(result, from_attributes=True)
